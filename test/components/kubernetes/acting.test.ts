/**
 * The components that act on a db_resource, on the kubernetes back end under strict mocks:
 * ReadReplicaSet (replica cluster, lag probe, per-replica Services, Poolers), BackupPolicy (its own
 * ScheduledBackup, next run, last success from the ObjectStore status), restores (clone at a time,
 * in place with a safety Backup) and BlueGreenUpgrade (green Cluster, logical replication, the
 * stable Service's selector per phase).
 */
import assert from "assert";
import { BackupPolicy, BlueGreenUpgrade, PgCluster, PgSingle, ReadReplicaSet } from "../../../components";
import { RANDOM_PASSWORD_TYPE } from "../../harness/engine";
import { kubernetesEcho } from "../../harness/handlers/kubernetes";
import { StrictMocks, setStrictMocks, settle, unwrapSecrets } from "../../harness/mocks";
import { valueOf } from "../../harness/outputs";
import * as pulumi from "@pulumi/pulumi";
import { STORE } from "./cases";

const GUARD = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";

function mocksFor(storeStatus?: Record<string, any>): StrictMocks {
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: a.name, state: { ...a.inputs, result: `${a.name}`.padEnd(32, "x") } }),
      [GUARD]: (a) => ({ id: a.name, state: a.inputs }),
      "kubernetes:barmancloud.cnpg.io/v1:ObjectStore": (a) => {
        const r = kubernetesEcho(a) as { id: string; state: Record<string, any> };
        return { id: r.id, state: { ...r.state, ...(storeStatus ? { status: storeStatus } : {}) } };
      },
      "kubernetes:*": kubernetesEcho,
    },
    { allowComponents: ["pgplatform:index:*", "pgplatform-test:*"], config: { "pgplatform:catalog": "off" } },
  );
}
const obj = (m: StrictMocks, name: string) => {
  const r = m.registrations.find((x) => x.name === name);
  assert.ok(r, `${name} registered`);
  return unwrapSecrets(r.inputs);
};
const names = (m: StrictMocks, prefix: string) => m.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith(prefix)).map((r) => `${r.type.replace("kubernetes:", "")} ${r.name}`).sort();
const prod = { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "kubernetes" as const, kubernetes: { namespace: "shop", storageClass: "fast", backupStore: STORE } };
const staging = { projectId: "shop", environmentId: "staging", plan: "small_single", backend: "kubernetes" as const, kubernetes: { namespace: "shop", backupStore: STORE } };

describe("kubernetes back end: acting components (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("ReadReplicaSet: a replica cluster with the lag probe, one Service per replica, rw and ro Poolers, NetworkPolicies both ways", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", prod);
    const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 2, maxLagBytes: 67108864, endpointStrategy: "per_replica", pooling: { mode: "transaction", maxClientConnections: 500, defaultPoolSize: 40 } });
    await settle(mocks);
    assert.deepStrictEqual(names(mocks, "orders-reads"), [
      "core/v1:Service orders-reads-instance-1",
      "core/v1:Service orders-reads-instance-2",
      "networking.k8s.io/v1:NetworkPolicy orders-reads-pooler-network-policy",
      "networking.k8s.io/v1:NetworkPolicy orders-reads-replica-access",
      "networking.k8s.io/v1:NetworkPolicy orders-reads-replica-network-policy",
      "postgresql.cnpg.io/v1:Cluster orders-reads-cluster",
      "postgresql.cnpg.io/v1:Pooler orders-reads-pooler-ro",
      "postgresql.cnpg.io/v1:Pooler orders-reads-pooler-rw",
    ]);
    const c = obj(mocks, "orders-reads-cluster").spec;
    assert.strictEqual(c.instances, 2);
    assert.deepStrictEqual(c.replica, { enabled: true, source: "origin" });
    assert.deepStrictEqual(c.probes, { readiness: { type: "streaming", maximumLag: "67108864" } });
    assert.deepStrictEqual(c.externalClusters, [
      {
        name: "origin",
        connectionParameters: { host: "orders-rw", user: "streaming_replica", dbname: "postgres", sslmode: "verify-full" },
        sslKey: { name: "orders-replication", key: "tls.key" },
        sslCert: { name: "orders-replication", key: "tls.crt" },
        sslRootCert: { name: "orders-ca", key: "ca.crt" },
      },
    ]);
    assert.strictEqual(c.postgresql.synchronous, undefined, "a replica cluster is never synchronous");
    assert.strictEqual(c.plugins, undefined, "a replica cluster does not archive");
    assert.deepStrictEqual(obj(mocks, "orders-reads-pooler-ro").spec, {
      cluster: { name: "orders-reads" },
      type: "r",
      instances: 2,
      pgbouncer: { poolMode: "transaction", parameters: { max_client_conn: "500", default_pool_size: "40" } },
    });
    assert.deepStrictEqual(obj(mocks, "orders-reads-pooler-rw").spec.cluster, { name: "orders" });
    assert.deepStrictEqual(obj(mocks, "orders-reads-instance-2").spec.selector, { "cnpg.io/cluster": "orders-reads", "cnpg.io/instanceName": "orders-reads-2" });
    assert.deepStrictEqual(obj(mocks, "orders-reads-replica-access").spec, {
      podSelector: { matchLabels: { "cnpg.io/cluster": "orders" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "orders-reads" } } }, { podSelector: { matchLabels: { "cnpg.io/poolerName": "orders-reads-pooler-rw" } } }], ports: [{ protocol: "TCP", port: 5432 }] }],
    });
    assert.strictEqual(await valueOf(reads.readEndpoint.host), "orders-reads-r.shop.svc.cluster.local");
    assert.deepStrictEqual(await Promise.all(reads.replicaEndpoints.map((e) => valueOf(e.host))), ["orders-reads-instance-1.shop.svc.cluster.local", "orders-reads-instance-2.shop.svc.cluster.local"]);
    assert.strictEqual(await valueOf(reads.pooler!.write!.host), "orders-reads-pooler-rw.shop.svc.cluster.local");
    assert.strictEqual(await valueOf(reads.readConnection.host), "orders-reads-pooler-ro.shop.svc.cluster.local");
    assert.deepStrictEqual((await valueOf(reads.topology)).members.map((m) => m.role), ["replica", "replica"]);
  });

  it("BackupPolicy: its own ScheduledBackup when its cron differs, next run from the cron, last success and status from the ObjectStore", async () => {
    mocks = mocksFor({ serverRecoveryWindow: { "orders-pg17": { firstRecoverabilityPoint: "2026-06-01T03:00:00Z", lastSuccessfulBackupTime: "2026-07-01T03:04:05Z" } } });
    const db = new PgSingle("orders", staging);
    const same = new BackupPolicy("orders-daily", { target: db });
    const own = new BackupPolicy("orders-weekdays", { target: db, schedule: "30 */6 * * 1-5", fullBackupEvery: "day" });
    await settle(mocks);
    assert.deepStrictEqual(names(mocks, "orders-daily"), [], "the plan's daily schedule is the db_resource's own ScheduledBackup");
    assert.deepStrictEqual(obj(mocks, "orders-weekdays-scheduled-backup"), {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: { name: "orders-orders-weekdays", namespace: "shop", labels: obj(mocks, "orders-cluster").metadata.labels },
      spec: { schedule: "0 30 */6 * * 1-5", cluster: { name: "orders" }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" }, backupOwnerReference: "self", target: "prefer-standby" },
    });
    assert.match(await valueOf(own.nextSchedule), /^\d{4}-\d{2}-\d{2}T(00|06|12|18):30:00\.000Z$/);
    assert.strictEqual(await valueOf(same.lastSuccessful), "2026-07-01T03:04:05Z");
    assert.strictEqual(await valueOf(same.status), "RUNNING");
    assert.deepStrictEqual(await valueOf(same.backups), []);
  });

  it("restore as a clone: a new Cluster recovering from the policy's archive to a time, archiving under its own server name", async () => {
    mocks = mocksFor();
    const policy = new BackupPolicy("orders-backups", { target: new PgSingle("orders", staging) });
    new PgSingle("orders-copy", { ...staging, restore: { from: policy, targetTime: "2026-07-01T10:15:00+02:00" } });
    await settle(mocks);
    const s = obj(mocks, "orders-copy-cluster").spec;
    assert.deepStrictEqual(s.bootstrap, {
      recovery: { source: "origin", database: "app", owner: "app", secret: { name: "orders-copy-app-credentials" }, recoveryTarget: { targetTime: "2026-07-01T08:15:00.000Z" } },
    });
    assert.deepStrictEqual(s.externalClusters, [{ name: "origin", plugin: { name: "barman-cloud.cloudnative-pg.io", parameters: { barmanObjectName: "orders-store", serverName: "orders-pg17" } } }]);
    assert.deepStrictEqual(s.plugins[0].parameters, { barmanObjectName: "orders-copy-store", serverName: "orders-copy-pg17" });
  });

  it("restore in place: a safety Backup the provider waits for, then the Cluster re-bootstrapped from its own archive", async () => {
    mocks = mocksFor();
    class Previous extends pulumi.ComponentResource {
      constructor() {
        super("pgplatform-test:index:Previous", "before");
      }
    }
    const previous = new Previous();
    const policy = new BackupPolicy("orders-backups", { target: new PgSingle("orders", staging, { parent: previous }) }, { parent: previous });
    new PgSingle("orders", { ...staging, restore: { from: policy, mode: "in_place", confirm: true, targetLsn: "0/3000060" } });
    await settle(mocks);
    const restored = mocks.registrations.filter((r) => r.name === "orders-cluster").map((r) => unwrapSecrets(r.inputs));
    const cluster = restored.find((c) => c.spec.bootstrap.recovery)!;
    assert.deepStrictEqual(cluster.spec.bootstrap.recovery.recoveryTarget, { targetLSN: "0/3000060" });
    assert.deepStrictEqual(cluster.metadata.annotations, { "cnpg.io/skipEmptyWalArchiveCheck": "enabled" });
    const safety = obj(mocks, "orders-safety-backup");
    assert.match(safety.metadata.name, /^orders-safety-[0-9a-f]{8}$/);
    assert.deepStrictEqual(safety.metadata.annotations, { "pulumi.com/waitFor": "jsonpath={.status.phase}=completed" });
    assert.deepStrictEqual(safety.spec, { cluster: { name: "orders" }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" }, target: "primary" });
  });

  it("restore in place from its own archive, in one program (no BackupPolicy: `from` left out)", async () => {
    mocks = mocksFor();
    new PgSingle("orders", { ...staging, restore: { mode: "in_place", confirm: true, targetTime: "2026-07-01T08:15:00Z" } });
    await settle(mocks);
    const cluster = obj(mocks, "orders-cluster");
    assert.deepStrictEqual(cluster.spec.bootstrap.recovery.recoveryTarget, { targetTime: "2026-07-01T08:15:00.000Z" });
    assert.deepStrictEqual(cluster.spec.externalClusters, [{ name: "origin", plugin: { name: "barman-cloud.cloudnative-pg.io", parameters: { barmanObjectName: "orders-store", serverName: "orders-pg17" } } }]);
    assert.deepStrictEqual(cluster.metadata.annotations, { "cnpg.io/skipEmptyWalArchiveCheck": "enabled" });
    assert.deepStrictEqual(obj(mocks, "orders-safety-backup").spec.cluster, { name: "orders" });
  });

  for (const [phase, side] of [["prepare", "blue"], ["cutover", "green"], ["finalize", "green"], ["rollback", "blue"]] as const) {
    it(`BlueGreenUpgrade ${phase}: the stable Service selects the ${side} primary`, async () => {
      mocks = mocksFor();
      const blue = new PgSingle("orders", { ...staging, version: "16" });
      const upgrade = new BlueGreenUpgrade("orders-17", { source: blue, targetVersion: "17", phase, tablesWithoutPrimaryKey: "refuse" });
      await settle(mocks);
      const stable = obj(mocks, "orders-17-stable");
      assert.deepStrictEqual(stable.spec.selector, { "cnpg.io/cluster": side === "blue" ? "orders" : "orders-green", "cnpg.io/instanceRole": "primary" });
      assert.strictEqual(await valueOf(upgrade.activeSide), side);
      assert.strictEqual(await valueOf(upgrade.connection.host), "orders-stable.shop.svc.cluster.local");
      assert.strictEqual(await valueOf(upgrade.connection.password), await valueOf(blue.connection.password));
      const green = obj(mocks, "orders-17-green-cluster");
      assert.strictEqual(green.spec.imageName, "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie");
      assert.deepStrictEqual(green.spec.bootstrap.initdb.import, { type: "microservice", databases: ["app"], source: { externalCluster: "blue" }, schemaOnly: true });
      const replication = names(mocks, "orders-17").filter((n) => /Publication|Subscription/.test(n));
      assert.deepStrictEqual(replication, phase === "finalize" ? [] : ["postgresql.cnpg.io/v1:Publication orders-17-publication", "postgresql.cnpg.io/v1:Subscription orders-17-subscription"]);
      if (phase !== "finalize") {
        assert.deepStrictEqual(obj(mocks, "orders-17-subscription").spec, {
          cluster: { name: "orders-green" },
          dbname: "app",
          name: "pgplatform_upgrade",
          externalClusterName: "blue",
          publicationName: "pgplatform_upgrade",
          subscriptionReclaimPolicy: "delete",
        });
      }
    });
  }
});
