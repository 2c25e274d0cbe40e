/**
 * PgCluster on the local back end under strict mocks: the LocalCluster gets the maintenance window
 * and `applyImmediately`, and a restart the cluster reports pending is said in the `pulumi up` log.
 */
import assert from "assert";
import { PgCluster } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { StrictMocks, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";
import { warningsOf } from "./aws/support";

const CLUSTER_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalCluster";
const GUARD_TYPE = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";
// Hard delete and no plan backups: the warnings those give are not the subject here.
const ARGS = { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15, backup: { enabled: false }, lifecycle: { deletionPolicy: "hard" } } as const;

function mocksFor(pendingRestart: string[] | undefined): StrictMocks {
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: "pw".padEnd(32, "x") } }),
      [CLUSTER_TYPE]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: {
          ...a.inputs, host: "127.0.0.1", writePort: 7000, readPort: 7001, etcdPort: 7002, primary: "node0", members: [], history: [], status: "RUNNING", running: true, drift: [],
          ...(pendingRestart ? { pendingRestart, pendingValues: Object.fromEntries(pendingRestart.map((k) => [k, "1"])) } : {}),
        },
      }),
      [GUARD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
    },
    { allowComponents: ["pgplatform:index:PgCluster"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

describe("PgCluster on the local back end: restarts in the maintenance window (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("passes the window and `applyImmediately` to the LocalCluster (the plan's window, false when not given)", async () => {
    mocks = mocksFor([]);
    await details(new PgCluster("orders", { ...ARGS, lifecycle: { ...ARGS.lifecycle, maintenanceWindow: "sat:23:00-sun:01:00", applyImmediately: true } }).metadata);
    await details(new PgCluster("billing", { ...ARGS }).metadata);
    await settle(mocks);
    const clusters = mocks.byType(CLUSTER_TYPE).map((c) => unwrapSecrets(c.inputs));
    assert.deepStrictEqual(clusters.map((i) => [i.resourceId.split("-")[2], i.maintenanceWindow, i.applyImmediately]), [
      ["orders", "sat:23:00-sun:01:00", true],
      ["billing", "sun:04:00-sun:05:00", false],
    ]);
  });

  it("warns, naming the settings and the window, when the cluster holds a restart for later", async () => {
    mocks = mocksFor(["max_connections", "shared_buffers"]);
    const warned = await warningsOf(async () => {
      await details(new PgCluster("orders", { ...ARGS }).metadata);
      await settle(mocks);
    });
    assert.deepStrictEqual(warned, [
      "`max_connections`, `shared_buffers` changed and wait for a restart in the maintenance window sun:04:00-sun:05:00 (UTC): " +
        "the next `pulumi up` inside it restarts the cluster's members, standbys first and the primary last; set `lifecycle.applyImmediately: true` to restart now",
    ]);
  });

  it("says nothing when no restart is pending, or when the cluster does not report it (preview)", async () => {
    for (const pending of [[], undefined]) {
      mocks = mocksFor(pending);
      const warned = await warningsOf(async () => {
        await details(new PgCluster("orders", { ...ARGS }).metadata);
        await settle(mocks);
      });
      assert.deepStrictEqual(warned, []);
    }
  });
});
