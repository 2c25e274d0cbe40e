/**
 * pgplatform-configure-environment-resource-count, through the SDK's AnalyzeStack handler.
 */
import assert from "assert";
import { ENVIRONMENT_RESOURCE_COUNT, environmentResourceCount } from "../../../policies/rules/quotas/pgplatform-configure-environment-resource-count";
import { cnpgCluster, localServer, pgSingleWithServer, rdsInstance } from "./fixtures";
import { analyzeStack, pairs } from "./harness";

const db = (project: string, environmentId: string, name: string) => ({ resourceId: `${project}-${environmentId}-${name}`, projectId: project, environmentId, storageGb: 20 });

/** shop/prod: a PgSingle (with its LocalServer), a hand-made LocalServer, a CNPG Cluster; shop/dev and web/prod one each. */
const STACK = [
  ...pgSingleWithServer("orders", db("shop", "prod", "orders")),
  localServer("handmade", db("shop", "prod", "handmade")),
  cnpgCluster("events", db("shop", "prod", "events"), "20Gi"),
  ...pgSingleWithServer("orders-dev", db("shop", "dev", "orders")),
  rdsInstance("site", db("web", "prod", "site")),
];

describe("pgplatform-configure-environment-resource-count", () => {
  it("passes a compliant stack with the default threshold (20)", async () => {
    assert.deepStrictEqual(await analyzeStack([environmentResourceCount], STACK), []);
  });

  it("reports an environment over `maxDbResourcesPerEnvironment`, each db_resource counted once", async () => {
    const ds = await analyzeStack([environmentResourceCount], STACK, { [ENVIRONMENT_RESOURCE_COUNT]: { maxDbResourcesPerEnvironment: 2 } });
    assert.deepStrictEqual(pairs(ds), [
      [
        ENVIRONMENT_RESOURCE_COUNT,
        "environment `prod` of project `shop` has 3 db_resources (`shop-prod-events`, `shop-prod-handmade`, `shop-prod-orders`); `maxDbResourcesPerEnvironment` allows at most 2",
      ],
    ]);
    assert.strictEqual(ds[0].message, `${environmentResourceCount.description}\n${ds[0].detail}`);
  });

  it("keeps environments of different projects apart: `prod` of `web` is not `prod` of `shop`", async () => {
    const ds = await analyzeStack([environmentResourceCount], STACK, { [ENVIRONMENT_RESOURCE_COUNT]: { maxDbResourcesPerEnvironment: 3 } });
    assert.deepStrictEqual(ds, []);
  });

  it("uses the code's default when no config came: 21 db_resources in one environment", async () => {
    const stack = Array.from({ length: 21 }, (_, i) => pgSingleWithServer(`db${i}`, db("shop", "dev", `db${String(i).padStart(2, "0")}`))).flat();
    const ds = await analyzeStack([environmentResourceCount], stack);
    assert.deepStrictEqual(pairs(ds), [
      [
        ENVIRONMENT_RESOURCE_COUNT,
        "environment `dev` of project `shop` has 21 db_resources (" +
          Array.from({ length: 10 }, (_, i) => `\`shop-dev-db0${i}\``).join(", ") +
          " and 11 more); `maxDbResourcesPerEnvironment` allows at most 20",
      ],
    ]);
  });

  it("reports as advisory when the config says so", async () => {
    const ds = await analyzeStack([environmentResourceCount], STACK, { [ENVIRONMENT_RESOURCE_COUNT]: { enforcementLevel: "advisory", maxDbResourcesPerEnvironment: 2 } });
    assert.deepStrictEqual(ds.map((d) => d.enforcementLevel), ["advisory"]);
  });
});
