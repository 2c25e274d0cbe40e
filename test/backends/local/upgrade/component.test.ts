/**
 * BlueGreenUpgrade on the local back end under strict mocks: the exact children (the green server
 * at the target major with logical decoding on, the console password, the LocalUpgrade resource),
 * their inputs (secrets wrapped), the stable connection, and the refusals made before anything is
 * registered (in place without pg_upgrade, a source without logical decoding).
 */
import assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BlueGreenUpgrade, PgSingle } from "../../../../components";
import { RANDOM_PASSWORD_TYPE } from "../../../harness/engine";
import { exampleHandlers } from "../../../harness/handlers";
import { StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../../../harness/mocks";
import { details } from "../../../harness/outputs";

const SERVER_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalServer";
const UPGRADE_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalUpgrade";
/** Other dynamic children a PgSingle may register (answered with their inputs; not what this test pins). */
const OTHER_TYPES = ["pulumi-nodejs:dynamic/pgplatform:ChangeGuard"];

function mocksFor(): StrictMocks {
  let n = 0;
  let port = 54320;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [SERVER_TYPE]: (a) => ({ id: String(unwrapSecrets(a.inputs).resourceId), state: { ...a.inputs, host: "127.0.0.1", port: ++port, status: "RUNNING", running: true, serverVersion: "x", drift: [] } }),
      ...Object.fromEntries(OTHER_TYPES.map((t) => [t, (a: any) => ({ id: `${a.name}-id`, state: a.inputs })])),
      [UPGRADE_TYPE]: (a) => ({
        id: String(a.inputs.upgradeId),
        state: { ...a.inputs, endpointPort: 6432, activeSide: "blue", appliedPhase: "prepare", status: "IN_PROGRESS", progress: { lagBytes: 0 }, log: [], endpointRunning: true },
      }),
    },
    { allowComponents: ["pgplatform:index:PgSingle", "pgplatform:index:BlueGreenUpgrade"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

function source(extra: Record<string, unknown> = { parameters: { wal_level: "logical" } }): PgSingle {
  return new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", version: "15", ...extra });
}

describe("BlueGreenUpgrade on the local back end (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("registers the green server at 16, the console password and the LocalUpgrade, each parented to the component", async () => {
    mocks = mocksFor();
    const db = source();
    const up = new BlueGreenUpgrade("orders-16", { source: db, targetVersion: "16" });
    const uri = await details(up.connection.uri);
    const names = mocks.registrations.map((r) => `${r.type} ${r.name}`);
    const at = names.indexOf("pgplatform:index:BlueGreenUpgrade orders-16");
    // Registration order among siblings depends on when their inputs resolve: compare as a set.
    assert.deepStrictEqual(names.slice(at).filter((n) => !OTHER_TYPES.some((t) => n.startsWith(t))).sort(), [
      "pgplatform:index:BlueGreenUpgrade orders-16",
      `${RANDOM_PASSWORD_TYPE} orders-16-green-superuser-password`,
      `${RANDOM_PASSWORD_TYPE} orders-16-green-app-password`,
      `${SERVER_TYPE} orders-16-green-server`,
      `${RANDOM_PASSWORD_TYPE} orders-16-endpoint-console-password`,
      `${UPGRADE_TYPE} orders-16-upgrade`,
    ].sort());
    for (const child of mocks.registrations.slice(at + 1)) assert.match(String(child.parent), /::pgplatform:index:BlueGreenUpgrade::orders-16$/);
    const green = unwrapSecrets(mocks.byType(SERVER_TYPE)[1].inputs);
    assert.strictEqual(green.version, "16");
    assert.strictEqual(green.parameters.wal_level, "logical");
    assert.strictEqual(green.databaseName, "app");
    assert.strictEqual(green.resourceId.startsWith("shop-dev-orders-16-green-"), true);
    const reg = mocks.byType(UPGRADE_TYPE)[0];
    for (const k of ["blue", "green", "consolePassword"]) assert.ok(isSecretWrapped(reg.inputs[k]), `${k} is a secret input`);
    const inputs = unwrapSecrets(reg.inputs);
    assert.strictEqual(inputs.kind, "pgplatform:local:upgrade");
    assert.strictEqual(inputs.phase, "prepare");
    assert.strictEqual(inputs.dataRoot, "/srv/pg");
    assert.strictEqual(inputs.tablesWithoutPrimaryKey, "refuse");
    assert.strictEqual(inputs.maxWritePauseSeconds, 30);
    assert.strictEqual(inputs.prepareTimeoutSeconds, 1800);
    assert.deepStrictEqual(
      { ...inputs.blue, superuserPassword: "-", appPassword: "-" },
      { host: "127.0.0.1", port: 54321, superuser: "postgres", superuserPassword: "-", database: "app", appUser: "app", appPassword: "-", version: "15" },
    );
    assert.strictEqual(inputs.green.port, 54322);
    assert.strictEqual(inputs.green.version, "16");
    assert.deepStrictEqual(inputs.migration, {
      migrationType: "blue_green_upgrade",
      sourceResourceId: db.spec.resourceId,
      targetResourceId: green.resourceId,
      fromVersion: "15",
      toVersion: "16",
    });
    assert.strictEqual(inputs.catalog, undefined);
    // The application keeps its own login; only host and port move to the endpoint.
    assert.strictEqual(uri.isSecret, true);
    assert.strictEqual(uri.value, `postgresql://app:${inputs.blue.appPassword}@127.0.0.1:6432/app`);
    assert.strictEqual((await details(up.activeSide)).value, "blue");
    assert.deepStrictEqual((await details(up.progress)).value, { phase: "prepare", migrationStatus: "IN_PROGRESS", endpoint: "127.0.0.1:6432", lagBytes: 0 });
    assert.strictEqual((await details(up.status)).value, "RUNNING");
  });

  it("refuses in place without pg_upgrade, and a source without logical decoding, before registering anything of the upgrade", async () => {
    mocks = mocksFor();
    const db = source({});
    assert.throws(() => new BlueGreenUpgrade("orders-16", { source: db, targetVersion: "16", strategy: "in_place", confirm: true }), {
      message:
        'BlueGreenUpgrade "orders-16" cannot run on the local back end:\n' +
        "  - `strategy` `in_place` needs pg_upgrade of the target major 16, which this machine does not have " +
        "(the embedded PostgreSQL 16 package ships only initdb, pg_ctl and postgres; Debian has no PostgreSQL 16); use `strategy: \"blue_green\"`, which needs no pg_upgrade",
    });
    assert.throws(() => new BlueGreenUpgrade("orders-16", { source: db, targetVersion: "16" }), {
      message:
        'BlueGreenUpgrade "orders-16" cannot run on the local back end:\n' +
        `  - the source \`${db.spec.resourceId}\` runs with \`wal_level\` \`replica\`; a blue-green upgrade replicates logically: ` +
        'set `parameters: { wal_level: "logical" }` on the source (the server restarts) and run `pulumi up` before adding the BlueGreenUpgrade',
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepStrictEqual(mocks.byType("pgplatform:index:BlueGreenUpgrade"), []);
    assert.deepStrictEqual(mocks.byType(UPGRADE_TYPE), []);
  });

  it("a pg_single to pg_cluster migration: the green side is a local PgCluster (LocalCluster) at the source's major, recorded as single_to_cluster", async () => {
    mocks = setStrictMocks(exampleHandlers(), { allowComponents: ["pgplatform:index:*"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } });
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "small_single", version: "15", parameters: { wal_level: "logical" }, backup: { enabled: false } });
    new BlueGreenUpgrade("orders-ha", { source: db, targetPlan: "prod_ha" });
    await settle(mocks);
    const names = mocks.registrations.map((r) => `${r.type} ${r.name}`);
    assert.deepStrictEqual(names.slice(names.indexOf("pgplatform:index:BlueGreenUpgrade orders-ha")).sort(), [
      "pgplatform:index:BlueGreenUpgrade orders-ha",
      "pulumi-nodejs:dynamic/pgplatform:LocalCluster orders-ha-green-cluster",
      `${UPGRADE_TYPE} orders-ha-upgrade`,
      `${RANDOM_PASSWORD_TYPE} orders-ha-endpoint-console-password`,
      `${RANDOM_PASSWORD_TYPE} orders-ha-green-app-password`,
      `${RANDOM_PASSWORD_TYPE} orders-ha-green-replication-password`,
      `${RANDOM_PASSWORD_TYPE} orders-ha-green-superuser-password`,
    ].sort());
    const cluster = unwrapSecrets(mocks.byType("pulumi-nodejs:dynamic/pgplatform:LocalCluster")[0].inputs);
    assert.strictEqual(cluster.version, "15");
    assert.strictEqual(cluster.standbys, 2, "prod_ha's standbys");
    const upgrade = unwrapSecrets(mocks.byType(UPGRADE_TYPE)[0].inputs);
    assert.deepStrictEqual(upgrade.migration, {
      fromVersion: "15",
      migrationType: "single_to_cluster",
      sourceResourceId: "shop-staging-orders-9af1f7d1",
      targetResourceId: "shop-staging-orders-ha-green-8064a677",
      toVersion: "15",
    });
    assert.strictEqual(upgrade.green.version, "15");
  });
});

void pulumi;
