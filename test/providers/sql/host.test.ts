/**
 * The four SQL providers as `pulumi up` runs them: serialized into the program (without zod) and
 * driven over gRPC through the SDK's own dynamic-provider host against a real PostgreSQL 15:
 * Check, Create, Read, Diff, Update, Delete each, asserting on what the server then holds; the
 * host never prints a password, nor does a failed call's error.
 */
import assert from "assert";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres } from "../../harness/postgres";
import { ProviderHost, makeUrn, serializeProvider } from "../../harness/providerHost";
import { FAST, adminOf, asAdmin, databaseInputs, databaseProvider, grantsInputs, grantsProvider, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs } from "./support";

const type = (t: string) => `pulumi-nodejs:dynamic/pgplatform:${t}`;

describe("SQL providers through the SDK's dynamic-provider host", () => {
  let pg: TestPostgres;
  let host: ProviderHost;
  const text: Record<string, string> = {};
  const pw = { first: `it's "first"; \\ ${randomPassword()}`, second: randomPassword() };
  let secrets: string[];

  before(async () => {
    pg = await startTestPostgres(FAST);
    secrets = [pw.first, pw.second, pg.password];
    const providers = { Role: roleProvider, Database: databaseProvider, Schema: schemaProvider, Grants: grantsProvider };
    for (const [k, p] of Object.entries(providers)) text[k] = await serializeProvider(p);
    host = await ProviderHost.start();
  });

  after(async () => {
    await host?.stop();
    await closePools();
    await pg?.stop();
  });

  /** Check (no failures), Create, Read (equal), Diff (no change); returns the id and outputs. */
  async function up(t: string, name: string, inputs: object): Promise<{ urn: string; id: string; props: Record<string, any> }> {
    const urn = makeUrn(type(t), name);
    const checked = await host.check(urn, {}, { ...inputs, __provider: text[t] });
    assert.deepStrictEqual(checked.failures, []);
    const { id, properties } = await host.create(urn, checked.inputs);
    const read = await host.read(urn, id, properties);
    assert.deepStrictEqual(read.properties, properties, `${t}: read right after create reports the same`);
    assert.deepStrictEqual(await host.diff(urn, id, properties, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });
    return { urn, id, props: properties };
  }

  /** Diff (a change, no replace) and Update to `news`. */
  async function change(t: string, r: { urn: string; id: string; props: Record<string, any> }, news: object): Promise<Record<string, any>> {
    const next = { ...news, __provider: text[t] };
    assert.deepStrictEqual(await host.diff(r.urn, r.id, r.props, next), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    return host.update(r.urn, r.id, r.props, next);
  }

  it("serializes every provider without the validation library, requiring pg inside", () => {
    for (const [k, t] of Object.entries(text)) {
      assert.doesNotMatch(t, /zod/, `${k} captured zod`);
      assert.match(t, /require\("pg"\)/, `${k} requires pg`);
    }
  });

  it("Role, Database, Schema and Grants: check, create, read, diff, update, delete", async () => {
    const admin = adminOf(pg);
    const role = await up("Role", "tenant", roleInputs(admin, "h_tenant", pw.first));
    assert.strictEqual(role.id, `127.0.0.1:${pg.port}/role/h_tenant`);
    const db = await up("Database", "tenant", databaseInputs(admin, "h_tenant", "h_tenant"));
    const schema = await up("Schema", "tenant", schemaInputs(adminOf(pg, "app"), "h_tenant", "h_tenant"));
    const grants = await up("Grants", "tenant", grantsInputs(admin, { type: "database", name: "h_tenant" }, [{ grantee: "h_tenant", privileges: ["connect"] }]));
    assert.deepStrictEqual(grants.props.allowed, [{ grantee: "h_tenant", privileges: ["CONNECT"] }], "check normalized the privilege");
    assert.deepStrictEqual(await query(uriAs(pg, "h_tenant", pw.first, "h_tenant"), "SELECT current_user AS u"), [{ u: "h_tenant" }]);

    role.props = await change("Role", role, roleInputs(admin, "h_tenant", pw.second, { connectionLimit: 4 }));
    assert.deepStrictEqual(await query(uriAs(pg, "h_tenant", pw.second, "app"), "SELECT current_schema() AS s"), [{ s: "h_tenant" }]);
    db.props = await change("Database", db, databaseInputs(admin, "h_tenant", "h_tenant", { connectionLimit: 9 }));
    grants.props = await change("Grants", grants, grantsInputs(admin, { type: "database", name: "h_tenant" }, [{ grantee: "h_tenant", privileges: ["CONNECT", "TEMPORARY"] }]));
    schema.props = await change("Schema", schema, schemaInputs(adminOf(pg, "app"), "h_tenant", "h_tenant", { onDelete: { policy: "lock", backupBeforeDelete: false } }));
    assert.deepStrictEqual(
      await asAdmin(pg, "SELECT r.rolconnlimit, d.datconnlimit, d.datacl::text[] AS acl FROM pg_roles r, pg_database d WHERE r.rolname = 'h_tenant' AND d.datname = 'h_tenant'"),
      [{ rolconnlimit: 4, datconnlimit: 9, acl: ["h_tenant=CTc/h_tenant"] }],
    );

    // A change of server replaces; then everything is deleted, dependents first, and reads as gone.
    const moved = { ...roleInputs({ ...admin, port: admin.port + 1 }, "h_tenant", pw.second), __provider: text.Role };
    assert.deepStrictEqual((await host.diff(role.urn, role.id, role.props, moved)).replaces, ["admin"]);
    await host.delete(grants.urn, grants.id, grants.props);
    await host.delete(schema.urn, schema.id, schema.props);
    await host.delete(db.urn, db.id, db.props);
    await host.delete(role.urn, role.id, { ...role.props, onDelete: "lock" });
    assert.deepStrictEqual((await host.read(db.urn, db.id, db.props)).id, "");
    assert.deepStrictEqual(await asAdmin(pg, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'h_tenant'"), [{ rolcanlogin: false }], "locked, kept");
    assert.deepStrictEqual(await asAdmin(pg, "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'h_tenant'", [], "app"), [{ n: 1 }], "locked, kept");

    for (const s of secrets) assert.ok(!host.stderr().includes(s), "a password reached the host's stderr");
  });

  it("refuses bad input at Check, and a failed Create's error names no password", async () => {
    const urn = makeUrn(type("Role"), "bad");
    const checked = await host.check(urn, {}, { ...roleInputs(adminOf(pg), "Bad Name", pw.first), __provider: text.Role });
    assert.deepStrictEqual(checked.failures, [{ property: "name", reason: '`name` must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`; got "Bad Name"' }]);
    const dbUrn = makeUrn(type("Database"), "orphan");
    await assert.rejects(host.create(dbUrn, { ...databaseInputs(adminOf(pg), "orphan", "no_such_role"), __provider: text.Database }), (err: any) => {
      assert.strictEqual(err.message, "database `orphan` needs its owner role `no_such_role`, which does not exist (create the Role first)");
      return true;
    });
    const wrong = { ...adminOf(pg), password: pw.second };
    await assert.rejects(host.create(makeUrn(type("Role"), "denied"), { ...roleInputs(wrong, "denied", pw.first), __provider: text.Role }), (err: any) => {
      assert.strictEqual(err.message, `could not connect to postgres@127.0.0.1:${pg.port}/postgres: password authentication failed for user "postgres"`);
      return true;
    });
    for (const s of secrets) assert.ok(!host.stderr().includes(s), "a password reached the host's stderr");
  });
});
