/**
 * The library-managed local catalogue, for real: the first call creates one server and a 0600
 * credentials file, the next reuses it, a stopped server is started again on its port (through a
 * stale lock left by a dead process), and four concurrent first calls (two in this process, two in
 * other processes) create exactly one server.
 */
import assert from "assert";
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { LOCAL_CATALOG_ID, LocalCatalogOptions, ensureLocalCatalog, localCatalogPaths } from "../../components/catalog/localCatalog";
import { migrate } from "../../components/catalog/migrations";
import { destroyServer } from "../../components/backends/local/server";
import { closePools, withClient } from "../../components/providers/sql/connection";
import { processesMentioning, tempRoot } from "../harness/postgres";
import { PROJECT_ROOT } from "../harness/providerHost";
import { alive, childrenOf, postmasterPid, waitFor } from "../providers/support";
import { sql } from "./support";

const fingerprint = (c: { port: number; password: string }) => `${c.port}#${crypto.createHash("sha256").update(c.password).digest("hex").slice(0, 12)}`;

/**
 * Starts a Node process that loads the local catalogue module, says `ready`, and calls
 * ensureLocalCatalog when `go()` is called; `result` is the connection's fingerprint (never the password).
 */
async function otherProcess(opts: LocalCatalogOptions): Promise<{ go(): void; result: Promise<string> }> {
  const code =
    `const m = require(${JSON.stringify(path.join(PROJECT_ROOT, "components/catalog/localCatalog"))});` +
    `const fp = (c) => String(c.port) + "#" + require("crypto").createHash("sha256").update(c.password).digest("hex").slice(0, 12);` +
    `process.stdin.once("data", () => m.ensureLocalCatalog(${JSON.stringify(opts)}).then(c => { process.stdout.write(fp(c)); process.exit(0); }, e => { process.stderr.write(e.message); process.exit(1); }));` +
    `process.stdout.write("ready\\n");`;
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], { cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const result = new Promise<string>((resolve, reject) => child.on("close", (c) => (c === 0 ? resolve(out.replace(/^ready\n/, "")) : reject(new Error(`child failed (${c}): ${err}`)))));
  await new Promise<void>((resolve) => child.stdout.on("data", (d) => ((out += d), out.startsWith("ready\n") && resolve())));
  return { go: () => child.stdin.write("go\n"), result };
}

/** Postmasters (not backends) serving the data directory. */
const postmasters = (dataDir: string) => processesMentioning(dataDir).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("-D"));

describe("local catalogue (ensureLocalCatalog)", () => {
  const roots: string[] = [];
  const newRoot = () => {
    const r = tempRoot("pgplatform-catalog-test-");
    roots.push(r);
    return r;
  };

  after(async () => {
    await closePools();
    for (const r of roots) {
      await destroyServer(r, LOCAL_CATALOG_ID);
      fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it("creates one server on first use, reuses it, and starts it again when it is stopped", async () => {
    const opts = { dataRoot: newRoot(), runAs: "postgres", binarySearchPaths: [PROJECT_ROOT] };
    const paths = localCatalogPaths(opts.dataRoot);
    const first = await ensureLocalCatalog(opts);
    assert.deepStrictEqual({ ...first, port: 0, password: "" }, { host: "127.0.0.1", port: 0, user: "catalog", password: "", database: "catalog" });
    const st = fs.statSync(paths.credentials);
    assert.deepStrictEqual({ mode: st.mode & 0o777, uid: st.uid }, { mode: 0o600, uid: process.getuid!() });
    const creds = JSON.parse(fs.readFileSync(paths.credentials, "utf8"));
    assert.deepStrictEqual([creds.port, creds.password, creds.superuser], [first.port, first.password, "postgres"]);
    assert.match(creds.password, /^[A-Za-z0-9]{32}$/);
    assert.deepStrictEqual(await sql(first, "SELECT current_user AS u, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()"), [{ u: "catalog", owner: "catalog" }]);
    assert.deepStrictEqual(await withClient(first, (c) => migrate(c)), [1], "its owner can create the catalogue schema");
    assert.deepStrictEqual(fs.readdirSync(opts.dataRoot).sort(), [LOCAL_CATALOG_ID, `${LOCAL_CATALOG_ID}.credentials.json`].sort(), "no lock left behind");

    const pid = postmasterPid(paths.dataDir);
    const second = await ensureLocalCatalog(opts);
    assert.deepStrictEqual(second, first, "same port, same credentials");
    assert.strictEqual(postmasterPid(paths.dataDir), pid, "not restarted");

    // Stopped out of band, with a lock left behind by a process that died.
    const processes = [pid, ...childrenOf(pid)];
    process.kill(pid, "SIGINT");
    await waitFor("the catalogue server to stop", () => !processes.some(alive));
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: dead.pid, token: "x", at: new Date().toISOString() }));
    const third = await ensureLocalCatalog(opts);
    assert.deepStrictEqual(third, first, "started again on its port");
    assert.notStrictEqual(postmasterPid(paths.dataDir), pid);
    assert.deepStrictEqual(await sql(third, "SELECT version FROM pgplatform_catalog.schema_migrations"), [{ version: 1 }], "its data is kept");
    assert.strictEqual(fs.existsSync(paths.lock), false);

    // Its credentials lost: a clear error, never a second server over the first.
    fs.renameSync(paths.credentials, `${paths.credentials}.bak`);
    process.kill(postmasterPid(paths.dataDir), "SIGINT");
    await waitFor("the catalogue server to stop", () => postmasters(paths.dataDir).length === 0);
    await assert.rejects(ensureLocalCatalog(opts), {
      message:
        `the local catalogue server in ${paths.instanceDir} exists but its credentials file ${paths.credentials} is missing; ` +
        "restore the file, or stop that server and remove its directory (losing the catalogue's records) so a new one is created",
    });
    fs.renameSync(`${paths.credentials}.bak`, paths.credentials);
    assert.deepStrictEqual(await ensureLocalCatalog(opts), first);
  });

  it("creates exactly one server when four first calls race (two in this process, two in others)", async () => {
    const opts = { dataRoot: newRoot(), runAs: "postgres", binarySearchPaths: [PROJECT_ROOT] };
    const paths = localCatalogPaths(opts.dataRoot);
    const others = await Promise.all([otherProcess(opts), otherProcess(opts)]);
    for (const o of others) o.go();
    const results = await Promise.all([others[0].result, ensureLocalCatalog(opts).then(fingerprint), others[1].result, ensureLocalCatalog(opts).then(fingerprint)]);
    const creds = JSON.parse(fs.readFileSync(paths.credentials, "utf8"));
    assert.deepStrictEqual(results, Array(4).fill(fingerprint(creds)), "every caller got the one catalogue");
    assert.strictEqual(postmasters(paths.dataDir).length, 1, "one postmaster");
    assert.deepStrictEqual(fs.readdirSync(opts.dataRoot).sort(), [LOCAL_CATALOG_ID, `${LOCAL_CATALOG_ID}.credentials.json`].sort());
  });
});
