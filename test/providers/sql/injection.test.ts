/**
 * Names that could break out of SQL text (quotes, `;`, backslashes), or that PostgreSQL would
 * mangle (upper case, unicode, spaces, over 63 bytes, `pg_`) are refused by every provider's check
 * with a failure naming the property (exact reasons), and by create if it is called directly; the
 * catalog then holds exactly what it held. Passwords are values: any character works, as a verifier.
 */
import assert from "assert";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, startTestPostgres } from "../../harness/postgres";
import {
  FAST, adminOf, catalog, databaseInputs, databaseProvider, errorOf, grantsInputs, grantsProvider, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs,
} from "./support";

const IDENT = "must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`";
const BYTES = "must be at most 63 bytes";
const PG = "must not start with `pg_` (PostgreSQL reserves it)";

/** Hostile names and the rules each breaks (with the byte count note when too long). */
const BAD: [string, string[]][] = [
  ['a"b', [IDENT]],
  ["a'b", [IDENT]],
  ["a;b", [IDENT]],
  ["a\\b", [IDENT]],
  ["robert'); DROP ROLE app; --", [IDENT]],
  ["tenant_é", [IDENT]],
  ["a b", [IDENT]],
  ["Tenant", [IDENT]],
  ["x".repeat(64), [`${BYTES}|64 bytes`]],
  ["é".repeat(32), [`${BYTES}|64 bytes`, IDENT]],
  ["pg_tenant", [PG]],
];

function expected(property: string, value: string, rules: string[]): { property: string; reason: string }[] {
  return rules.map((r) => {
    const [rule, note] = r.split("|");
    return { property, reason: `\`${property}\` ${rule}; got ${JSON.stringify(value)}${note ? ` (${note})` : ""}` };
  });
}

describe("SQL providers: hostile names are refused, hostile passwords are fine", () => {
  let pg: TestPostgres;
  let initial: Awaited<ReturnType<typeof catalog>>;

  before(async () => {
    pg = await startTestPostgres(FAST);
    initial = await catalog(pg);
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  /** Every identifier property of every provider, with the inputs that put `v` there. */
  const places = (admin: ReturnType<typeof adminOf>): [string, string, any, (v: string) => any][] => [
    ["role", "name", roleProvider, (v) => roleInputs(admin, v, "pw")],
    ["role", "memberOf[0]", roleProvider, (v) => roleInputs(admin, "ok_role", "pw", { memberOf: [v] })],
    ["database", "name", databaseProvider, (v) => databaseInputs(admin, v, "ok_owner")],
    ["database", "owner", databaseProvider, (v) => databaseInputs(admin, "ok_db", v)],
    ["schema", "name", schemaProvider, (v) => schemaInputs({ ...admin, database: "app" }, v, "ok_owner")],
    ["schema", "owner", schemaProvider, (v) => schemaInputs({ ...admin, database: "app" }, "ok_schema", v)],
    ["grants", "object.name", grantsProvider, (v) => grantsInputs(admin, { type: "schema", name: v, database: "app" }, [])],
    ["grants", "allowed[0].grantee", grantsProvider, (v) => grantsInputs(admin, { type: "database", name: "app" }, [{ grantee: v, privileges: ["CONNECT"] }])],
  ];

  it("check refuses every hostile name in every identifier property, naming the property and the broken rules", async () => {
    for (const [what, property, provider, inputs] of places(adminOf(pg))) {
      for (const [value, rules] of BAD) {
        const { failures } = await provider.check({}, inputs(value));
        assert.deepStrictEqual(failures, expected(property, value, rules), `${what} ${property} = ${JSON.stringify(value)}`);
      }
    }
  });

  it("check refuses reserved names, per kind of object", async () => {
    const admin = adminOf(pg);
    const reserved = (p: string, v: string, list: string) => [{ property: p, reason: `\`${p}\` must not be one of the reserved names ${list}; got ${JSON.stringify(v)}` }];
    const roles = "`postgres`, `public`, `none`, `current_user`, `current_role`, `session_user`, `system_user`";
    assert.deepStrictEqual((await roleProvider.check!({}, roleInputs(admin, "public", "pw"))).failures, reserved("name", "public", roles));
    assert.deepStrictEqual((await databaseProvider.check!({}, databaseInputs(admin, "template1", "ok"))).failures, reserved("name", "template1", "`postgres`, `template0`, `template1`"));
    assert.deepStrictEqual((await schemaProvider.check!({}, schemaInputs({ ...admin, database: "app" }, "public", "ok"))).failures, reserved("name", "public", "`public`, `information_schema`"));
    const pub = grantsInputs(admin, { type: "schema", name: "public", database: "app" }, [{ grantee: "public", privileges: ["USAGE"] }, { grantee: "PUBLIC", privileges: ["USAGE"] }]);
    assert.deepStrictEqual((await grantsProvider.check!({}, pub)).failures, reserved("allowed[0].grantee", "public", roles), "`PUBLIC` is the pseudo-role; schema `public` may be pinned");
  });

  it("check refuses privileges the object type does not have, and never echoes the admin password", async () => {
    const admin = { ...adminOf(pg), port: 0 };
    const g = grantsInputs(admin, { type: "schema", name: "s", database: "app" }, [{ grantee: "a", privileges: ["usage", "SELECT", "CONNECT"] }]);
    assert.deepStrictEqual((await grantsProvider.check!({}, g)).failures, [
      { property: "admin", reason: "`admin.port` must be a TCP port (1-65535); got 0" },
      { property: "allowed[0].privileges[1]", reason: '`allowed[0].privileges[1]` must be one of `USAGE`, `CREATE` for a schema; got "SELECT"' },
      { property: "allowed[0].privileges[2]", reason: '`allowed[0].privileges[2]` must be one of `USAGE`, `CREATE` for a schema; got "CONNECT"' },
    ]);
    const failures = (await roleProvider.check!({}, roleInputs({ ...admin, password: 42 as any, user: "" }, "ok", "pw"))).failures ?? [];
    assert.deepStrictEqual(failures.map((f: any) => f.reason), ["`admin.port` must be a TCP port (1-65535); got 0", '`admin.user` must be a role name; got ""', "`admin.password` must be a string"]);
    assert.ok(!JSON.stringify(failures).includes(pg.password));
  });

  it("create called directly (not through check) refuses them too, before any SQL runs", async () => {
    for (const [what, property, provider, inputs] of places(adminOf(pg))) {
      const value = 'x"; DROP DATABASE app; --';
      const message = await errorOf(() => provider.create(inputs(value)), [pg.password]);
      assert.ok(message.includes(`\`${property}\` ${IDENT}; got ${JSON.stringify(value)}`), `${what} ${property}: ${message}`);
    }
    assert.deepStrictEqual(await catalog(pg), initial, "no stray role, database or schema");
  });

  it("a password full of quotes, semicolons, backslashes and unicode is only a value: the role logs in with it", async () => {
    const admin = adminOf(pg);
    const pw1 = `it's "quoted"; \\'; DROP ROLE app; -- ü ${"$$"}`;
    const pw2 = `'); ALTER ROLE pw_role SUPERUSER; --\\\\ 密码`;
    const { id, outs } = await roleProvider.create!(roleInputs(admin, "pw_role", pw1));
    await databaseProvider.create!(databaseInputs(admin, "pw_role", "pw_role"));
    assert.deepStrictEqual(await query(uriAs(pg, "pw_role", pw1, "pw_role"), "SELECT current_user AS u"), [{ u: "pw_role" }]);
    const updated = await roleProvider.update!(id, outs, roleInputs(admin, "pw_role", pw2));
    assert.deepStrictEqual(await query(uriAs(pg, "pw_role", pw2, "pw_role"), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), [{ rolsuper: false }]);
    assert.deepStrictEqual((await roleProvider.read!(id, updated.outs)).props!.drift, []);
    const [stored] = await query(uriAs(pg, pg.superuser, pg.password, "postgres"), "SELECT rolpassword FROM pg_authid WHERE rolname = 'pw_role'");
    assert.match(stored.rolpassword, /^SCRAM-SHA-256\$4096:/, "stored as a verifier");
    assert.deepStrictEqual(await catalog(pg), { ...initial, roles: [...initial.roles, "pw_role"].sort(), databases: [...initial.databases, "pw_role"].sort() }, "exactly one role and one database added");
  });
});
