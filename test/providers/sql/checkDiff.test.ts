/**
 * The SQL providers' check and diff, which decide before any SQL runs: the defaults check fills in,
 * unknown preview values that are skipped, deletion policies that are refused (exact reasons), and
 * what replaces a resource (another server, another shared database, another object) versus what
 * changes it in place (a rename, a password, the admin's login, drift that read found). No server.
 */
import assert from "assert";
import { UNKNOWN } from "../../harness/providerHost";
import { databaseInputs, databaseProvider, grantsInputs, grantsProvider, roleInputs, roleProvider, schemaInputs, schemaProvider } from "./support";

const admin = { host: "127.0.0.1", port: 5432, user: "postgres", password: "secret-admin-pw" };
const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: false };
const IN_PLACE = { changes: true, replaces: [], deleteBeforeReplace: false };

describe("SQL providers: check and diff", () => {
  it("check fills in the defaults: login, no connection limit, no groups, lock on delete", async () => {
    const { inputs, failures } = await roleProvider.check!({}, { kind: "pgplatform:sql:role", admin, name: "t1" });
    assert.deepStrictEqual({ inputs, failures }, {
      inputs: { kind: "pgplatform:sql:role", admin, name: "t1", login: true, connectionLimit: -1, memberOf: [], onDelete: "lock" },
      failures: [],
    });
    const db = await databaseProvider.check!({}, { kind: "pgplatform:sql:database", admin, name: "t1", owner: "t1" });
    assert.deepStrictEqual(db.inputs.onDelete, { policy: "lock", backupBeforeDelete: false });
    assert.strictEqual(db.inputs.connectionLimit, -1);
  });

  it("check skips values unknown during preview", async () => {
    const r = roleInputs({ ...admin, password: UNKNOWN }, UNKNOWN, UNKNOWN, { memberOf: [UNKNOWN], connectionLimit: UNKNOWN as any });
    assert.deepStrictEqual((await roleProvider.check!({}, r)).failures, []);
    assert.deepStrictEqual((await schemaProvider.check!({}, schemaInputs(UNKNOWN as any, "s", UNKNOWN, { onDelete: UNKNOWN as any }))).failures, []);
    assert.deepStrictEqual((await grantsProvider.check!({}, grantsInputs(admin, UNKNOWN as any, UNKNOWN as any))).failures, []);
  });

  it("check refuses deletion policies that cannot be honoured, and a wrong kind", async () => {
    const cases: [any, string[]][] = [
      [{ policy: "archive", backupBeforeDelete: false }, ["`onDelete.archiveLocation` is required when `onDelete.policy` is `archive` (an absolute directory for the dump)"]],
      [{ policy: "drop", backupBeforeDelete: true }, ["`onDelete.archiveLocation` is required when `onDelete.backupBeforeDelete` is true (an absolute directory for the dump)"]],
      [{ policy: "archive", backupBeforeDelete: false, archiveLocation: "dumps" }, ['`onDelete.archiveLocation` must be an absolute path; got "dumps"']],
      [{ policy: "purge", backupBeforeDelete: "yes" }, ['`onDelete.policy` must be one of `lock`, `drop`, `archive`; got "purge"', '`onDelete.backupBeforeDelete` must be a boolean; got "yes"']],
    ];
    for (const [onDelete, reasons] of cases) {
      const { failures } = await databaseProvider.check!({}, databaseInputs(admin, "d", "o", { onDelete }));
      assert.deepStrictEqual(failures, reasons.map((reason) => ({ property: "onDelete", reason })), JSON.stringify(onDelete));
    }
    assert.deepStrictEqual((await roleProvider.check!({}, roleInputs(admin, "r", "pw", { onDelete: "archive" as any, kind: "x" }))).failures, [
      { property: "kind", reason: '`kind` must be `pgplatform:sql:role`; got "x"' },
      { property: "onDelete", reason: '`onDelete` must be `drop` or `lock`; got "archive"' },
    ]);
    assert.deepStrictEqual((await schemaProvider.check!({}, schemaInputs(admin, "s", "o"))).failures, [
      { property: "admin", reason: "`admin.database` must name the shared database the schema lives in; got nothing" },
    ]);
    assert.deepStrictEqual((await roleProvider.check!({}, roleInputs(admin, "postgres_admin", "pw", { memberOf: ["postgres_admin"] }))).failures, [
      { property: "memberOf[0]", reason: '`memberOf[0]` must not be the role itself; got "postgres_admin"' },
    ]);
  });

  it("Role diff: nothing, a rename or a new password (in place), another server (replace), drift", async () => {
    const olds = { ...roleInputs(admin, "r", "pw", { memberOf: ["b", "a"] }), drift: [] };
    const diff = (news: object, from: object = olds) => roleProvider.diff!("id", from, { ...olds, ...news });
    assert.deepStrictEqual(await diff({ memberOf: ["a", "b"] }), NO_CHANGE, "memberships are a set");
    assert.deepStrictEqual(await diff({ name: "r2" }), IN_PLACE);
    assert.deepStrictEqual(await diff({ password: "pw2" }), IN_PLACE);
    assert.deepStrictEqual(await diff({ admin: { ...admin, password: "rotated" } }), IN_PLACE, "the admin's new password is kept for delete");
    assert.deepStrictEqual(await diff({ admin: { ...admin, port: 6543 } }), { changes: true, replaces: ["admin"], deleteBeforeReplace: false });
    assert.deepStrictEqual(await diff({ name: UNKNOWN }), IN_PLACE);
    assert.deepStrictEqual(await diff({}, { ...olds, drift: ["login"] }), IN_PLACE);
  });

  it("Database, Schema and Grants diff: what replaces, what changes in place", async () => {
    const db = { ...databaseInputs(admin, "d", "o"), sizeBytes: 1, drift: [] };
    assert.deepStrictEqual(await databaseProvider.diff!("id", db, databaseInputs(admin, "d", "o")), NO_CHANGE);
    assert.deepStrictEqual(await databaseProvider.diff!("id", db, databaseInputs(admin, "d2", "o2", { connectionLimit: 3 })), IN_PLACE);
    assert.deepStrictEqual(await databaseProvider.diff!("id", db, databaseInputs(admin, "d", "o", { onDelete: { policy: "lock", backupBeforeDelete: false } })), IN_PLACE);

    const shared = { ...admin, database: "app" };
    const sc = { ...schemaInputs(shared, "s", "o"), database: "app", searchPath: "s", drift: [] };
    assert.deepStrictEqual(await schemaProvider.diff!("id", sc, schemaInputs(shared, "s", "o")), NO_CHANGE);
    assert.deepStrictEqual(await schemaProvider.diff!("id", sc, schemaInputs({ ...shared, database: "other" }, "s", "o")), { changes: true, replaces: ["admin"], deleteBeforeReplace: false });
    assert.deepStrictEqual(await schemaProvider.diff!("id", { ...sc, drift: ["search_path"] }, schemaInputs(shared, "s", "o")), IN_PLACE);

    const allowed = [{ grantee: "b", privileges: ["USAGE"] }, { grantee: "a", privileges: ["CREATE", "USAGE"] }];
    const g = { ...grantsInputs(admin, { type: "schema", name: "s", database: "app" }, allowed), acl: [], drift: [] };
    assert.deepStrictEqual(await grantsProvider.diff!("id", g, grantsInputs(admin, g.object, [...allowed].reverse())), NO_CHANGE);
    assert.deepStrictEqual(await grantsProvider.diff!("id", g, grantsInputs(admin, g.object, [])), IN_PLACE);
    assert.deepStrictEqual(await grantsProvider.diff!("id", g, grantsInputs(admin, { ...g.object, name: "t" }, allowed)), { changes: true, replaces: ["object"], deleteBeforeReplace: false });
  });
});
