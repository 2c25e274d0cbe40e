/**
 * pgplatform-configure-project-storage-quota, through the SDK's AnalyzeStack handler: a compliant
 * stack, one mutation per threshold with the exact message, config that changes the outcome and
 * the enforcement level, and primitives (made with or without components) counted once.
 */
import assert from "assert";
import { STACK_POLICIES } from "../../../policies/rules/quotas";
import { PROJECT_STORAGE_QUOTA, projectStorageQuota } from "../../../policies/rules/quotas/pgplatform-configure-project-storage-quota";
import { cnpgCluster, localServer, pgSingleWithServer, randomPassword, rdsInstance } from "./fixtures";
import { analyzeStack, pairs } from "./harness";

const shop = (name: string, environmentId: string, storageGb: unknown) => ({ resourceId: `shop-${environmentId}-${name}`, projectId: "shop", environmentId, storageGb });

/** shop: dev 100 GiB, prod 200 + 300 GiB, each a PgSingle with its LocalServer child. */
const STACK = [
  ...pgSingleWithServer("orders-dev", shop("orders", "dev", 100)),
  ...pgSingleWithServer("orders", shop("orders", "prod", 200)),
  ...pgSingleWithServer("billing", shop("billing", "prod", 300)),
  randomPassword("orders-password"),
];

describe("pgplatform-configure-project-storage-quota", () => {
  it("passes a compliant stack with the default thresholds (no config)", async () => {
    assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, STACK), []);
  });

  it("reports a project over `maxStorageGbPerProject`, counting each PgSingle and its LocalServer once", async () => {
    const ds = await analyzeStack([projectStorageQuota], STACK, { [PROJECT_STORAGE_QUOTA]: { maxStorageGbPerProject: 500 } });
    assert.deepStrictEqual(pairs(ds), [
      [
        PROJECT_STORAGE_QUOTA,
        "project `shop` declares 600 GiB of `storageGb` over 3 db_resources (`shop-prod-billing` 300, `shop-prod-orders` 200, `shop-dev-orders` 100); `maxStorageGbPerProject` allows at most 500",
      ],
    ]);
    assert.strictEqual(ds[0].message, `${projectStorageQuota.description}\n${ds[0].detail}`);
    assert.strictEqual(ds[0].enforcementLevel, "mandatory");
    assert.strictEqual(ds[0].urn, "");
  });

  it("reports an environment over `maxStorageGbPerEnvironment`, and only that environment", async () => {
    const ds = await analyzeStack([projectStorageQuota], STACK, { [PROJECT_STORAGE_QUOTA]: { maxStorageGbPerEnvironment: 400 } });
    assert.deepStrictEqual(pairs(ds), [
      [
        PROJECT_STORAGE_QUOTA,
        "environment `prod` of project `shop` declares 500 GiB of `storageGb` over 2 db_resources (`shop-prod-billing` 300, `shop-prod-orders` 200); `maxStorageGbPerEnvironment` allows at most 400",
      ],
    ]);
  });

  it("uses the code's defaults when no config came: 3 x 2000 GiB in prod is over 5000", async () => {
    const big = [1, 2, 3].flatMap((i) => pgSingleWithServer(`big${i}`, shop(`big${i}`, "prod", 2000)));
    assert.deepStrictEqual(pairs(await analyzeStack([projectStorageQuota], big)), [
      [
        PROJECT_STORAGE_QUOTA,
        "environment `prod` of project `shop` declares 6000 GiB of `storageGb` over 3 db_resources (`shop-prod-big1` 2000, `shop-prod-big2` 2000, `shop-prod-big3` 2000); `maxStorageGbPerEnvironment` allows at most 5000",
      ],
    ]);
  });

  it("counts primitives made without components by their labels and tags, read replicas not", async () => {
    const stack = [
      ...pgSingleWithServer("orders", shop("orders", "prod", 200)),
      localServer("handmade", shop("handmade", "prod", 50)),
      rdsInstance("analytics", shop("analytics", "prod", 400)),
      rdsInstance("analytics-replica", shop("analytics", "prod", 400), "analytics-id"),
      rdsInstance("analytics-copy", shop("analytics", "prod", 400)), // same resource id as `analytics`: counted once
      cnpgCluster("events", shop("events", "prod", undefined), "100G"),
      cnpgCluster("search", shop("search", "prod", undefined), "1Ti"),
    ];
    const ds = await analyzeStack([projectStorageQuota], stack, { [PROJECT_STORAGE_QUOTA]: { maxStorageGbPerEnvironment: 1000 } });
    assert.deepStrictEqual(pairs(ds), [
      [
        PROJECT_STORAGE_QUOTA,
        "environment `prod` of project `shop` declares 1767.13 GiB of `storageGb` over 5 db_resources " +
          "(`shop-prod-search` 1024, `shop-prod-analytics` 400, `shop-prod-orders` 200, `shop-prod-events` 93.13, `shop-prod-handmade` 50); `maxStorageGbPerEnvironment` allows at most 1000",
      ],
    ]);
  });

  it("reports under the configured enforcement level: advisory, or nothing when disabled", async () => {
    const advisory = await analyzeStack([projectStorageQuota], STACK, { [PROJECT_STORAGE_QUOTA]: { enforcementLevel: "advisory", maxStorageGbPerProject: 500 } });
    assert.deepStrictEqual(advisory.map((d) => [d.policyName, d.enforcementLevel]), [[PROJECT_STORAGE_QUOTA, "advisory"]]);
    const disabled = await analyzeStack([projectStorageQuota], STACK, { [PROJECT_STORAGE_QUOTA]: { enforcementLevel: "disabled", maxStorageGbPerProject: 1 } });
    assert.deepStrictEqual(disabled, []);
  });

  it("lists at most 10 db_resources and says how many more", async () => {
    const many = Array.from({ length: 12 }, (_, i) => pgSingleWithServer(`db${String(i).padStart(2, "0")}`, shop(`db${String(i).padStart(2, "0")}`, "dev", 20))).flat();
    const [d] = await analyzeStack([projectStorageQuota], many, { [PROJECT_STORAGE_QUOTA]: { maxStorageGbPerProject: 200 } });
    assert.strictEqual(
      d.detail,
      "project `shop` declares 240 GiB of `storageGb` over 12 db_resources (" +
        Array.from({ length: 10 }, (_, i) => `\`shop-dev-db0${i}\` 20`).join(", ") +
        " and 2 more); `maxStorageGbPerProject` allows at most 200",
    );
  });
});
