/**
 * Tenants end to end: a program with a shared PgSingle and two TenantDatabases (one per mode) runs
 * under mocks, every dynamic resource is created through the SDK's real provider host on a real
 * PostgreSQL; then each tenant works through its own URI and only there, the catalogue maps them,
 * the storage quota locks a tenant that fills it without the Role undoing the lock, and deleting
 * everything leaves the catalogue's history.
 */
import assert from "assert";
import * as fs from "fs";
import { PgSingle, TenantDatabase } from "../../components";
import { destroyServer } from "../../components/backends/local/server";
import { LOCAL_CATALOG_ID, localCatalogPaths } from "../../components/catalog/localCatalog";
import { CreatedResource, RANDOM_PASSWORD_TYPE, deleteCreated, hostHandler, randomPasswordHandler, until } from "../harness/engine";
import { setStrictMocks, settle } from "../harness/mocks";
import { details } from "../harness/outputs";
import { query, tempRoot } from "../harness/postgres";
import { ProviderHost } from "../harness/providerHost";

const DYNAMIC = ["LocalServer", "ChangeGuard", "Role", "Database", "Schema", "Grants", "TenantQuota", "CatalogRecord"];

describe("tenants end to end (mocks + real provider host + real PostgreSQL)", () => {
  let host: ProviderHost;
  let dataRoot: string;
  const created: CreatedResource[] = [];

  before(async () => {
    dataRoot = tempRoot();
    host = await ProviderHost.start();
  });

  after(async () => {
    await deleteCreated(host, created).catch(() => undefined);
    await host.stop();
    await destroyServer(dataRoot, LOCAL_CATALOG_ID);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  it("isolates two tenants, maps them in the catalogue, locks one at its storage quota, and deletes cleanly", async () => {
    const handlers: Record<string, any> = { [RANDOM_PASSWORD_TYPE]: randomPasswordHandler };
    for (const t of DYNAMIC) handlers[`pulumi-nodejs:dynamic/pgplatform:${t}`] = hostHandler(host, created);
    const mocks = setStrictMocks(handlers, {
      allowComponents: ["pgplatform:index:*"],
      config: { "pgplatform:localDataRoot": dataRoot },
    });
    const shared = new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single" });
    const acme = new TenantDatabase("acme", {
      tenantId: "acme", projectId: "saas", environmentId: "dev", target: shared, mode: "database_per_tenant",
      quotas: { maxConnections: 5, maxStorageGb: 0.01, warnAtPercent: 80, onLimit: "lock" },
    });
    const globex = new TenantDatabase("globex", { tenantId: "globex", projectId: "saas", environmentId: "dev", target: shared, mode: "schema_per_tenant" });
    const acmeUri = (await details(acme.connection.uri)).value!;
    const globexUri = (await details(globex.connection.uri)).value!;
    await settle(mocks);
    await until(() => created.length === 13, "all 13 dynamic resources are created");
    mocks.assertNoUnexpected();

    // Each tenant works in its own place, as itself.
    await query(acmeUri, "CREATE TABLE orders (id int PRIMARY KEY, note text)");
    await query(acmeUri, "INSERT INTO orders SELECT g, 'acme' FROM generate_series(1, 10) g");
    await query(globexUri, "CREATE TABLE orders (id int PRIMARY KEY, note text)");
    assert.deepStrictEqual(await query(globexUri, "SELECT current_schema() AS s, current_user AS u"), [{ s: "tenant_globex", u: "tenant_globex" }]);
    // ...and nowhere else.
    await assert.rejects(query(acmeUri.replace(/\/tenant_acme$/, "/app"), "SELECT 1"), { message: 'permission denied for database "app"' });
    await assert.rejects(query(globexUri, "SELECT * FROM tenant_acme.orders"), /permission denied for schema tenant_acme|relation "tenant_acme.orders" does not exist/);
    await assert.rejects(query(globexUri, "CREATE TABLE public.x (id int)"), { message: "permission denied for schema public" });

    // The control plane maps tenant -> db_resource + database/schema + role.
    const creds = JSON.parse(fs.readFileSync(localCatalogPaths(dataRoot).credentials, "utf8"));
    const catalog = `postgresql://catalog:${creds.password}@127.0.0.1:${creds.port}/catalog`;
    const sharedId = (await details(shared.resourceId)).value!;
    assert.deepStrictEqual(
      await query(catalog, "SELECT tenant_id, resource_id, mode, database_name, schema_name, role_name, lifecycle FROM pgplatform_catalog.tenants ORDER BY tenant_id"),
      [
        { tenant_id: "acme", resource_id: sharedId, mode: "database_per_tenant", database_name: "tenant_acme", schema_name: null, role_name: "tenant_acme", lifecycle: "ACTIVE" },
        { tenant_id: "globex", resource_id: sharedId, mode: "schema_per_tenant", database_name: "app", schema_name: "tenant_globex", role_name: "tenant_globex", lifecycle: "ACTIVE" },
      ],
    );
    assert.deepStrictEqual(await query(catalog, "SELECT tenant_count FROM pgplatform_catalog.resource_overview WHERE id = $1", [sharedId]), [{ tenant_count: 2 }]);

    // acme fills its quota: refresh finds it over, the update locks it, and the Role leaves the lock alone.
    await query(acmeUri, "INSERT INTO orders SELECT g, repeat(md5(g::text), 40) FROM generate_series(11, 6000) g");
    const quota = created.find((r) => r.name === "acme-quota")!;
    const read = await host.read(quota.urn, quota.id, quota.properties);
    assert.strictEqual(read.properties.state, "over");
    const diff = await host.diff(quota.urn, quota.id, read.properties, quota.inputs);
    assert.strictEqual(diff.changes, true);
    quota.properties = await host.update(quota.urn, quota.id, read.properties, quota.inputs);
    assert.strictEqual(quota.properties.state, "locked");
    await assert.rejects(query(acmeUri, "SELECT 1"), { message: 'role "tenant_acme" is not permitted to log in' });
    const role = created.find((r) => r.name === "acme-role")!;
    const roleRead = await host.read(role.urn, role.id, role.properties);
    assert.deepStrictEqual(roleRead.properties.drift, [], "a quota lock is not Role drift");
    role.properties = await host.update(role.urn, role.id, roleRead.properties, role.inputs);
    await assert.rejects(query(acmeUri, "SELECT 1"), { message: 'role "tenant_acme" is not permitted to log in' });

    // Deleting everything: tenants go first, the catalogue keeps their history.
    await deleteCreated(host, created);
    assert.deepStrictEqual(await query(catalog, "SELECT tenant_id, lifecycle FROM pgplatform_catalog.tenants ORDER BY tenant_id"), [
      { tenant_id: "acme", lifecycle: "DELETED" },
      { tenant_id: "globex", lifecycle: "DELETED" },
    ]);
  });
});
