/**
 * Deletion policies of a tenant Schema in the shared `app` database of a real PostgreSQL 15:
 * `lock` ends the owner's sessions there and keeps the data; `drop` removes the schema and the
 * owner's settings, after which its Role drops; `archive` leaves a verified dump of that schema that
 * restores with equal row counts and checksums; a failed archive drops nothing and says why.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres, tempRoot } from "../../harness/postgres";
import { FAST, adminOf, asAdmin, catalog, checksum, errorOf, openSession, restoreInto, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs } from "./support";

describe("SQL providers: what deleting a Schema does", () => {
  let pg: TestPostgres;
  let dir: string;
  const pw = randomPassword();
  const secrets = [pw];

  /** A tenant role and schema `name` in `app` with a table `t` of 400 rows; returns the schema's outputs. */
  async function tenant(name: string, onDelete: any): Promise<any> {
    await roleProvider.create!(roleInputs(adminOf(pg), name, pw));
    const { outs } = await schemaProvider.create!(schemaInputs(adminOf(pg, "app"), name, name, { onDelete }));
    await query(uriAs(pg, name, pw, "app"), "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, repeat('x', g % 7) FROM generate_series(1, 400) g");
    return outs;
  }

  before(async () => {
    pg = await startTestPostgres(FAST);
    dir = tempRoot("pgplatform-archives-");
    secrets.push(pg.password);
  });

  after(async () => {
    await closePools();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lock: the owner's open session in `app` is ended, it can no longer connect there, the data is kept", async () => {
    const outs = await tenant("s_lock", { policy: "lock", backupBeforeDelete: false });
    const session = await openSession(uriAs(pg, "s_lock", pw, "app"));
    await schemaProvider.delete!("id", outs);
    assert.strictEqual(await session.ended, "terminating connection due to administrator command");
    assert.strictEqual(await errorOf(() => query(uriAs(pg, "s_lock", pw, "app"), "SELECT 1"), secrets), 'permission denied for database "app"');
    assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM s_lock.t", [], "app"), [{ n: 400 }]);
  });

  it("archive: a verified dump of the schema alone restores with equal checksums; the schema and the owner's settings go; then its Role drops", async () => {
    const location = path.join(dir, "schemas");
    const before = await catalog(pg);
    const outs = await tenant("s_arch", { policy: "archive", backupBeforeDelete: false, archiveLocation: location });
    await query(uriAs(pg, "s_arch", pw, "app"), "CREATE TABLE u (id int PRIMARY KEY, at timestamptz); INSERT INTO u SELECT g, '2024-01-01'::timestamptz + g * interval '1 hour' FROM generate_series(1, 250) g; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    const sums = { t: await checksum(pg, "app", "s_arch.t"), u: await checksum(pg, "app", "s_arch.u") };
    await schemaProvider.delete!("id", outs);

    assert.deepStrictEqual(await asAdmin(pg, "SELECT nspname FROM pg_namespace WHERE nspname = 's_arch'", [], "app"), []);
    const leftovers = await asAdmin(
      pg,
      `SELECT (SELECT count(*)::int FROM pg_db_role_setting WHERE setrole = 's_arch'::regrole) AS settings,
              (SELECT count(*)::int FROM pg_default_acl WHERE defaclrole = 's_arch'::regrole) AS defaults,
              has_database_privilege('s_arch', 'app', 'CONNECT') AS connect`,
      [],
      "app",
    );
    assert.deepStrictEqual(leftovers, [{ settings: 0, defaults: 0, connect: false }]);
    const files = fs.readdirSync(location);
    assert.match(files.join(","), /^s_arch-\d{8}T\d{6}\.\d{3}Z\.dump$/);
    await restoreInto(pg, path.join(location, files[0]), "s_arch_restored");
    assert.deepStrictEqual({ t: await checksum(pg, "s_arch_restored", "s_arch.t"), u: await checksum(pg, "s_arch_restored", "s_arch.u") }, sums);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT nspname FROM pg_namespace WHERE nspname IN ('s_arch', 's_lock') ORDER BY 1", [], "s_arch_restored"), [{ nspname: "s_arch" }], "only that schema was dumped");

    await roleProvider.delete!("id", { ...roleInputs(adminOf(pg), "s_arch", pw), drift: [] });
    const after = await catalog(pg);
    assert.deepStrictEqual(after, { ...before, databases: [...before.databases, "s_arch_restored"].sort() }, "no stray role, database or schema");
  });

  it("archive to an unusable location: nothing is dropped, the owner can connect again, the error says why", async () => {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "");
    const outs = await tenant("s_keep", { policy: "drop", backupBeforeDelete: true, archiveLocation: path.join(file, "x") });
    const message = await errorOf(() => schemaProvider.delete!("id", outs), secrets);
    assert.strictEqual(
      message,
      `schema \`s_keep\` was not dropped (policy \`drop\`): archive of schema \`s_keep\` of database \`app\` failed, nothing was dropped: ENOTDIR: not a directory, mkdir '${path.join(file, "x")}'`,
    );
    assert.deepStrictEqual(await query(uriAs(pg, "s_keep", pw, "app"), "SELECT count(*)::int AS n FROM t"), [{ n: 400 }]);
  });

  it("drop: the schema and its objects are gone, a second delete is a no-op", async () => {
    const outs = await tenant("s_drop", { policy: "drop", backupBeforeDelete: false });
    await schemaProvider.delete!("id", outs);
    await schemaProvider.delete!("id", outs);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = 's_drop')", [], "app"), [{ n: 0 }]);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT nspname FROM pg_namespace WHERE nspname = 's_drop'", [], "app"), []);
  });
});
