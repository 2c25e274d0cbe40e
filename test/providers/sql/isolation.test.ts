/**
 * Tenant isolation on a real PostgreSQL 15, in both modes, with real sessions as each tenant role
 * (logging in with its password over 127.0.0.1, admitted by the local server's pg_hba as members of
 * `pgplatform_tenants`): database_per_tenant (Role + Database + Grants) and schema_per_tenant on
 * the shared `app` database (Role + Schema + Grants). Tenants A and B are created concurrently, as
 * `pulumi up` would. Every refusal is pinned to PostgreSQL's own message.
 */
import assert from "assert";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres } from "../../harness/postgres";
import {
  FAST, adminOf, asAdmin, databaseInputs, databaseProvider, errorOf, grantsInputs, grantsProvider, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs,
} from "./support";

describe("SQL providers: tenant isolation with real sessions as each tenant", () => {
  let pg: TestPostgres;
  const pw = { db_a: randomPassword(), db_b: randomPassword(), sc_a: randomPassword(), sc_b: randomPassword() };
  const secrets = Object.values(pw);
  const as = (role: keyof typeof pw, database: string, sql: string, params: unknown[] = []) => query(uriAs(pg, role, pw[role], database), sql, params);

  before(async () => {
    pg = await startTestPostgres(FAST);
    const admin = adminOf(pg);
    const shared = adminOf(pg, "app");
    const dbTenant = async (n: "db_a" | "db_b") => {
      await roleProvider.create!(roleInputs(admin, n, pw[n]));
      await databaseProvider.create!(databaseInputs(admin, n, n));
      await grantsProvider.create!(grantsInputs(admin, { type: "database", name: n }, [{ grantee: n, privileges: ["CONNECT", "TEMPORARY"] }]));
    };
    const schemaTenant = async (n: "sc_a" | "sc_b") => {
      await roleProvider.create!(roleInputs(admin, n, pw[n]));
      await schemaProvider.create!(schemaInputs(shared, n, n));
      await grantsProvider.create!(grantsInputs(admin, { type: "schema", name: n, database: "app" }, [{ grantee: n, privileges: ["CREATE", "USAGE"] }]));
    };
    await Promise.all([dbTenant("db_a"), dbTenant("db_b"), schemaTenant("sc_a"), schemaTenant("sc_b")]);
    await as("db_b", "db_b", "CREATE TABLE secrets (id int PRIMARY KEY, v text); INSERT INTO secrets VALUES (1, 'b-only')");
    await as("sc_b", "app", "CREATE TABLE secrets (id int PRIMARY KEY, v text); INSERT INTO secrets VALUES (1, 'b-only')");
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  describe("database_per_tenant", () => {
    it("A works in its own database, and what it creates is A's", async () => {
      await as("db_a", "db_a", "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
      assert.deepStrictEqual(await as("db_a", "db_a", "SELECT current_user AS u, count(*)::int AS n FROM t"), [{ u: "db_a", n: 1 }]);
      assert.deepStrictEqual(await asAdmin(pg, "SELECT tableowner FROM pg_tables WHERE tablename = 't'", [], "db_a"), [{ tableowner: "db_a" }]);
    });

    it("A cannot connect to B's database, to `postgres`, nor to the shared `app` database", async () => {
      assert.strictEqual(await errorOf(() => as("db_a", "db_b", "SELECT 1"), secrets), 'pg_hba.conf rejects connection for host "127.0.0.1", user "db_a", database "db_b", no encryption');
      assert.strictEqual(await errorOf(() => as("db_a", "postgres", "SELECT 1"), secrets), 'pg_hba.conf rejects connection for host "127.0.0.1", user "db_a", database "postgres", no encryption');
      assert.strictEqual(await errorOf(() => as("db_a", "app", "SELECT 1"), secrets), 'permission denied for database "app"');
    });

    it("behind pg_hba, the privileges are the second fence: only the owner may connect to each database, PUBLIC may not", async () => {
      const rows = await asAdmin(
        pg,
        `SELECT d.datname, r.rolname, has_database_privilege(r.rolname, d.datname, 'CONNECT') AS c
           FROM pg_database d, pg_roles r WHERE d.datname IN ('db_a', 'db_b') AND r.rolname IN ('db_a', 'db_b', 'sc_a', 'app') ORDER BY 1, 2`,
      );
      assert.deepStrictEqual(rows.filter((r) => r.c).map((r) => `${r.rolname}->${r.datname}`), ["db_a->db_a", "db_b->db_b"]);
      const acl = await asAdmin(pg, "SELECT datname, datacl::text[] AS acl FROM pg_database WHERE datname IN ('db_a', 'db_b') ORDER BY 1");
      assert.deepStrictEqual(acl, [
        { datname: "db_a", acl: ["db_a=CTc/db_a"] },
        { datname: "db_b", acl: ["db_b=CTc/db_b"] },
      ]);
    });

    it("the platform admin reads both tenants' data", async () => {
      assert.deepStrictEqual(await asAdmin(pg, "SELECT v FROM secrets", [], "db_b"), [{ v: "b-only" }]);
      assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM t", [], "db_a"), [{ n: 1 }]);
    });
  });

  describe("schema_per_tenant on the shared `app` database", () => {
    it("A's unqualified CREATE TABLE lands in A's schema (search_path), owned by A", async () => {
      await as("sc_a", "app", "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
      assert.deepStrictEqual(await asAdmin(pg, "SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 't'", [], "app"), [{ schemaname: "sc_a", tableowner: "sc_a" }]);
      assert.deepStrictEqual(await as("sc_a", "app", "SELECT current_schema() AS s, count(*)::int AS n FROM t"), [{ s: "sc_a", n: 2 }]);
    });

    it("A can neither read nor write B's schema, even a table B granted to A, and cannot create there", async () => {
      const denied = 'permission denied for schema sc_b';
      assert.strictEqual(await errorOf(() => as("sc_a", "app", "SELECT * FROM sc_b.secrets"), secrets), denied);
      assert.strictEqual(await errorOf(() => as("sc_a", "app", "INSERT INTO sc_b.secrets VALUES (2, 'from a')"), secrets), denied);
      assert.strictEqual(await errorOf(() => as("sc_a", "app", "CREATE TABLE sc_b.x (id int)"), secrets), denied);
      await as("sc_b", "app", "GRANT SELECT ON secrets TO sc_a");
      assert.strictEqual(await errorOf(() => as("sc_a", "app", "SELECT * FROM sc_b.secrets"), secrets), denied);
      assert.deepStrictEqual(await asAdmin(pg, "SELECT v FROM sc_b.secrets", [], "app"), [{ v: "b-only" }], "B's data is untouched");
    });

    it("A cannot create in `public`, nor use it", async () => {
      assert.strictEqual(await errorOf(() => as("sc_a", "app", "CREATE TABLE public.x (id int)"), secrets), "permission denied for schema public");
      assert.deepStrictEqual(await asAdmin(pg, "SELECT nspacl::text[] AS acl FROM pg_namespace WHERE nspname = 'public'", [], "app"), [{ acl: ["pg_database_owner=UC/pg_database_owner"] }]);
    });

    it("A's functions and types are not PUBLIC's (default privileges), and B cannot reach them anyway", async () => {
      await as("sc_a", "app", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 42'; CREATE TYPE mood AS ENUM ('ok')");
      const [p] = await asAdmin(pg, "SELECT has_function_privilege('sc_b', 'sc_a.f()', 'EXECUTE') AS f, has_type_privilege('sc_b', 'sc_a.mood', 'USAGE') AS t", [], "app");
      assert.deepStrictEqual(p, { f: false, t: false });
      assert.deepStrictEqual(await as("sc_a", "app", "SELECT f() AS v"), [{ v: 42 }]);
      assert.strictEqual(await errorOf(() => as("sc_b", "app", "SELECT sc_a.f()"), secrets), "permission denied for schema sc_a");
    });

    it("schema tenants cannot reach a database-per-tenant database either, and the admin reads both schemas", async () => {
      assert.strictEqual(await errorOf(() => as("sc_a", "db_a", "SELECT 1"), secrets), 'pg_hba.conf rejects connection for host "127.0.0.1", user "sc_a", database "db_a", no encryption');
      assert.deepStrictEqual(await asAdmin(pg, "SELECT (SELECT count(*)::int FROM sc_a.t) AS a, (SELECT count(*)::int FROM sc_b.secrets) AS b", [], "app"), [{ a: 2, b: 1 }]);
    });
  });

  it("read reports no drift on any of the eight resources right after create", async () => {
    const admin = adminOf(pg);
    const drift: Record<string, string[]> = {};
    for (const n of ["db_a", "db_b", "sc_a", "sc_b"] as const) {
      const role = roleInputs(admin, n, pw[n]);
      drift[`role ${n}`] = (await roleProvider.read!("x", { ...role, drift: [] } as any)).props!.drift;
      if (n.startsWith("db")) {
        drift[`database ${n}`] = (await databaseProvider.read!("x", { ...databaseInputs(admin, n, n), drift: [] } as any)).props!.drift;
      } else {
        drift[`schema ${n}`] = (await schemaProvider.read!("x", { ...schemaInputs(adminOf(pg, "app"), n, n), drift: [] } as any)).props!.drift;
      }
    }
    assert.deepStrictEqual(Object.entries(drift).filter(([, d]) => d.length > 0), []);
  });
});
