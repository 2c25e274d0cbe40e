/**
 * The local server provider's create, read and update, called directly on one real PostgreSQL 15
 * server. Every assertion is on what the server and the machine then hold: catalogs as the
 * superuser, logins as the app user, the postmaster's pid, uid and port.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { LocalServerInputs, localServerProvider as provider } from "../../components/providers/localServer";
import { instancePaths, restartServer } from "../../components/backends/local/instance";
import { lookupUser, serviceUser } from "../../components/backends/local/serviceUser";
import { processesMentioning, query, randomPassword, tempRoot } from "../harness/postgres";
import { TEST_PARAMETERS, alive, asApp, asSuperuser, childrenOf, postmasterPid, serverInputs, show, uidOf, uriOf, waitFor } from "./support";

const HBA_REJECTS = (user: string, db: string) => ({ message: `pg_hba.conf rejects connection for host "127.0.0.1", user "${user}", database "${db}", no encryption` });
const BAD_PASSWORD = (user: string) => ({ message: `password authentication failed for user "${user}"` });

describe("localServerProvider on a real PostgreSQL 15: create, read, update", () => {
  let dataRoot: string;
  let inputs: LocalServerInputs;
  /** The outputs the engine holds for the server right now. */
  let outs: any;
  let firstPort: number;

  before(async () => {
    dataRoot = tempRoot();
    inputs = serverInputs(dataRoot);
    const created = await provider.create!(inputs);
    assert.strictEqual(created.id, inputs.resourceId);
    outs = created.outs;
    firstPort = outs.port;
  });

  after(async () => {
    await provider.delete!(inputs.resourceId, outs).catch(() => undefined);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  /** Runs an update from the current outputs to `next` and keeps the result as the current state. */
  async function updateTo(next: LocalServerInputs): Promise<any> {
    const r = await provider.update!(next.resourceId, outs, next);
    inputs = next;
    outs = r.outs;
    assert.strictEqual(outs.port, firstPort, "the port stays the same across updates");
    return outs;
  }

  describe("create", () => {
    it("returns a running server on loopback, whose postmaster runs as the service user from the data dir", async () => {
      assert.strictEqual(outs.status, "RUNNING");
      assert.strictEqual(outs.running, true);
      assert.strictEqual(outs.host, "127.0.0.1");
      assert.ok(Number.isInteger(outs.port) && outs.port > 0, `port ${outs.port}`);
      assert.deepStrictEqual(outs.drift, []);
      assert.match(outs.serverVersion, /^15\.\d+/);
      assert.strictEqual(outs.dataDir, path.join(dataRoot, inputs.resourceId, "data"));
      assert.deepStrictEqual(outs.parameters, TEST_PARAMETERS);

      const pid = postmasterPid(outs.dataDir);
      assert.deepStrictEqual(processesMentioning(outs.dataDir), [pid], "exactly one postmaster for the data dir");
      assert.strictEqual(uidOf(pid), lookupUser("postgres")!.uid, "the server runs as `postgres`, never as root");
      const st = fs.statSync(outs.dataDir);
      assert.strictEqual(st.uid, lookupUser("postgres")!.uid);
      assert.strictEqual(st.mode & 0o777, 0o700);
      assert.ok(fs.existsSync(path.join(dataRoot, inputs.resourceId, "pgplatform.json")), "the finished-server marker is written");
    });

    it("makes the app role and its database, which PUBLIC cannot connect to (nor to `postgres`)", async () => {
      const [role] = await asSuperuser(outs, "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'app'");
      assert.deepStrictEqual(role, { rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      const [db] = await asSuperuser(outs, "SELECT pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS enc FROM pg_database WHERE datname = 'app'");
      assert.deepStrictEqual(db, { owner: "app", enc: "UTF8" });

      await asSuperuser(outs, "CREATE ROLE probe LOGIN");
      try {
        const rows = await asSuperuser(outs, "SELECT datname, has_database_privilege('probe', datname, 'CONNECT') AS c FROM pg_database WHERE datname IN ('app', 'postgres') ORDER BY 1");
        assert.deepStrictEqual(rows, [{ datname: "app", c: false }, { datname: "postgres", c: false }]);
        const acl = await asSuperuser(outs, "SELECT datname, datacl::text[] AS acl FROM pg_database WHERE datname IN ('app', 'postgres') ORDER BY 1");
        for (const r of acl) assert.ok(!r.acl.some((a: string) => /^=[^/]*c/.test(a)), `PUBLIC may connect to ${r.datname}: ${r.acl}`);
      } finally {
        await asSuperuser(outs, "DROP ROLE probe");
      }
    });

    it("stores passwords as SCRAM verifiers, and the app user logs in to its database only, with its password only", async () => {
      assert.strictEqual(await show(outs, "password_encryption"), "scram-sha-256");
      const stored = await asSuperuser(outs, "SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN ('app', 'postgres') ORDER BY 1");
      for (const r of stored) assert.match(r.rolpassword, /^SCRAM-SHA-256\$4096:/, `${r.rolname}'s password`);

      assert.deepStrictEqual(await asApp(outs, "SELECT current_user AS u, current_database() AS d"), [{ u: "app", d: "app" }]);
      await assert.rejects(query(uriOf(outs, "app", inputs.password, "postgres"), "SELECT 1"), HBA_REJECTS("app", "postgres"));
      await assert.rejects(query(uriOf(outs, "app", inputs.password, "template1"), "SELECT 1"), HBA_REJECTS("app", "template1"));
      await assert.rejects(query(uriOf(outs, "app", randomPassword(), "app"), "SELECT 1"), BAD_PASSWORD("app"));
      await assert.rejects(query(uriOf(outs, "postgres", randomPassword(), "postgres"), "SELECT 1"), BAD_PASSWORD("postgres"));
    });

    it("listens on 127.0.0.1 only, with no Unix socket, and runs with the plan's parameters", async () => {
      const rows = await asSuperuser(
        outs,
        "SELECT current_setting('listen_addresses') AS l, current_setting('unix_socket_directories') AS u, current_setting('port') AS p, " +
          "current_setting('max_connections') AS mc, current_setting('shared_buffers') AS sb, current_setting('TimeZone') AS tz, " +
          "current_setting('work_mem') AS wm, current_setting('idle_in_transaction_session_timeout') AS it",
      );
      assert.deepStrictEqual(rows, [{ l: "127.0.0.1", u: "", p: String(outs.port), mc: "40", sb: "32MB", tz: "UTC", wm: "4MB", it: "10min" }]);
      assert.ok(!fs.readdirSync(outs.dataDir).some((f) => f.startsWith(".s.PGSQL")), "no socket file in the data dir");
      const hba = await asSuperuser(outs, "SELECT type, database, user_name, address, auth_method, error FROM pg_hba_file_rules ORDER BY line_number");
      assert.deepStrictEqual(hba, [
        { type: "host", database: ["all"], user_name: ["postgres"], address: "127.0.0.1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["all"], user_name: ["postgres"], address: "::1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["replication"], user_name: ["postgres"], address: "127.0.0.1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["app"], user_name: ["app"], address: "127.0.0.1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["sameuser"], user_name: ["+pgplatform_tenants"], address: "127.0.0.1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["app"], user_name: ["+pgplatform_tenants"], address: "127.0.0.1", auth_method: "scram-sha-256", error: null },
        { type: "host", database: ["all"], user_name: ["all"], address: "0.0.0.0", auth_method: "reject", error: null },
        { type: "host", database: ["all"], user_name: ["all"], address: "::", auth_method: "reject", error: null },
      ]);
    });
  });

  describe("read", () => {
    it("reports a healthy server as it is, and diff then sees nothing to do", async () => {
      const r = await provider.read!(inputs.resourceId, outs);
      assert.strictEqual(r.id, inputs.resourceId);
      assert.deepStrictEqual(r.props, outs);
      assert.strictEqual((await provider.diff!(inputs.resourceId, r.props, inputs)).changes, false);
    });

    it("reports a postmaster killed out of band; update starts it again on the same port", async () => {
      const pid = postmasterPid(outs.dataDir);
      const children = childrenOf(pid);
      assert.ok(children.length > 0, "the postmaster has its auxiliary processes");
      process.kill(pid, "SIGKILL");
      await waitFor("the killed server's processes to exit", () => ![pid, ...children].some(alive));

      const r = await provider.read!(inputs.resourceId, outs);
      assert.strictEqual(r.id, inputs.resourceId);
      assert.deepStrictEqual(
        { running: r.props.running, status: r.props.status, drift: r.props.drift, port: r.props.port },
        { running: false, status: "FAILED", drift: ["server stopped"], port: firstPort },
      );
      const d = await provider.diff!(inputs.resourceId, r.props, inputs);
      assert.deepStrictEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });

      outs = r.props;
      await updateTo(inputs);
      assert.deepStrictEqual({ running: outs.running, status: outs.status, drift: outs.drift }, { running: true, status: "RUNNING", drift: [] });
      const now = postmasterPid(outs.dataDir);
      assert.notStrictEqual(now, pid);
      assert.deepStrictEqual(processesMentioning(outs.dataDir), [now]);
      assert.deepStrictEqual(await asApp(outs, "SELECT current_setting('port') AS p"), [{ p: String(firstPort) }]);
    });

    it("reports the app role and database dropped by hand; update re-creates them", async () => {
      await asSuperuser(outs, "DROP DATABASE app");
      await asSuperuser(outs, "DROP ROLE app");
      const r = await provider.read!(inputs.resourceId, outs);
      assert.deepStrictEqual({ running: r.props.running, drift: r.props.drift }, { running: true, drift: ["role app", "database app"] });
      assert.strictEqual((await provider.diff!(inputs.resourceId, r.props, inputs)).changes, true);

      outs = r.props;
      await updateTo(inputs);
      assert.deepStrictEqual(outs.drift, []);
      const [db] = await asSuperuser(outs, "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'app'");
      assert.deepStrictEqual(db, { owner: "app" });
      assert.deepStrictEqual(await asApp(outs, "SELECT current_user AS u"), [{ u: "app" }]);
    });

    it("reports a setting changed by hand with ALTER SYSTEM; diff sees it and update puts it back", async () => {
      await asSuperuser(outs, "ALTER SYSTEM SET work_mem = '16MB'");
      await asSuperuser(outs, "ALTER SYSTEM SET log_min_duration_statement = '250ms'");
      await asSuperuser(outs, "SELECT pg_reload_conf()");
      const until = Date.now() + 5_000;
      while ((await show(outs, "work_mem")) !== "16MB" && Date.now() < until) await new Promise((r) => setTimeout(r, 50));

      const r = await provider.read!(inputs.resourceId, outs);
      assert.deepStrictEqual(r.props.parameters, { ...TEST_PARAMETERS, work_mem: "16MB" });
      assert.deepStrictEqual(r.props.drift, []);
      assert.strictEqual((await provider.diff!(inputs.resourceId, r.props, inputs)).changes, true);

      outs = r.props;
      await updateTo(inputs);
      assert.strictEqual(await show(outs, "work_mem"), "4MB");
      assert.deepStrictEqual(outs.parameters, TEST_PARAMETERS);
      // Only the override of a managed setting is dropped; the operator's own ALTER SYSTEM stays.
      assert.strictEqual(await show(outs, "log_min_duration_statement"), "250ms");
      assert.strictEqual(
        fs.readFileSync(path.join(outs.dataDir, "postgresql.auto.conf"), "utf8"),
        "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\nlog_min_duration_statement = '250ms'\n",
      );
    });
    it("puts back a drifted restart-only setting it manages (listen_addresses) with a restart", async () => {
      // Still only 127.0.0.1, spelled so that it differs; applied by a restart done by hand.
      await asSuperuser(outs, "ALTER SYSTEM SET listen_addresses = '127.0.0.1,127.0.0.1'");
      await restartServer(outs.binDir, instancePaths(dataRoot, inputs.resourceId), serviceUser());
      assert.strictEqual(await show(outs, "listen_addresses"), "127.0.0.1,127.0.0.1");
      const pid = postmasterPid(outs.dataDir);

      await updateTo(inputs);
      assert.notStrictEqual(postmasterPid(outs.dataDir), pid, "a reload cannot change listen_addresses: restarted");
      const [row] = await asSuperuser(outs, "SELECT setting, pending_restart FROM pg_settings WHERE name = 'listen_addresses'");
      assert.deepStrictEqual(row, { setting: "127.0.0.1", pending_restart: false });
    });
  });

  describe("update", () => {
    it("applies a reload-only parameter without a restart", async () => {
      const pid = postmasterPid(outs.dataDir);
      const [before] = await asSuperuser(outs, "SELECT pg_postmaster_start_time()::text AS t");
      await updateTo({ ...inputs, parameters: { ...inputs.parameters, work_mem: "8MB" } });
      assert.strictEqual(await show(outs, "work_mem"), "8MB");
      assert.strictEqual(outs.parameters.work_mem, "8MB");
      assert.strictEqual(postmasterPid(outs.dataDir), pid, "same postmaster");
      assert.deepStrictEqual(await asSuperuser(outs, "SELECT pg_postmaster_start_time()::text AS t"), [before]);
    });

    it("restarts for a parameter that needs it, and applies it", async () => {
      const pid = postmasterPid(outs.dataDir);
      await updateTo({ ...inputs, parameters: { ...inputs.parameters, max_connections: "60", shared_buffers: "48MB" } });
      const now = postmasterPid(outs.dataDir);
      assert.notStrictEqual(now, pid, "a new postmaster");
      assert.strictEqual(alive(pid), false);
      assert.strictEqual(await show(outs, "max_connections"), "60");
      assert.strictEqual(await show(outs, "shared_buffers"), "48MB");
    });

    it("renames the database and the user in place: the data survives", async () => {
      await asApp(outs, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      const [oids] = await asSuperuser(outs, "SELECT (SELECT oid FROM pg_database WHERE datname = 'app')::int AS d, (SELECT oid FROM pg_roles WHERE rolname = 'app')::int AS r");
      const { Client } = require("pg");
      const open = new Client({ connectionString: uriOf(outs, "app", inputs.password, "app") });
      const ended: string[] = [];
      open.on("error", (e: Error) => ended.push(e.message));
      await open.connect();
      try {
        await updateTo({ ...inputs, databaseName: "shop", username: "shopper" });
        await waitFor("the open session to be ended", () => ended.length > 0);
        assert.strictEqual(ended[0], "terminating connection due to administrator command", "a session on the old name is ended");
      } finally {
        await open.end().catch(() => undefined);
      }

      assert.deepStrictEqual(await asApp(outs, "SELECT v, current_user AS u, current_database() AS d FROM kept"), [{ v: "still here", u: "shopper", d: "shop" }]);
      const [after] = await asSuperuser(outs, "SELECT (SELECT oid FROM pg_database WHERE datname = 'shop')::int AS d, (SELECT oid FROM pg_roles WHERE rolname = 'shopper')::int AS r");
      assert.deepStrictEqual(after, oids, "the same database and role, renamed");
      assert.deepStrictEqual(await asSuperuser(outs, "SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'app'"), [{ n: 0 }]);
      assert.deepStrictEqual(await asSuperuser(outs, "SELECT count(*)::int AS n FROM pg_database WHERE datname = 'app'"), [{ n: 0 }]);
      assert.deepStrictEqual(await asSuperuser(outs, "SELECT pg_get_userbyid(datdba) AS o FROM pg_database WHERE datname = 'shop'"), [{ o: "shopper" }]);
    });

    it("changes both passwords: the new ones work, the old ones no longer do", async () => {
      const old = { app: inputs.password, su: inputs.superuserPassword };
      await updateTo({ ...inputs, password: randomPassword(), superuserPassword: randomPassword() });
      assert.deepStrictEqual(await asApp(outs, "SELECT 1 AS one"), [{ one: 1 }]);
      assert.deepStrictEqual(await asSuperuser(outs, "SELECT 1 AS one"), [{ one: 1 }]);
      await assert.rejects(query(uriOf(outs, inputs.username, old.app, inputs.databaseName), "SELECT 1"), BAD_PASSWORD(inputs.username));
      await assert.rejects(query(uriOf(outs, "postgres", old.su, "postgres"), "SELECT 1"), BAD_PASSWORD("postgres"));
    });

    it("rewrites pg_hba for a changed allowlist, and the server enforces it", async () => {
      const rules = async () =>
        (await asSuperuser(outs, "SELECT address FROM pg_hba_file_rules WHERE $1 = ANY(user_name) ORDER BY line_number", [inputs.username])).map((r) => r.address);
      await updateTo({ ...inputs, allowedCidrs: ["127.0.0.1/32", "127.0.0.2/32"] });
      assert.deepStrictEqual(await rules(), ["127.0.0.1", "127.0.0.2"]);
      assert.strictEqual(await show(outs, "listen_addresses"), "127.0.0.1");

      // Only 127.0.0.2 left: the app user coming from 127.0.0.1 is now turned away.
      await updateTo({ ...inputs, allowedCidrs: ["127.0.0.2/32"] });
      assert.deepStrictEqual(await rules(), ["127.0.0.2"]);
      await assert.rejects(asApp(outs, "SELECT 1"), HBA_REJECTS(inputs.username, inputs.databaseName));
      await updateTo({ ...inputs, allowedCidrs: ["127.0.0.1/32"] });
      assert.deepStrictEqual(await asApp(outs, "SELECT 1 AS one"), [{ one: 1 }]);
    });
  });
});
