/**
 * Deletion policies of Database and Role on a real PostgreSQL 15 (and a PostgreSQL 17 server that
 * the machine's pg_dump 15 cannot dump): `lock` keeps the data and ends the sessions, `drop`
 * removes, `archive` leaves a verified dump that restores with equal row counts and checksums; a
 * failed archive drops nothing and says why. A role is never dropped while it owns data.
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres, tempRoot } from "../../harness/postgres";
import { FAST, adminOf, asAdmin, checksum, databaseInputs, databaseProvider, errorOf, openSession, restoreInto, roleInputs, roleProvider, uriAs } from "./support";

describe("SQL providers: what deleting a Database or a Role does", () => {
  let pg: TestPostgres;
  let dir: string;
  const pw = randomPassword();
  const secrets = [pw];

  /** A tenant role and database `name` with a table `t` of 500 rows; returns the database's outputs. */
  async function tenant(name: string, onDelete: any, server: TestPostgres = pg): Promise<any> {
    await roleProvider.create!(roleInputs(adminOf(server), name, pw));
    const { outs } = await databaseProvider.create!(databaseInputs(adminOf(server), name, name, { onDelete }));
    await query(uriAs(server, name, pw, name), "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g");
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

  it("lock: the open session is ended, the owner can no longer connect, the data is kept", async () => {
    const outs = await tenant("lk", { policy: "lock", backupBeforeDelete: false });
    const session = await openSession(uriAs(pg, "lk", pw, "lk"));
    await databaseProvider.delete!("id", outs);
    assert.strictEqual(await session.ended, "terminating connection due to administrator command");
    assert.strictEqual(await errorOf(() => query(uriAs(pg, "lk", pw, "lk"), "SELECT 1"), secrets), 'permission denied for database "lk"');
    assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM t", [], "lk"), [{ n: 500 }]);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datacl::text[] AS acl FROM pg_database WHERE datname = 'lk'"), [{ acl: ["lk=C/lk"] }]);
    await databaseProvider.delete!("id", outs); // idempotent
  });

  it("drop: the database is gone, a second delete is a no-op, and then the role drops (it owns nothing)", async () => {
    const outs = await tenant("dr", { policy: "drop", backupBeforeDelete: false });
    await databaseProvider.delete!("id", outs);
    await databaseProvider.delete!("id", outs);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datname FROM pg_database WHERE datname = 'dr'"), []);
    await roleProvider.delete!("id", { ...roleInputs(adminOf(pg), "dr", pw), drift: [] });
    assert.deepStrictEqual(await asAdmin(pg, "SELECT rolname FROM pg_roles WHERE rolname = 'dr'"), []);
  });

  it("archive: a verified dump (0600, in a new 0700 directory) that restores with equal row counts and checksums; then dropped", async () => {
    const location = path.join(dir, "new", "archives");
    const outs = await tenant("ar", { policy: "archive", backupBeforeDelete: false, archiveLocation: location });
    await query(uriAs(pg, "ar", pw, "ar"), "CREATE TABLE u (id bigint PRIMARY KEY, doc jsonb); INSERT INTO u SELECT g, jsonb_build_object('n', g, 'q', $$it's$$) FROM generate_series(1, 300) g");
    const before = { t: await checksum(pg, "ar", "t"), u: await checksum(pg, "ar", "u") };
    await databaseProvider.delete!("id", outs);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datname FROM pg_database WHERE datname = 'ar' OR datname LIKE 'pgplatform_verify_%'"), [], "dropped, and no scratch database left");
    const files = fs.readdirSync(location);
    assert.strictEqual(files.length, 1);
    assert.match(files[0], /^ar-\d{8}T\d{6}\.\d{3}Z\.dump$/);
    assert.strictEqual(fs.statSync(path.join(location, files[0])).mode & 0o777, 0o600);
    assert.strictEqual(fs.statSync(location).mode & 0o777, 0o700);
    await restoreInto(pg, path.join(location, files[0]), "ar_restored");
    assert.deepStrictEqual({ t: await checksum(pg, "ar_restored", "t"), u: await checksum(pg, "ar_restored", "u") }, before);
    assert.strictEqual(before.t.n, 500);
  });

  it("archive to an unusable location: nothing is dropped, no dump is left, the owner gets its access back, the error says why", async () => {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "");
    const location = path.join(file, "archives");
    const outs = await tenant("keep", { policy: "drop", backupBeforeDelete: true, archiveLocation: location });
    const message = await errorOf(() => databaseProvider.delete!("id", outs), secrets);
    assert.strictEqual(message, `database \`keep\` was not dropped (policy \`drop\`): archive of database \`keep\` failed, nothing was dropped: ENOTDIR: not a directory, mkdir '${location}'`);
    assert.deepStrictEqual(await query(uriAs(pg, "keep", pw, "keep"), "SELECT count(*)::int AS n FROM t"), [{ n: 500 }]);
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datacl::text[] AS acl FROM pg_database WHERE datname = 'keep'"), [{ acl: ["keep=CTc/keep"] }]);
  });

  it("archive whose dump does not restore (a CHECK reading another table): nothing is dropped, the dump is removed", async () => {
    const location = path.join(dir, "unrestorable");
    const outs = await tenant("vf", { policy: "archive", backupBeforeDelete: false, archiveLocation: location });
    await query(
      uriAs(pg, "vf", pw, "vf"),
      `CREATE TABLE b_ref (id int PRIMARY KEY); INSERT INTO b_ref VALUES (1);
       CREATE FUNCTION known(i int) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT 1 FROM public.b_ref WHERE id = i)';
       CREATE TABLE a_checked (id int PRIMARY KEY CHECK (known(id))); INSERT INTO a_checked VALUES (1)`,
    );
    const message = await errorOf(() => databaseProvider.delete!("id", outs), secrets);
    assert.match(message, /^database `vf` was not dropped \(policy `archive`\): archive of database `vf` failed, nothing was dropped: pg_restore failed \(exit 1\): pg_restore: error: .*a_checked/s);
    assert.deepStrictEqual(fs.readdirSync(location), [], "the unverified dump is removed");
    assert.deepStrictEqual(await query(uriAs(pg, "vf", pw, "vf"), "SELECT count(*)::int AS n FROM t"), [{ n: 500 }], "kept, and open to its owner again");
    assert.deepStrictEqual(await asAdmin(pg, "SELECT datname FROM pg_database WHERE datname LIKE 'pgplatform_verify_%'"), []);
  });

  it("archive of a server newer than this machine's pg_dump: nothing is dropped and the error names what to install", async () => {
    const pg17 = await startTestPostgres({ version: "17", ...FAST });
    try {
      const outs = await tenant("newer", { policy: "archive", backupBeforeDelete: false, archiveLocation: path.join(dir, "17") }, pg17);
      const message = await errorOf(() => databaseProvider.delete!("id", outs), [...secrets, pg17.password]);
      const [{ v }] = await asAdmin(pg17, "SELECT current_setting('server_version') AS v");
      assert.strictEqual(
        message,
        `database \`newer\` was not dropped (policy \`archive\`): archive of database \`newer\` failed, nothing was dropped: pg_dump for PostgreSQL 17 or newer is needed ` +
          `(the server runs PostgreSQL ${v}, and pg_dump refuses a server of a newer major); this machine has only pg_dump 15 (/usr/lib/postgresql/15/bin). ` +
          "Install the PostgreSQL 17 client tools (`apt-get install postgresql-client-17`, from apt.postgresql.org where Debian lacks that major), " +
          "or point PGPLATFORM_PG17_BIN at a directory holding pg_dump and pg_restore",
      );
      assert.deepStrictEqual(await query(uriAs(pg17, "newer", pw, "newer"), "SELECT count(*)::int AS n FROM t"), [{ n: 500 }]);
      assert.strictEqual(fs.existsSync(path.join(dir, "17")), false, "nothing was written");
    } finally {
      await closePools();
      await pg17.stop();
    }
  });

  it("Role drop is refused while the role owns a database (nothing changed); Role lock ends its sessions and keeps it NOLOGIN", async () => {
    await tenant("owner_x", { policy: "lock", backupBeforeDelete: false });
    const role = { ...roleInputs(adminOf(pg), "owner_x", pw), drift: [] };
    const refused = await errorOf(() => roleProvider.delete!("id", role), secrets);
    assert.strictEqual(
      refused,
      "role `owner_x` was not dropped: it still owns database `owner_x`, 1 object in database `owner_x`, and `onDelete` `drop` never drops or reassigns data; " +
        "drop those first (a Database or Schema with policy `drop` or `archive`), or use `onDelete` `lock`",
    );
    const session = await openSession(uriAs(pg, "owner_x", pw, "owner_x"));
    await roleProvider.delete!("id", { ...role, onDelete: "lock" });
    assert.strictEqual(await session.ended, "terminating connection due to administrator command");
    assert.strictEqual(await errorOf(() => query(uriAs(pg, "owner_x", pw, "owner_x"), "SELECT 1"), secrets), 'role "owner_x" is not permitted to log in');
    assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM t", [], "owner_x"), [{ n: 500 }]);
  });
});
