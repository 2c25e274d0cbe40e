/**
 * PgSingle under strict mocks: the local server gets the maintenance window and `applyImmediately`,
 * and a restart the server reports pending is said in the `pulumi up` log.
 */
import assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PgSingle } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { StrictMocks, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";

const SERVER_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalServer";
const GUARD_TYPE = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";

function mocksFor(pendingRestart: string[]): StrictMocks {
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: "pw".padEnd(32, "x") } }),
      [SERVER_TYPE]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: { ...a.inputs, host: "127.0.0.1", port: 54321, status: "RUNNING", running: true, serverVersion: "17.10", drift: [], pendingRestart },
      }),
      [GUARD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
    },
    { allowComponents: ["pgplatform:index:PgSingle"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

async function warningsOf(make: () => PgSingle): Promise<string[]> {
  const warned: string[] = [];
  const original = pulumi.log.warn;
  (pulumi.log as any).warn = (msg: string) => {
    warned.push(msg);
    return Promise.resolve();
  };
  try {
    await details(make().metadata);
  } finally {
    (pulumi.log as any).warn = original;
  }
  return warned;
}

describe("PgSingle on the local back end: restarts in the maintenance window (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("passes the window and `applyImmediately` to the server", async () => {
    mocks = mocksFor([]);
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", lifecycle: { maintenanceWindow: "sat:23:00-sun:01:00", applyImmediately: true } });
    await details(db.metadata);
    await settle(mocks);
    const [server] = mocks.byType(SERVER_TYPE);
    const inputs = unwrapSecrets(server.inputs);
    assert.deepStrictEqual([inputs.maintenanceWindow, inputs.applyImmediately], ["sat:23:00-sun:01:00", true]);
  });

  it("warns, naming the settings and the window, when the server holds a restart for later", async () => {
    mocks = mocksFor(["max_connections", "shared_buffers"]);
    const warned = await warningsOf(() => new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" }));
    await settle(mocks);
    assert.deepStrictEqual(warned, [
      "`max_connections`, `shared_buffers` changed and wait for a restart in the maintenance window sun:04:00-sun:05:00 (UTC): " +
        "the next `pulumi up` inside it restarts the server; set `lifecycle.applyImmediately: true` to restart now",
    ]);
  });

  it("says nothing when no restart is pending", async () => {
    mocks = mocksFor([]);
    const warned = await warningsOf(() => new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single" }));
    await settle(mocks);
    assert.deepStrictEqual(warned, []);
  });
});
