/**
 * The catalogue record provider as `pulumi up` runs it: serialized into the program and driven over
 * gRPC through the SDK's own dynamic-provider host, once into the library-managed local catalogue
 * (the quickstart's path: the host creates it) and once into a catalogue named by a connection.
 * Asserts on the catalogue's tables, and that the host never prints a password.
 */
import assert from "assert";
import * as fs from "fs";
import { LOCAL_CATALOG_ID, localCatalogPaths } from "../../components/catalog/localCatalog";
import { destroyServer } from "../../components/backends/local/server";
import { CATALOG_RECORD_KIND, catalogRecordProvider } from "../../components/providers/catalogRecord";
import { SqlConnection, closePools } from "../../components/providers/sql/connection";
import { TestPostgres, startTestPostgres, tempRoot } from "../harness/postgres";
import { PROJECT_ROOT, ProviderHost, makeUrn, serializeProvider } from "../harness/providerHost";
import { dbResourceData, eventsOf, freshDatabase, sql, tenantData } from "./support";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:CatalogRecord";

describe("catalogRecordProvider through the SDK's dynamic-provider host", () => {
  let host: ProviderHost;
  let providerText: string;
  let dataRoot: string;
  let pg: TestPostgres;

  before(async () => {
    dataRoot = tempRoot("pgplatform-catalog-host-");
    providerText = await serializeProvider(catalogRecordProvider);
    [host, pg] = await Promise.all([ProviderHost.start(), startTestPostgres()]);
  });

  after(async () => {
    await host?.stop();
    await closePools();
    await destroyServer(dataRoot, LOCAL_CATALOG_ID);
    fs.rmSync(dataRoot, { recursive: true, force: true });
    await pg?.stop();
  });

  it("serializes without the validation library, requiring pg inside its functions", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("records into the local catalogue it creates: check, create, read, diff, update, delete", async () => {
    const urn = makeUrn(TYPE, "orders-catalog");
    const catalog = { local: { dataRoot, runAs: "postgres", binarySearchPaths: [PROJECT_ROOT] } };
    const inputs = { kind: CATALOG_RECORD_KIND, catalog, recordType: "db_resource", recordId: "shop-dev-orders", data: dbResourceData(), __provider: providerText };
    const checked = await host.check(urn, {}, inputs);
    assert.deepStrictEqual(checked, { inputs, failures: [] });

    const created = await host.create(urn, checked.inputs);
    assert.strictEqual(created.id, "db_resource/shop-dev-orders");
    assert.deepStrictEqual([created.properties.status, created.properties.lifecycle], ["RUNNING", "ACTIVE"]);
    const creds = JSON.parse(fs.readFileSync(localCatalogPaths(dataRoot).credentials, "utf8"));
    const db: SqlConnection = { host: "127.0.0.1", port: creds.port, user: "catalog", password: creds.password, database: "catalog" };
    assert.deepStrictEqual(await sql(db, "SELECT id, status, lifecycle FROM pgplatform_catalog.resources"), [{ id: "shop-dev-orders", status: "RUNNING", lifecycle: "ACTIVE" }]);

    const read = await host.read(urn, created.id, created.properties);
    assert.deepStrictEqual(read.properties, created.properties);
    assert.strictEqual((await host.diff(urn, created.id, read.properties, checked.inputs)).changes, false);

    const news = { ...checked.inputs, data: dbResourceData({ status: "FAILED" }) };
    assert.deepStrictEqual(await host.diff(urn, created.id, read.properties, news), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    const updated = await host.update(urn, created.id, read.properties, news);
    assert.strictEqual(updated.status, "FAILED");

    await host.delete(urn, created.id, updated);
    assert.deepStrictEqual(await sql(db, "SELECT lifecycle FROM pgplatform_catalog.resource_overview"), [{ lifecycle: "DELETED" }]);
    assert.deepStrictEqual((await eventsOf(db, "db_resource", "shop-dev-orders")).map((e) => e.event), ["created", "updated", "deleted"]);
    assert.ok(fs.existsSync(localCatalogPaths(dataRoot).instanceDir), "a record's delete never removes the catalogue");
    for (const s of [creds.password, creds.superuserPassword]) assert.ok(!host.stderr().includes(s), "a password reached the host's stderr");
  });

  it("records into a catalogue named by a connection; refuses credentials; a failed create names no password", async () => {
    const db = await freshDatabase(pg);
    const urn = makeUrn(TYPE, "acme-catalog");
    const base = { kind: CATALOG_RECORD_KIND, catalog: { connection: db }, __provider: providerText };
    const refused = await host.check(urn, {}, { ...base, recordType: "db_resource", recordId: "r1", data: dbResourceData({ endpoints: { host: "h", port: 1, adminPassword: db.password } }) });
    assert.deepStrictEqual(refused.failures, [
      { property: "data.endpoints.adminPassword", reason: "`data.endpoints.adminPassword` is named like a credential or a connection string (password, secret, token, uri, url, dsn); the catalogue never holds credentials: remove it" },
    ]);

    await assert.rejects(host.create(urn, { ...base, recordType: "tenant", recordId: "r1/acme", data: tenantData("r1") }), (err: any) => {
      assert.strictEqual(err.method, "Create");
      assert.strictEqual(err.message, 'catalogue record tenant "r1/acme": `data.resourceId` "r1" is not a db_resource in the catalogue; record the db_resource first (make this CatalogRecord depend on the db_resource\'s)');
      return true;
    });
    const resource = await host.create(urn, { ...base, recordType: "db_resource", recordId: "r1", data: dbResourceData() });
    const tenant = await host.create(urn, { ...base, recordType: "tenant", recordId: "r1/acme", data: tenantData("r1") });
    await sql(db, "DELETE FROM pgplatform_catalog.tenants WHERE id = 'r1/acme'");
    assert.deepStrictEqual((await host.read(urn, tenant.id, tenant.properties)).id, "", "a row removed by hand is gone");
    await host.delete(urn, resource.id, resource.properties);
    assert.deepStrictEqual(await sql(db, "SELECT id, lifecycle FROM pgplatform_catalog.resources"), [{ id: "r1", lifecycle: "DELETED" }]);
    assert.ok(!host.stderr().includes(db.password), "a password reached the host's stderr");
  });
});
