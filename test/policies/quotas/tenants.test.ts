/**
 * pgplatform-configure-tenants-per-cluster and pgplatform-configure-tenant-connections, through the
 * SDK's AnalyzeStack handler: TenantDatabases (with their own catalogue records) and tenant records
 * written without the component, each tenant counted once.
 */
import assert from "assert";
import { TENANT_CONNECTIONS, tenantConnections } from "../../../policies/rules/quotas/pgplatform-configure-tenant-connections";
import { TENANTS_PER_CLUSTER, tenantsPerCluster } from "../../../policies/rules/quotas/pgplatform-configure-tenants-per-cluster";
import { pgSingleWithServer, tenantRecord, tenantWithRecord } from "./fixtures";
import { analyzeStack, pairs, urnOf } from "./harness";

const SHARED = "saas-dev-shared";
const [sharedComponent] = pgSingleWithServer("shared", { resourceId: SHARED, projectId: "saas", environmentId: "dev", storageGb: 20 });

/** Three tenants on `shared`: acme (20 connections) and globex (no limit) as TenantDatabases, initech as a hand-written record. */
const STACK = [
  ...pgSingleWithServer("shared", { resourceId: SHARED, projectId: "saas", environmentId: "dev", storageGb: 20 }),
  ...tenantWithRecord("acme", { tenantId: "acme", targetResourceId: SHARED, maxConnections: 20 }),
  ...tenantWithRecord("globex", { tenantId: "globex", targetResourceId: SHARED }),
  tenantRecord("initech-record", { tenantId: "initech", targetResourceId: SHARED, maxConnections: 10 }),
  ...tenantWithRecord("umbrella", { tenantId: "umbrella", targetResourceId: "saas-dev-other", maxConnections: 5 }),
];

describe("pgplatform-configure-tenants-per-cluster", () => {
  it("passes a compliant stack with the default threshold (100)", async () => {
    assert.deepStrictEqual(await analyzeStack([tenantsPerCluster], STACK), []);
  });

  it("reports a db_resource over `maxTenantsPerCluster` on the db_resource, each tenant counted once", async () => {
    const ds = await analyzeStack([tenantsPerCluster], STACK, { [TENANTS_PER_CLUSTER]: { maxTenantsPerCluster: 2 } });
    assert.deepStrictEqual(pairs(ds), [[TENANTS_PER_CLUSTER, "db_resource `saas-dev-shared` has 3 tenants (`acme`, `globex`, `initech`); `maxTenantsPerCluster` allows at most 2"]]);
    assert.strictEqual(ds[0].urn, urnOf(sharedComponent.type, sharedComponent.name));
    assert.strictEqual(ds[0].message, `${tenantsPerCluster.description}\n${ds[0].detail}`);
  });

  it("reports on the stack when the target is not in it", async () => {
    const ds = await analyzeStack([tenantsPerCluster], STACK.slice(2), { [TENANTS_PER_CLUSTER]: { maxTenantsPerCluster: 2 } });
    assert.deepStrictEqual(ds.map((d) => d.urn), [""]);
  });

  it("reports as advisory when the config says so", async () => {
    const ds = await analyzeStack([tenantsPerCluster], STACK, { [TENANTS_PER_CLUSTER]: { enforcementLevel: "advisory", maxTenantsPerCluster: 1 } });
    assert.deepStrictEqual(ds.map((d) => d.enforcementLevel), ["advisory"]);
  });
});

describe("pgplatform-configure-tenant-connections", () => {
  it("passes a compliant stack with the defaults (at most 100, a limit not required)", async () => {
    assert.deepStrictEqual(await analyzeStack([tenantConnections], STACK), []);
  });

  it("reports a tenant over `maxConnectionsPerTenant`, on the tenant", async () => {
    const ds = await analyzeStack([tenantConnections], STACK, { [TENANT_CONNECTIONS]: { maxConnectionsPerTenant: 15 } });
    assert.deepStrictEqual(pairs(ds), [[TENANT_CONNECTIONS, "tenant `acme` on db_resource `saas-dev-shared` has `maxConnections` 20; `maxConnectionsPerTenant` allows at most 15"]]);
    assert.strictEqual(ds[0].urn, urnOf("pgplatform:index:TenantDatabase", "acme"));
  });

  it("uses the code's default (100) when no config came", async () => {
    const stack = tenantWithRecord("acme", { tenantId: "acme", targetResourceId: SHARED, maxConnections: 500 });
    assert.deepStrictEqual(pairs(await analyzeStack([tenantConnections], stack)), [
      [TENANT_CONNECTIONS, "tenant `acme` on db_resource `saas-dev-shared` has `maxConnections` 500; `maxConnectionsPerTenant` allows at most 100"],
    ]);
  });

  it("reports every tenant without a limit when `requireTenantConnectionLimit` is true", async () => {
    const ds = await analyzeStack([tenantConnections], [...STACK, tenantRecord("hooli-record", { tenantId: "hooli", targetResourceId: SHARED })], {
      [TENANT_CONNECTIONS]: { requireTenantConnectionLimit: true },
    });
    assert.deepStrictEqual(pairs(ds), [
      [TENANT_CONNECTIONS, "tenant `globex` on db_resource `saas-dev-shared` has no connection limit (`quotas.maxConnections` is unset); `requireTenantConnectionLimit` requires one, at most 100"],
      [TENANT_CONNECTIONS, "tenant `hooli` on db_resource `saas-dev-shared` has no connection limit (`quotas.maxConnections` is unset); `requireTenantConnectionLimit` requires one, at most 100"],
    ]);
    assert.deepStrictEqual(ds.map((d) => d.urn), [urnOf("pgplatform:index:TenantDatabase", "globex"), urnOf("pulumi-nodejs:dynamic/pgplatform:CatalogRecord", "hooli-record")]);
  });

  it("reports as advisory when the config says so", async () => {
    const ds = await analyzeStack([tenantConnections], STACK, { [TENANT_CONNECTIONS]: { enforcementLevel: "advisory", maxConnectionsPerTenant: 15 } });
    assert.deepStrictEqual(ds.map((d) => d.enforcementLevel), ["advisory"]);
  });
});
