/**
 * The local server provider's delete and its failure paths on real PostgreSQL 15 servers: what is
 * left on the machine (directories, processes) after a delete, a failed create, a refused create
 * and a create over the leftovers of an interrupted one; and that no error names a password.
 */
import assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { LocalServerInputs, localServerProvider as provider } from "../../components/providers/localServer";
import { freePort } from "../../components/backends/local/process";
import { processesMentioning, randomPassword, tempRoot } from "../harness/postgres";
import { alive, asApp, childrenOf, failure, postmasterPid, serverInputs, waitFor } from "./support";

const secretsOf = (i: LocalServerInputs) => [i.password, i.superuserPassword];

describe("localServerProvider on real PostgreSQL 15: delete, failed and refused creates", () => {
  let dataRoot: string;

  before(() => {
    dataRoot = tempRoot();
  });

  after(async () => {
    for (const id of fs.existsSync(dataRoot) ? fs.readdirSync(dataRoot) : []) await provider.delete!(id, { dataRoot, resourceId: id });
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  /** Asserts nothing of `inputs`' server is left: no directory under the data root, no process. */
  function assertNothingLeft(inputs: LocalServerInputs): void {
    const instanceDir = path.join(dataRoot, inputs.resourceId);
    assert.strictEqual(fs.existsSync(instanceDir), false, `${instanceDir} is left`);
    assert.deepStrictEqual(processesMentioning(instanceDir), [], "a process is left");
  }

  describe("delete", () => {
    it("stops the server and its processes and removes its directory; a second delete does nothing; read then finds no server", async () => {
      const inputs = serverInputs(dataRoot);
      const { outs } = await provider.create!(inputs);
      const pid = postmasterPid(outs.dataDir);
      const processes = [pid, ...childrenOf(pid)];
      assert.ok(processes.length > 1);

      await provider.delete!(inputs.resourceId, outs);
      assert.deepStrictEqual(processes.filter(alive), [], "no process of the server is alive");
      assertNothingLeft(inputs);
      assert.ok(fs.existsSync(dataRoot), "the data root itself stays");

      await provider.delete!(inputs.resourceId, outs);
      assert.deepStrictEqual(await provider.read!(inputs.resourceId, outs), { id: "", props: {} });
    });

    it("removes a server whose postmaster was killed out of band", async () => {
      const inputs = serverInputs(dataRoot);
      const { outs } = await provider.create!(inputs);
      const pid = postmasterPid(outs.dataDir);
      const processes = [pid, ...childrenOf(pid)];
      process.kill(pid, "SIGKILL");
      await waitFor("the killed server's processes to exit", () => !processes.some(alive));
      await provider.delete!(inputs.resourceId, outs);
      assertNothingLeft(inputs);
    });
  });

  describe("a failed create", () => {
    it("of a server that refuses to start (unknown parameter) throws its log and leaves nothing", async () => {
      const inputs = serverInputs(dataRoot, { parameters: { max_connections: "40", no_such_param: "1" } });
      const err = await failure(() => provider.create!(inputs), secretsOf(inputs));
      const conf = path.join(dataRoot, inputs.resourceId, "data", "pgplatform.conf");
      const lines = err.message.split("\n");
      assert.strictEqual(lines[0], "pg_ctl start failed (exit 1): pg_ctl: could not start server");
      assert.ok(
        lines.some((l) => l.endsWith(`LOG:  unrecognized configuration parameter "no_such_param" in file "${conf}" line 7`)),
        `the server's own reason is in the message:\n${err.message}`,
      );
      assert.ok(lines.some((l) => l.endsWith(`FATAL:  configuration file "${conf}" contains errors`)), err.message);
      assertNothingLeft(inputs);
    });

    it("on a port that is taken (explicit `port`) throws the bind error and leaves nothing", async () => {
      const port = await freePort();
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
      try {
        const inputs = serverInputs(dataRoot, { port });
        const err = await failure(() => provider.create!(inputs), secretsOf(inputs));
        assert.strictEqual(err.message.split("\n")[0], "pg_ctl start failed (exit 1): pg_ctl: could not start server");
        assert.match(err.message, /LOG: {2}could not bind IPv4 address "127\.0\.0\.1": Address already in use\n/);
        assert.match(err.message, /FATAL: {2}could not create any TCP\/IP sockets/);
        assertNothingLeft(inputs);
      } finally {
        await new Promise((resolve) => squatter.close(resolve));
      }
    });

    it("under a data root the service user cannot reach throws the exact reason and creates nothing", async () => {
      const hidden = fs.mkdtempSync(path.join(dataRoot, ".hidden-")); // mode 0700, owned by root
      const inputs = serverInputs(path.join(hidden, "root"));
      const err = await failure(() => provider.create!(inputs), secretsOf(inputs));
      assert.strictEqual(
        err.message,
        `\`local.dataRoot\` ${JSON.stringify(inputs.dataRoot)} is not reachable by the user \`postgres\` that runs PostgreSQL (${hidden} has mode 0700); ` +
          "choose a directory it can reach, such as /var/lib/pgplatform, or set stack config `pgplatform:localDataRoot`",
      );
      assert.deepStrictEqual(fs.readdirSync(path.join(hidden, "root")), []);
      fs.rmSync(hidden, { recursive: true });
    });
  });

  describe("over an existing directory", () => {
    let inputs: LocalServerInputs;
    let outs: any;

    before(async () => {
      inputs = serverInputs(dataRoot);
      outs = (await provider.create!(inputs)).outs;
    });

    it("refuses a create where a finished server lives, with the exact message, and leaves that server alone", async () => {
      const pid = postmasterPid(outs.dataDir);
      const again = { ...inputs, password: randomPassword(), superuserPassword: randomPassword() };
      const err = await failure(() => provider.create!(again), [...secretsOf(inputs), ...secretsOf(again)]);
      assert.strictEqual(
        err.message,
        `${path.join(dataRoot, inputs.resourceId)} already holds the pgplatform server \`${inputs.resourceId}\`; ` +
          "delete it first, or give this db_resource another `local.dataRoot`",
      );
      assert.ok(alive(pid), "the existing server still runs");
      assert.deepStrictEqual(await asApp(outs, "SELECT current_user AS u"), [{ u: "app" }]);
    });

    it("names no password when read cannot log in, nor when update finds the server gone", async () => {
      const wrong = { ...outs, superuserPassword: randomPassword() };
      const err = await failure(() => provider.read!(inputs.resourceId, wrong), [...secretsOf(inputs), wrong.superuserPassword]);
      assert.strictEqual(err.message, `could not connect to the local server on 127.0.0.1:${outs.port} as \`postgres\`: password authentication failed for user "postgres"`);

      const elsewhere = { ...inputs, dataRoot: path.join(dataRoot, "nothing-here") };
      const gone = await failure(() => provider.update!(inputs.resourceId, { ...outs, ...elsewhere }, elsewhere), secretsOf(inputs));
      assert.strictEqual(
        gone.message,
        `the local server \`${inputs.resourceId}\` is gone from ${path.join(elsewhere.dataRoot, inputs.resourceId)}; run \`pulumi refresh\` so it is created again`,
      );
      fs.rmSync(elsewhere.dataRoot, { recursive: true, force: true });
    });

    it("discards the leftovers of an interrupted create (no marker, even with a server running) and creates anew", async () => {
      const instanceDir = path.join(dataRoot, inputs.resourceId);
      const old = postmasterPid(outs.dataDir);
      const oldProcesses = [old, ...childrenOf(old)];
      await asApp(outs, "CREATE TABLE from_before (v int)");
      fs.rmSync(path.join(instanceDir, "pgplatform.json"));
      fs.writeFileSync(path.join(instanceDir, "half-written"), "junk");

      const next = { ...inputs, password: randomPassword(), superuserPassword: randomPassword() };
      const created = await provider.create!(next);
      outs = created.outs;
      inputs = next;
      assert.deepStrictEqual(oldProcesses.filter(alive), [], "the leftover server was stopped");
      assert.strictEqual(fs.existsSync(path.join(instanceDir, "half-written")), false);
      assert.ok(fs.existsSync(path.join(instanceDir, "pgplatform.json")));
      assert.deepStrictEqual(processesMentioning(outs.dataDir), [postmasterPid(outs.dataDir)]);
      assert.deepStrictEqual(await asApp(outs, "SELECT to_regclass('from_before') AS t"), [{ t: null }], "a fresh cluster");
    });
  });
});
