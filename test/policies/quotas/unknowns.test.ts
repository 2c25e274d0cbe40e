/**
 * Values unknown at preview (the engine sends sentinels; the SDK's proxy throws on access) are left
 * out, never a false violation and never the SDK's "can't run policy during preview" advisory;
 * what is known still counts. Also the Kubernetes quantities the storage quota reads.
 */
import assert from "assert";
import { QUOTA_POLICIES, STACK_POLICIES } from "../../../policies/rules/quotas";
import { quantityGb } from "../../../policies/rules/quotas/inventory";
import { PROJECT_STORAGE_QUOTA } from "../../../policies/rules/quotas/pgplatform-configure-project-storage-quota";
import { ENVIRONMENT_RESOURCE_COUNT } from "../../../policies/rules/quotas/pgplatform-configure-environment-resource-count";
import { TENANTS_PER_CLUSTER } from "../../../policies/rules/quotas/pgplatform-configure-tenants-per-cluster";
import { TENANT_CONNECTIONS } from "../../../policies/rules/quotas/pgplatform-configure-tenant-connections";
import { cnpgCluster, localServer, pgSingle, pgSingleWithServer, rdsInstance, tenantDatabase, tenantRecord, tenantWithRecord } from "./fixtures";
import { PackConfig, ResourceFixture, UNKNOWN, analyzeStack, pairs } from "./harness";

const prod = (name: string, storageGb: unknown) => ({ resourceId: `shop-prod-${name}`, projectId: "shop", environmentId: "prod", storageGb });
const SHARED = "shop-prod-known";

/** `r` with some props replaced. */
const withProps = (r: ResourceFixture, patch: Record<string, unknown>): ResourceFixture => ({ ...r, props: { ...r.props, ...patch } });

/** Tight thresholds that every unknown below would cross if it were guessed. */
const TIGHT: PackConfig = {
  [PROJECT_STORAGE_QUOTA]: { maxStorageGbPerProject: 100, maxStorageGbPerEnvironment: 100 },
  [ENVIRONMENT_RESOURCE_COUNT]: { maxDbResourcesPerEnvironment: 1 },
  [TENANTS_PER_CLUSTER]: { maxTenantsPerCluster: 1 },
  [TENANT_CONNECTIONS]: { maxConnectionsPerTenant: 1, requireTenantConnectionLimit: true },
};

/** One known db_resource (100 GiB) with one known tenant (1 connection); everything else unknown somewhere. */
const PREVIEW = [
  ...pgSingleWithServer("known", prod("known", 100)),
  ...tenantWithRecord("acme", { tenantId: "acme", targetResourceId: SHARED, maxConnections: 1 }),
  // storage unknown: its component and its server
  ...pgSingleWithServer("sized-later", prod("sized-later", UNKNOWN.number)),
  // a component whose facts are unknown as a whole, and its server with unknown labels
  withProps(pgSingle("opaque", prod("opaque", 10)), { facts: UNKNOWN.object }),
  localServer("opaque-server", prod("opaque", 10), pgSingle("opaque", prod("opaque", 10)), UNKNOWN.object),
  // hand-made primitives whose resource id is unknown: cannot be told apart, left out
  localServer("anonymous", prod("anonymous", 500), undefined, { "pgplatform.io/project": "shop", "pgplatform.io/environment": "prod", "pgplatform.io/resource-id": UNKNOWN.string }),
  withProps(rdsInstance("tagged-later", prod("tagged-later", 500)), { tags: UNKNOWN.object }),
  cnpgCluster("size-later", prod("size-later", 0), UNKNOWN.string),
  // tenants: limit unknown, target unknown, data unknown
  tenantDatabase("limit-later", { tenantId: "limit-later", targetResourceId: SHARED, maxConnections: UNKNOWN.number }),
  tenantDatabase("target-later", { tenantId: "target-later", targetResourceId: UNKNOWN.string, maxConnections: 1 }),
  withProps(tenantRecord("data-later", { tenantId: "data-later", targetResourceId: SHARED }), { data: UNKNOWN.object }),
];

describe("quota rules at preview: unknown values", () => {
  it("skip what is unknown: no violation, no advisory, where guessing would cross every threshold", async () => {
    const ds = await analyzeStack(QUOTA_POLICIES, PREVIEW, TIGHT);
    // Known: shop/prod holds `known`, `sized-later` and `size-later` (ids known): 3 db_resources > 1.
    assert.deepStrictEqual(pairs(ds), [
      [ENVIRONMENT_RESOURCE_COUNT, "environment `prod` of project `shop` has 3 db_resources (`shop-prod-known`, `shop-prod-size-later`, `shop-prod-sized-later`); `maxDbResourcesPerEnvironment` allows at most 1"],
      [TENANTS_PER_CLUSTER, "db_resource `shop-prod-known` has 2 tenants (`acme`, `limit-later`); `maxTenantsPerCluster` allows at most 1"],
    ]);
    assert.ok(!ds.some((d) => /can't run policy/.test(d.message)), JSON.stringify(ds));
  });

  it("still reports what the known values prove: the known part alone is over", async () => {
    const stack = [...PREVIEW, ...pgSingleWithServer("grown", prod("grown", 50))];
    const ds = await analyzeStack(QUOTA_POLICIES, stack, TIGHT);
    assert.deepStrictEqual(
      pairs(ds.filter((d) => d.policyName === PROJECT_STORAGE_QUOTA)),
      [
        [PROJECT_STORAGE_QUOTA, "project `shop` declares 150 GiB of `storageGb` over 2 db_resources (`shop-prod-known` 100, `shop-prod-grown` 50); `maxStorageGbPerProject` allows at most 100"],
        [PROJECT_STORAGE_QUOTA, "environment `prod` of project `shop` declares 150 GiB of `storageGb` over 2 db_resources (`shop-prod-known` 100, `shop-prod-grown` 50); `maxStorageGbPerEnvironment` allows at most 100"],
      ],
    );
  });

  it("a whole stack of unknown props passes every rule silently", async () => {
    const stack = PREVIEW.map((r) => ({ ...r, props: Object.fromEntries(Object.keys(r.props).map((k) => [k, UNKNOWN.object])) }));
    assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, stack, TIGHT), []);
  });
});

describe("Kubernetes storage quantities", () => {
  const table: [unknown, number | undefined][] = [
    ["20Gi", 20],
    ["1Ti", 1024],
    ["512Mi", 0.5],
    ["100G", 100e9 / 2 ** 30],
    ["1073741824", 1],
    [2 ** 31, 2],
    ["20 Gi", undefined],
    ["lots", undefined],
    [undefined, undefined],
  ];
  for (const [q, gb] of table) it(`${JSON.stringify(q)} is ${gb} GiB`, () => assert.strictEqual(quantityGb(q), gb));
});
