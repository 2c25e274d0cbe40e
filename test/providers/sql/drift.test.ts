/**
 * Idempotency and drift on a real PostgreSQL 15: a second create of the same objects converges; an
 * object dropped by hand reads as gone (id "") and the next create repairs it; changes made by hand
 * (a grant, a lost LOGIN, a superuser bit, a password) are reported by read in words, make diff
 * show a change, and are undone by update. Renames happen in place.
 */
import assert from "assert";
import { TENANT_GROUP } from "../../../components/backends/local/config";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres } from "../../harness/postgres";
import {
  FAST, adminOf, asAdmin, catalog, databaseInputs, databaseProvider, errorOf, grantsInputs, grantsProvider, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs,
} from "./support";

describe("SQL providers: idempotent creates, drift reported by read and repaired by update", () => {
  let pg: TestPostgres;
  const pw = randomPassword();

  before(async () => {
    pg = await startTestPostgres(FAST);
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  it("a second create of the same role, database, schema and grants converges without error, on the same ids", async () => {
    const admin = adminOf(pg);
    const before = await catalog(pg);
    assert.ok(before.roles.includes(TENANT_GROUP), "the local server made the tenant group");
    const steps = [
      () => roleProvider.create!(roleInputs(admin, "twice", pw)),
      () => databaseProvider.create!(databaseInputs(admin, "twice", "twice")),
      () => schemaProvider.create!(schemaInputs(adminOf(pg, "app"), "twice", "twice")),
      () => grantsProvider.create!(grantsInputs(admin, { type: "database", name: "twice" }, [{ grantee: "twice", privileges: ["CONNECT"] }])),
    ];
    const first = [];
    for (const s of steps) first.push((await s()).id);
    const second = [];
    for (const s of steps) second.push((await s()).id);
    assert.deepStrictEqual(second, first);
    assert.deepStrictEqual(first, [
      `127.0.0.1:${pg.port}/role/twice`,
      `127.0.0.1:${pg.port}/database/twice`,
      `127.0.0.1:${pg.port}/app/schema/twice`,
      `127.0.0.1:${pg.port}/grants/database/twice`,
    ]);
    const after = await catalog(pg);
    assert.deepStrictEqual(after, {
      roles: [...before.roles, "twice"].sort(),
      databases: [...before.databases, "twice"].sort(),
      schemas: [...before.schemas, "twice"].sort(),
    });
    assert.deepStrictEqual(await query(uriAs(pg, "twice", pw, "twice"), "SELECT current_user AS u"), [{ u: "twice" }]);
  });

  it("a role dropped by hand reads as gone (id \"\"); the next create repairs it", async () => {
    const inputs = roleInputs(adminOf(pg), "dropped", pw);
    const { id, outs } = await roleProvider.create!(inputs);
    await asAdmin(pg, "DROP ROLE dropped");
    assert.deepStrictEqual(await roleProvider.read!(id, outs), { id: "", props: {} });
    await roleProvider.create!(inputs);
    assert.deepStrictEqual(await query(uriAs(pg, "dropped", pw, "app"), "SELECT 1 AS ok").catch((e) => e.message), 'permission denied for database "app"', "it logs in again (and is refused only by the database's ACL)");
    assert.deepStrictEqual((await roleProvider.read!(id, outs)).props!.drift, []);
  });

  it("a role changed by hand: read reports each change, diff shows it, update undoes it", async () => {
    const inputs = roleInputs(adminOf(pg), "tampered", pw, { connectionLimit: 5 });
    const { id, outs } = await roleProvider.create!(inputs);
    await asAdmin(pg, `ALTER ROLE tampered NOLOGIN SUPERUSER CONNECTION LIMIT 50 PASSWORD 'changed-by-hand'; REVOKE ${TENANT_GROUP} FROM tampered;
                      CREATE ROLE other NOLOGIN; GRANT other TO tampered; CREATE ROLE thief LOGIN; GRANT tampered TO thief`);
    const read = await roleProvider.read!(id, outs);
    assert.deepStrictEqual(read.props!.drift, ["login", "connection limit", "superuser", "password", `member of ${TENANT_GROUP}`, "undeclared member of other", "granted to thief"]);
    assert.deepStrictEqual({ login: read.props!.login, connectionLimit: read.props!.connectionLimit, memberOf: read.props!.memberOf }, { login: false, connectionLimit: 50, memberOf: ["other"] });
    assert.deepStrictEqual(await roleProvider.diff!(id, read.props, inputs), { changes: true, replaces: [], deleteBeforeReplace: false });

    const updated = await roleProvider.update!(id, read.props, inputs);
    assert.deepStrictEqual(updated.outs.drift, []);
    assert.deepStrictEqual((await roleProvider.read!(id, updated.outs)).props!.drift, []);
    const [r] = await asAdmin(pg, "SELECT rolcanlogin, rolsuper, rolconnlimit FROM pg_roles WHERE rolname = 'tampered'");
    assert.deepStrictEqual(r, { rolcanlogin: true, rolsuper: false, rolconnlimit: 5 });
    assert.deepStrictEqual(await asAdmin(pg, "SELECT pg_has_role('thief', 'tampered', 'MEMBER') AS m"), [{ m: false }]);
    assert.strictEqual(await errorOf(() => query(uriAs(pg, "tampered", "changed-by-hand", "tampered"), "SELECT 1")), 'password authentication failed for user "tampered"');
  });

  it("a rename happens in place: same role (oid), its password still works, memberships kept", async () => {
    const inputs = roleInputs(adminOf(pg), "old_name", pw);
    const { id, outs } = await roleProvider.create!(inputs);
    const [{ oid }] = await asAdmin(pg, "SELECT oid::int FROM pg_roles WHERE rolname = 'old_name'");
    const news = { ...inputs, name: "new_name" };
    assert.deepStrictEqual(await roleProvider.diff!(id, outs, news), { changes: true, replaces: [], deleteBeforeReplace: false });
    await roleProvider.update!(id, outs, news);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT rolname, oid::int FROM pg_roles WHERE rolname IN ('old_name', 'new_name')"), [{ rolname: "new_name", oid }]);
    await databaseProvider.create!(databaseInputs(adminOf(pg), "new_name", "new_name"));
    assert.deepStrictEqual(await query(uriAs(pg, "new_name", pw, "new_name"), "SELECT pg_has_role($1, 'MEMBER') AS m", [TENANT_GROUP]), [{ m: true }]);
  });

  it("a grant added by hand is reported by Grants.read (and Schema.read), and removed by update, however it was granted", async () => {
    const admin = adminOf(pg);
    for (const n of ["sa", "sb", "sc"]) await roleProvider.create!(roleInputs(admin, n, pw));
    await schemaProvider.create!(schemaInputs(adminOf(pg, "app"), "sa", "sa"));
    const inputs = grantsInputs(admin, { type: "schema", name: "sa", database: "app" }, [{ grantee: "sa", privileges: ["USAGE", "CREATE"] }]);
    const { id, outs } = await grantsProvider.create!(inputs);
    assert.deepStrictEqual({ acl: outs.acl, drift: outs.drift }, { acl: [], drift: [] }, "the owner's own rights are not listed");

    // By the owner, with grant option, and passed on by the grantee: a chain a superuser's REVOKE alone does not reach.
    await asAdmin(pg, "SET ROLE sa; GRANT USAGE ON SCHEMA sa TO sb WITH GRANT OPTION; SET ROLE sb; GRANT USAGE ON SCHEMA sa TO sc; RESET ROLE; GRANT CREATE ON SCHEMA sa TO PUBLIC", [], "app");
    const read = await grantsProvider.read!(id, outs);
    assert.deepStrictEqual(read.props!.drift, ["CREATE on schema sa granted to PUBLIC", "USAGE on schema sa granted to sb", "USAGE on schema sa granted to sc"]);
    assert.deepStrictEqual(read.props!.acl, [{ grantee: "PUBLIC", privileges: ["CREATE"] }, { grantee: "sb", privileges: ["USAGE"] }, { grantee: "sc", privileges: ["USAGE"] }]);
    const schemaRead = await schemaProvider.read!("s", { ...schemaInputs(adminOf(pg, "app"), "sa", "sa"), drift: [] } as any);
    assert.deepStrictEqual(schemaRead.props!.drift, read.props!.drift);
    assert.strictEqual((await grantsProvider.diff!(id, read.props, inputs)).changes, true);

    await grantsProvider.update!(id, read.props, inputs);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT nspacl::text[] AS acl FROM pg_namespace WHERE nspname = 'sa'", [], "app"), [{ acl: ["sa=UC/sa"] }]);
    assert.deepStrictEqual((await grantsProvider.read!(id, outs)).props!.drift, []);
  });

  it("PUBLIC given CONNECT on a tenant database by hand is drift for Database and Grants, undone by their update", async () => {
    const admin = adminOf(pg);
    await roleProvider.create!(roleInputs(admin, "da", pw));
    const db = await databaseProvider.create!(databaseInputs(admin, "da", "da", { connectionLimit: 3 }));
    const gInputs = grantsInputs(admin, { type: "database", name: "da" }, [{ grantee: "da", privileges: ["CONNECT", "TEMPORARY"] }]);
    const g = await grantsProvider.create!(gInputs);
    await asAdmin(pg, "GRANT CONNECT ON DATABASE da TO PUBLIC; ALTER DATABASE da CONNECTION LIMIT 7");
    const dbRead = await databaseProvider.read!(db.id, db.outs);
    assert.deepStrictEqual(dbRead.props!.drift, ["connection limit", "CONNECT on database da granted to PUBLIC"]);
    assert.ok(dbRead.props!.sizeBytes > 1_000_000, `size ${dbRead.props!.sizeBytes}`);
    assert.deepStrictEqual((await grantsProvider.read!(g.id, g.outs)).props!.drift, ["CONNECT on database da granted to PUBLIC"]);
    await databaseProvider.update!(db.id, dbRead.props, databaseInputs(admin, "da", "da", { connectionLimit: 3 }));
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datconnlimit, datacl::text[] AS acl FROM pg_database WHERE datname = 'da'"), [{ datconnlimit: 3, acl: ["da=CTc/da"] }]);
    assert.deepStrictEqual((await grantsProvider.read!(g.id, g.outs)).props!.drift, []);
  });
});
