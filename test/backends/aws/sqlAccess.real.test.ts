/**
 * `aws.sqlAccess` against real PostgreSQL 15 and 16 servers with TLS on and an "RDS-like" master
 * user (not a superuser: CREATEROLE, CREATEDB, pg_monitor, pg_signal_backend; it cannot read
 * pg_authid). The exact provider inputs the aws back end renders (renderAppAccess, TenantDatabase)
 * are run through the Role, Database and Grants providers over verify-full: the app gets a
 * least-privilege login that owns its database, the master keeps reaching the app's data, reads
 * report no drift, runs are idempotent, and a tenant is made and dropped.
 */
import { strict as assert } from "assert";
import { adminSqlOf } from "../../../components/backends/aws/sqlAccess";
import { SqlConnection, closePools, withClient } from "../../../components/providers/sql/connection";
import { databaseProvider } from "../../../components/providers/sql/database";
import { grantsProvider } from "../../../components/providers/sql/grants";
import { roleProvider } from "../../../components/providers/sql/role";
import { KINDS } from "../../../components/providers/values";
import { query } from "../../harness/postgres";
import { RdsLikeMaster, addRdsLikeMaster } from "../../harness/rdsLikeMaster";
import { TlsTestPostgres, startTlsPostgres } from "../../harness/tlsPostgres";

for (const version of ["15", "16"]) {
  describe(`aws.sqlAccess on PostgreSQL ${version} with an RDS-like master over TLS (real server)`, function () {
    this.timeout(120_000);
    let pg: TlsTestPostgres;
    let master: RdsLikeMaster;
    let admin: SqlConnection;
    const appPassword = "app-password-0123456789abcdef";
    const tlsUri = (user: string, pw: string, db: string) => ({ host: "127.0.0.1", port: pg.port, user, password: pw, database: db, ssl: { mode: "verify-full" as const, ca: pg.certs.caPem } });

    before(async () => {
      pg = await startTlsPostgres({ version });
      master = await addRdsLikeMaster(pg);
      const spec: any = { backend: "aws", username: "app", aws: { sqlAccess: true, masterUsername: master.user, caBundle: pg.certs.caPem } };
      admin = adminSqlOf(spec, "127.0.0.1", pg.port, master.password);
    });
    after(async () => {
      await closePools();
      await pg?.stop();
    });

    it("the app's Role and Database (as renderAppAccess gives them): a least-privilege login owning its database, over verify-full", async () => {
      assert.deepEqual(admin.ssl, { mode: "verify-full", ca: pg.certs.caPem });
      const roleIn = { kind: KINDS.role, admin, name: "app", password: appPassword, login: true, connectionLimit: -1, memberOf: [], onDelete: "lock" };
      const role = await roleProvider.create!(roleIn);
      const dbIn = { kind: KINDS.database, admin, name: "app", owner: "app", connectionLimit: -1, onDelete: { policy: "lock", backupBeforeDelete: false } };
      const db = await databaseProvider.create!(dbIn);
      const facts = await withClient(tlsUri("app", appPassword, "app"), async (c) => {
        await c.query("CREATE TABLE orders (id bigserial PRIMARY KEY, item text)");
        await c.query("INSERT INTO orders (item) VALUES ('a'), ('b')");
        return (
          await c.query(
            `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, pg_get_userbyid(d.datdba) AS owner,
                    (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl
               FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
          )
        ).rows[0];
      });
      assert.deepEqual(facts, { rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, owner: "app", ssl: true });
      // The master user stays the admin: it reaches the app's data (it holds the app role) and reads report no drift.
      assert.deepEqual(await withClient({ ...admin, database: "app" }, async (c) => (await c.query("SELECT count(*)::int AS n FROM orders")).rows[0]), { n: 2 });
      assert.deepEqual((await roleProvider.read!(role.id, role.outs as any)).props.drift, []);
      assert.deepEqual((await databaseProvider.read!(db.id, db.outs as any)).props.drift, []);
      // The app cannot make roles or databases.
      await assert.rejects(withClient(tlsUri("app", appPassword, "app"), (c) => c.query("CREATE ROLE intruder")), /permission denied to create role/);
      // A second run (a refresh and update, or a create after a lost state) converges without error and keeps the password.
      await roleProvider.create!(roleIn);
      await roleProvider.update!(role.id, role.outs as any, roleIn as any);
      await databaseProvider.update!(db.id, db.outs as any, dbIn as any);
      assert.deepEqual(await withClient(tlsUri("app", appPassword, "app"), async (c) => (await c.query("SELECT current_user AS u")).rows), [{ u: "app" }]);
    });

    it("the master cannot read pg_authid, so a password changed by hand is not drift, and the next update sets it again", async () => {
      const roleIn = { kind: KINDS.role, admin, name: "app", password: appPassword, login: true, connectionLimit: -1, memberOf: [], onDelete: "lock" };
      await assert.rejects(withClient(admin, (c) => c.query("SELECT rolpassword FROM pg_authid")), /permission denied for (table|relation) pg_authid/);
      await withClient(admin, (c) => c.query("ALTER ROLE app PASSWORD 'changed-by-hand'"));
      const read = await roleProvider.read!("x", { ...roleIn, drift: [] } as any);
      assert.deepEqual(read.props.drift, []);
      await roleProvider.update!("x", { ...roleIn, drift: [] } as any, roleIn as any);
      assert.deepEqual(await withClient({ ...tlsUri("app", appPassword, "app"), ssl: { mode: "require" } }, async (c) => (await c.query("SELECT 1 AS one")).rows), [{ one: 1 }]);
    });

    it("a tenant (as TenantDatabase renders it, policy drop): its role in pgplatform_tenants, its database, its grants; then dropped", async () => {
      const roleIn = { kind: KINDS.role, admin, name: "tenant_acme", password: "tenant-pw-0123456789", login: true, connectionLimit: -1, memberOf: ["pgplatform_tenants"], onDelete: "drop" };
      const role = await roleProvider.create!(roleIn);
      const dbIn = { kind: KINDS.database, admin, name: "tenant_acme", owner: "tenant_acme", connectionLimit: -1, onDelete: { policy: "drop", backupBeforeDelete: false } };
      const db = await databaseProvider.create!(dbIn);
      const grantsIn = { kind: KINDS.grants, admin, object: { type: "database", name: "tenant_acme" }, allowed: [{ grantee: "tenant_acme", privileges: ["CONNECT", "TEMPORARY"] }] };
      const grants = await grantsProvider.create!(grantsIn);
      assert.deepEqual((await roleProvider.read!(role.id, role.outs as any)).props.drift, []);
      assert.deepEqual((await databaseProvider.read!(db.id, db.outs as any)).props.drift, []);
      assert.deepEqual((await grantsProvider.read!(grants.id, grants.outs as any)).props.drift, []);
      assert.deepEqual(await withClient(tlsUri("tenant_acme", "tenant-pw-0123456789", "tenant_acme"), async (c) => (await c.query("SELECT current_database() AS d")).rows), [{ d: "tenant_acme" }]);
      await assert.rejects(withClient(tlsUri("tenant_acme", "tenant-pw-0123456789", "app"), (c) => c.query("SELECT 1")), /permission denied for database "app"/);
      await grantsProvider.delete!(grants.id, grants.outs as any);
      await databaseProvider.delete!(db.id, db.outs as any);
      await roleProvider.delete!(role.id, role.outs as any);
      assert.deepEqual(await query(pg.adminUri, "SELECT (SELECT count(*)::int FROM pg_roles WHERE rolname = 'tenant_acme') AS roles, (SELECT count(*)::int FROM pg_database WHERE datname = 'tenant_acme') AS dbs"), [{ roles: 0, dbs: 0 }]);
    });
  });
}
