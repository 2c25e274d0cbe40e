/**
 * PgCluster on the local back end under strict mocks: the exact children (three passwords and one
 * LocalCluster), the LocalCluster's inputs, the normalized outputs read from it (stable write and
 * read endpoints, topology), secrets kept secret, `lifecycle.state: paused` as the `paused` input
 * (PENDING, catalogued PAUSED), `lifecycle.deletionPolicy` and `softDeleteRetentionDays` as inputs
 * (soft delete is no longer warned about), and the clear refusals.
 */
import assert from "assert";
import { warningsOf } from "./aws/support";
import * as path from "path";
import { PgCluster } from "../../components";
import { DEFAULT_TIMING } from "../../components/backends/local/cluster/spec";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";

const CLUSTER_TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalCluster";
const GUARD_TYPE = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";
const RECORD_TYPE = "pulumi-nodejs:dynamic/pgplatform:CatalogRecord";
const ROOT = path.resolve(__dirname, "..", "..");
const MEMBERS = [
  { name: "node0", role: "primary", host: "127.0.0.1", port: 7100, state: "running", lagBytes: 0, timeline: 2, pendingRestart: false },
  { name: "node1", role: "standby", host: "127.0.0.1", port: 7101, state: "running", lagBytes: 128, timeline: 2, pendingRestart: false },
  { name: "node2", role: "standby", host: "127.0.0.1", port: 7102, state: "stopped", pendingRestart: false },
];

function mocksFor(config: Record<string, string> = { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" }): StrictMocks {
  let n = 0;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [CLUSTER_TYPE]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: {
          ...a.inputs, host: "127.0.0.1", writePort: 7000, readPort: 7001, etcdPort: 7002, primary: "node0", members: MEMBERS, history: [],
          status: unwrapSecrets(a.inputs).paused === true ? "PENDING" : "RUNNING", running: false, drift: ["member node2: patroni stopped"],
        },
      }),
      [GUARD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
      [RECORD_TYPE]: (a) => ({ id: `db_resource/${unwrapSecrets(a.inputs).recordId}`, state: a.inputs }),
    },
    { allowComponents: ["pgplatform:index:PgCluster"], config },
  );
}

const ARGS = { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15 } as const;

describe("PgCluster on the local back end (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("registers three passwords and one LocalCluster, each parented to the component", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS });
    await details(db.metadata);
    const own = mocks.registrations.filter((r) => r.type !== GUARD_TYPE).map((r) => `${r.type} ${r.name}`);
    assert.deepStrictEqual(own, [
      "pgplatform:index:PgCluster orders",
      `${RANDOM_PASSWORD_TYPE} orders-superuser-password`,
      `${RANDOM_PASSWORD_TYPE} orders-replication-password`,
      `${RANDOM_PASSWORD_TYPE} orders-app-password`,
      `${CLUSTER_TYPE} orders-cluster`,
    ]);
    for (const child of mocks.registrations.slice(1)) assert.match(String(child.parent), /::pgplatform:index:PgCluster::orders$/, `${child.name} is parented to the component`);
    for (const pw of mocks.byType(RANDOM_PASSWORD_TYPE)) assert.deepStrictEqual(pw.inputs, { length: 32, special: false });
  });

  it("gives the LocalCluster the resolved spec: standbys, sync mode, Patroni timing, parameters, secrets wrapped", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS });
    await details(db.metadata);
    const [cluster] = mocks.byType(CLUSTER_TYPE);
    for (const k of ["superuserPassword", "replicationPassword", "password"]) assert.ok(isSecretWrapped(cluster.inputs[k]), `${k} is a secret input`);
    const { __provider, ...inputs } = unwrapSecrets(cluster.inputs);
    assert.strictEqual(typeof __provider, "string");
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:cluster",
      resourceId: "shop-prod-orders-d6e77052",
      resourceKind: "pg_cluster",
      version: "15",
      dataRoot: "/srv/pg",
      runAs: "postgres",
      allowedCidrs: ["127.0.0.1/32"],
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      replicationPassword: "pw2".padEnd(32, "x"),
      databaseName: "app",
      username: "app",
      password: "pw3".padEnd(32, "x"),
      parameters: {
        timezone: "UTC",
        log_timezone: "UTC",
        password_encryption: "scram-sha-256",
        idle_in_transaction_session_timeout: "10min",
        max_connections: "400",
        log_min_duration_statement: "1000ms",
        shared_buffers: "512MB",
        effective_cache_size: "1536MB",
        work_mem: "8MB",
        maintenance_work_mem: "128MB",
      },
      standbys: 2,
      syncStandbys: 1,
      timing: { ...DEFAULT_TIMING },
      storageGb: 200,
      binarySearchPaths: [ROOT],
      archiveCommand:
        "if [ -f '/srv/pg/shop-prod-orders-d6e77052/backup/pgbackrest.conf' ]; then exec '/usr/bin/pgbackrest' '--config=/srv/pg/shop-prod-orders-d6e77052/backup/pgbackrest.conf' " +
        `'--stanza=shop-prod-orders-d6e77052' "--pg1-path=$PWD" archive-push "$PWD/%p"; fi`,
      backupAccess: true,
      maintenanceWindow: "sun:04:00-sun:05:00",
      applyImmediately: false,
      deletionPolicy: "soft",
      softDeleteRetentionDays: 7,
      labels: {
        "pgplatform.io/project": "shop",
        "pgplatform.io/environment": "prod",
        "pgplatform.io/environment-tier": "production",
        "pgplatform.io/plan": "prod_ha",
        "pgplatform.io/resource-id": "shop-prod-orders-d6e77052",
        "pgplatform.io/kind": "pg_cluster",
        "app.kubernetes.io/managed-by": "pgplatform",
      },
    });
    assert.deepStrictEqual(DEFAULT_TIMING, { ttl: 4, loopWait: 1, retryTimeout: 2 });
  });

  it("asynchronous replication and more standbys reach the LocalCluster as given", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS, standbys: 3, replicationMode: "async" });
    await details(db.metadata);
    const inputs = unwrapSecrets(mocks.byType(CLUSTER_TYPE)[0].inputs);
    assert.deepStrictEqual({ standbys: inputs.standbys, syncStandbys: inputs.syncStandbys }, { standbys: 3, syncStandbys: 0 });
  });

  it("exposes the HAProxy write and read ports as endpoints, the live topology, and secret connections", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS });
    assert.deepStrictEqual((await details(db.endpoints.write.port)).value, 7000);
    assert.deepStrictEqual((await details(db.endpoints.read.port)).value, 7001);
    assert.deepStrictEqual(await details(db.connection.uri), { value: `postgresql://app:${"pw3".padEnd(32, "x")}@127.0.0.1:7000/app`, isKnown: true, isSecret: true });
    assert.deepStrictEqual(await details(db.readConnection.uri), { value: `postgresql://app:${"pw3".padEnd(32, "x")}@127.0.0.1:7001/app`, isKnown: true, isSecret: true });
    assert.deepStrictEqual(await details(db.adminConnection.uri), { value: `postgresql://postgres:${"pw1".padEnd(32, "x")}@127.0.0.1:7000/postgres`, isKnown: true, isSecret: true });
    assert.deepStrictEqual((await details(db.topology)).value, {
      primary: "node0",
      members: [
        { name: "node0", role: "primary", host: "127.0.0.1", port: 7100, state: "running", lagBytes: 0 },
        { name: "node1", role: "standby", host: "127.0.0.1", port: 7101, state: "running", lagBytes: 128 },
        { name: "node2", role: "standby", host: "127.0.0.1", port: 7102, state: "stopped" },
      ],
      routing: { writes: "127.0.0.1:7000 (HAProxy to Patroni's primary)", reads: "127.0.0.1:7001 (HAProxy over the running standbys)" },
    });
    assert.strictEqual((await details(db.status)).value, "RUNNING");
    assert.deepStrictEqual((await details(db.metadata)).value, {
      kind: "pg_cluster",
      plan: "prod_ha",
      version: "15",
      backend: "local",
      region: "local",
      size: { compute: "shared_buffers=512MB, 3 nodes", storageGb: 200 },
    });
  });

  it("passes the catalogue to the LocalCluster, so it records failovers, when the catalogue is on", async () => {
    mocks = mocksFor({ "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "local" });
    const db = new PgCluster("orders", { ...ARGS });
    await details(db.metadata);
    await settle(mocks);
    const [cluster] = mocks.byType(CLUSTER_TYPE);
    assert.ok(isSecretWrapped(cluster.inputs.catalog), "the catalogue input is a secret");
    assert.deepStrictEqual(unwrapSecrets(cluster.inputs.catalog), { local: { dataRoot: "/srv/pg", runAs: "postgres", binarySearchPaths: [ROOT] } });
    assert.strictEqual(mocks.byType(RECORD_TYPE).length, 1, "the PgCluster records itself");
  });

  it("passes `lifecycle.state: paused` to the LocalCluster as `paused`; the status is PENDING and the catalogue records PAUSED", async () => {
    mocks = mocksFor({ "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "local" });
    const db = new PgCluster("orders", { ...ARGS, lifecycle: { state: "paused" } });
    await details(db.metadata);
    await settle(mocks);
    const inputs = unwrapSecrets(mocks.byType(CLUSTER_TYPE)[0].inputs);
    assert.strictEqual(inputs.paused, true);
    assert.strictEqual((await details(db.status)).value, "PENDING");
    assert.deepStrictEqual((await details(db.endpoints.write.port)).value, 7000, "the ports are kept while paused");
    const [record] = mocks.byType(RECORD_TYPE);
    assert.deepStrictEqual([unwrapSecrets(record.inputs).data.lifecycle, unwrapSecrets(record.inputs).data.status], ["PAUSED", "PENDING"]);

    mocks = mocksFor({ "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "local" });
    const active = new PgCluster("orders", { ...ARGS, lifecycle: { state: "active" } });
    await details(active.metadata);
    await settle(mocks);
    assert.strictEqual("paused" in unwrapSecrets(mocks.byType(CLUSTER_TYPE)[0].inputs), false, "an active cluster gives no `paused` input");
    assert.strictEqual(unwrapSecrets(mocks.byType(RECORD_TYPE)[0].inputs).data.lifecycle, "ACTIVE");
  });

  it("gives the LocalCluster the deletion policy and retention (prod_ha: soft, 7 days; as given otherwise) and warns about neither", async () => {
    mocks = mocksFor();
    const soft = await warningsOf(async () => {
      await details(new PgCluster("orders", { ...ARGS }).metadata);
    });
    mocks = mocksFor();
    const hard = await warningsOf(async () => {
      await details(new PgCluster("orders", { ...ARGS, lifecycle: { deletionPolicy: "hard" } }).metadata);
    });
    const hardInputs = unwrapSecrets(mocks.byType(CLUSTER_TYPE)[0].inputs);
    mocks = mocksFor();
    await details(new PgCluster("orders", { ...ARGS, lifecycle: { deletionPolicy: "soft", softDeleteRetentionDays: 30 } }).metadata);
    const longer = unwrapSecrets(mocks.byType(CLUSTER_TYPE)[0].inputs);
    assert.deepStrictEqual(
      [hardInputs, longer].map((i) => [i.deletionPolicy, i.softDeleteRetentionDays]),
      [["hard", 7], ["soft", 30]],
    );
    // The plan's backup warning stays; nothing says soft delete is unavailable any more.
    assert.deepStrictEqual([...soft, ...hard].filter((w) => /deletion|soft/i.test(w)), []);
    assert.ok(soft.some((w) => w.includes("until a BackupPolicy targets it")), `warnings are captured: ${JSON.stringify(soft)}`);
  });

  it("refuses what a local cluster cannot do, listing every problem, before registering anything", () => {
    mocks = mocksFor();
    assert.throws(() => new PgCluster("orders", { ...ARGS, readReplicas: 1, lifecycle: { state: "paused" }, local: { port: 6543 }, quotas: { maxConnections: 50 }, maintenance: { vacuumAnalyze: true } }), {
      message:
        'PgCluster "orders" asks for what the local back end cannot do yet:\n' +
        "  - `readReplicas` 1: read replicas of a local PgCluster come with a ReadReplicaSet whose `source` is this cluster\n" +
        "  - `quotas`: db_resource quotas on the local back end are enforced on a PgSingle; a PgCluster's are not available yet\n" +
        "  - `maintenance.vacuumAnalyze`: scheduled maintenance on the local back end runs on a PgSingle (pg_cron); a PgCluster's is not available yet\n" +
        "  - `local.port` 6543: a local PgCluster chooses free ports for its write and read endpoints (and every member) at create and keeps them",
    });
    assert.deepStrictEqual(mocks.registrations, []);
  });
});
