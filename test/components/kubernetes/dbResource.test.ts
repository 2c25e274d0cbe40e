/**
 * PgSingle and PgCluster on the kubernetes back end under strict mocks: the exact children (kinds,
 * names, namespaces), the exact Cluster specs, Secrets, NetworkPolicy, backups, monitoring and
 * maintenance objects, labels on every object, and the normalized outputs read from the Cluster.
 */
import assert from "assert";
import { PgCluster, PgSingle } from "../../../components";
import { RANDOM_PASSWORD_TYPE } from "../../harness/engine";
import { healthyClusterStatus, kubernetesEcho } from "../../harness/handlers/kubernetes";
import { Registration, StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../../harness/mocks";
import { details, valueOf } from "../../harness/outputs";
import { STORE } from "./cases";

const GUARD = "pulumi-nodejs:dynamic/pgplatform:ChangeGuard";

function mocksFor(): StrictMocks {
  let n = 0;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [GUARD]: (a) => ({ id: a.name, state: a.inputs }),
      "kubernetes:*": kubernetesEcho,
    },
    { allowComponents: ["pgplatform:index:*"], config: { "pgplatform:catalog": "off" } },
  );
}

const byName = (m: StrictMocks, name: string): Registration => {
  const r = m.registrations.find((x) => x.name === name);
  assert.ok(r, `${name} registered`);
  return r;
};
const obj = (m: StrictMocks, name: string) => unwrapSecrets(byName(m, name).inputs);
const k8sNames = (m: StrictMocks) => m.registrations.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type} ${r.name}`).sort();

const DEV_LABELS = {
  "app.kubernetes.io/managed-by": "pgplatform",
  "pgplatform.io/environment": "dev",
  "pgplatform.io/environment-tier": "dev",
  "pgplatform.io/kind": "pg_single",
  "pgplatform.io/plan": "dev_single",
  "pgplatform.io/project": "shop",
  "pgplatform.io/resource-id": "shop-dev-cart-6e6e2f91",
};

describe("kubernetes back end: PgSingle and PgCluster (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  describe("a dev_single PgSingle", () => {
    let db: PgSingle;
    before(async () => {
      mocks = mocksFor();
      db = new PgSingle("cart", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "kubernetes", network: { allowedPodLabels: { app: "cart" } }, kubernetes: { namespace: "shop-dev" } });
      await settle(mocks);
    });

    it("registers exactly its Kubernetes children, each parented to the component and labelled", () => {
      assert.deepStrictEqual(k8sNames(mocks), [
        "kubernetes:batch/v1:CronJob cart-vacuum",
        "kubernetes:core/v1:Secret cart-app-secret",
        "kubernetes:core/v1:Secret cart-superuser-secret",
        "kubernetes:monitoring.coreos.com/v1:PodMonitor cart-pod-monitor",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule cart-alerts",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy cart-network-policy",
        "kubernetes:postgresql.cnpg.io/v1:Cluster cart-cluster",
      ]);
      assert.deepStrictEqual(mocks.byType(RANDOM_PASSWORD_TYPE).map((r) => [r.name, r.inputs]), [
        ["cart-app-password", { length: 32, special: false }],
        ["cart-superuser-password", { length: 32, special: false }],
      ]);
      for (const r of mocks.registrations.filter((x) => x.type.startsWith("kubernetes:"))) {
        assert.match(String(r.parent), /::pgplatform:index:PgSingle::cart$/, `${r.name} is parented to the component`);
        const meta = unwrapSecrets(r.inputs).metadata;
        assert.strictEqual(meta.namespace, "shop-dev", `${r.name} namespace`);
        assert.deepStrictEqual(meta.labels, DEV_LABELS, `${r.name} labels`);
      }
    });

    it("renders the CNPG Cluster: 1 instance, no PDB, initdb with the app's Secret, plan compute, storage and parameters", () => {
      const c = obj(mocks, "cart-cluster");
      assert.deepStrictEqual(c, {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: "cart", namespace: "shop-dev", labels: DEV_LABELS },
        spec: {
          description: "pgplatform pg_single shop-dev-cart-6e6e2f91 (plan dev_single)",
          instances: 1,
          imageName: "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie",
          enablePDB: false,
          enableSuperuserAccess: true,
          superuserSecret: { name: "cart-superuser-credentials" },
          inheritedMetadata: { labels: DEV_LABELS },
          postgresql: {
            parameters: {
              timezone: "UTC",
              log_timezone: "UTC",
              password_encryption: "scram-sha-256",
              idle_in_transaction_session_timeout: "10min",
              max_connections: "50",
              log_min_duration_statement: "1000ms",
              shared_buffers: "128MB",
              effective_cache_size: "384MB",
              work_mem: "4MB",
              maintenance_work_mem: "64MB",
            },
          },
          bootstrap: { initdb: { database: "app", owner: "app", secret: { name: "cart-app-credentials" }, dataChecksums: true, encoding: "UTF8" } },
          storage: { size: "20Gi", resizeInUseVolumes: true },
          resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "250m", memory: "512Mi" } },
          affinity: { enablePodAntiAffinity: false, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "preferred" },
          primaryUpdateStrategy: "unsupervised",
          primaryUpdateMethod: "restart",
          failoverDelay: 0,
          switchoverDelay: 3600,
        },
      });
    });

    it("keeps passwords in basic-auth Secrets as Pulumi secrets", () => {
      const app = byName(mocks, "cart-app-secret");
      assert.ok(isSecretWrapped(app.inputs.stringData), "stringData is a secret");
      assert.deepStrictEqual(unwrapSecrets(app.inputs), {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cart-app-credentials", namespace: "shop-dev", labels: DEV_LABELS },
        type: "kubernetes.io/basic-auth",
        stringData: { username: "app", password: "pw1".padEnd(32, "x") },
      });
      assert.deepStrictEqual(obj(mocks, "cart-superuser-secret").stringData, { username: "postgres", password: "pw2".padEnd(32, "x") });
    });

    it("admits port 5432 only from the allowlisted pods (and maintenance), the instances to each other, the operator to 8000", () => {
      assert.deepStrictEqual(obj(mocks, "cart-network-policy").spec, {
        podSelector: { matchLabels: { "cnpg.io/cluster": "cart" } },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: "cart" } } }, { podSelector: { matchLabels: { "pgplatform.io/maintenance-of": "cart" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
          { from: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "cart" } } }], ports: [{ protocol: "TCP", port: 5432 }, { protocol: "TCP", port: 8000 }] },
          { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
        ],
      });
    });

    it("runs vacuumdb at the plan's maintenance window, within its length", () => {
      const spec = obj(mocks, "cart-vacuum").spec;
      assert.strictEqual(spec.schedule, "0 4 * * 0");
      assert.strictEqual(spec.timeZone, "Etc/UTC");
      assert.strictEqual(spec.jobTemplate.spec.activeDeadlineSeconds, 3600);
      const container = spec.jobTemplate.spec.template.spec.containers[0];
      assert.deepStrictEqual(container.command, ["vacuumdb", "--all", "--analyze", "--skip-locked", "--jobs=2"]);
      assert.deepStrictEqual(container.env.slice(0, 3), [
        { name: "PGHOST", value: "cart-rw" },
        { name: "PGPORT", value: "5432" },
        { name: "PGSSLMODE", value: "require" },
      ]);
    });

    it("alerts on storage and connections from the plan's max_connections; no lag or backup alerts for a lone node without backups", () => {
      const rules = obj(mocks, "cart-alerts").spec.groups[0].rules;
      assert.deepStrictEqual(rules.map((r: any) => r.alert), ["PgplatformStorageNearFull", "PgplatformConnectionsNearMax"]);
      assert.strictEqual(rules[1].expr, 'sum by (pod) (cnpg_backends_total{namespace="shop-dev", pod=~"cart-[0-9]+"}) > 40');
      assert.deepStrictEqual(obj(mocks, "cart-pod-monitor").spec, { selector: { matchLabels: { "cnpg.io/cluster": "cart" } }, podMetricsEndpoints: [{ port: "metrics" }] });
    });

    it("gives the -rw Service as the write endpoint, secrets as secrets, status and topology from the Cluster status", async () => {
      assert.strictEqual(await valueOf(db.connection.host), "cart-rw.shop-dev.svc.cluster.local");
      assert.strictEqual(await valueOf(db.connection.port), 5432);
      assert.strictEqual(await valueOf(db.endpoints.read.host), "cart-r.shop-dev.svc.cluster.local");
      const uri = await details(db.connection.uri);
      assert.ok(uri.isSecret);
      assert.strictEqual(uri.value, `postgresql://app:${"pw1".padEnd(32, "x")}@cart-rw.shop-dev.svc.cluster.local:5432/app`);
      assert.ok((await details(db.adminConnection.password)).isSecret);
      assert.strictEqual(await valueOf(db.status), "RUNNING");
      assert.deepStrictEqual(await valueOf(db.topology), {
        primary: "cart-1",
        members: [{ name: "cart-1", role: "primary", state: "healthy" }],
        routing: { writes: "cart-rw.shop-dev.svc.cluster.local:5432", reads: "cart-r.shop-dev.svc.cluster.local:5432 (its only node: add a ReadReplicaSet for read scale)" },
      });
      assert.deepStrictEqual(await valueOf(db.metadata), {
        kind: "pg_single",
        plan: "dev_single",
        version: "17",
        backend: "kubernetes",
        region: "kubernetes:shop-dev",
        size: { compute: "cpu=250m memory=512Mi", storageGb: 20 },
      });
    });
  });

  describe("a production prod_ha PgCluster", () => {
    let db: PgCluster;
    before(async () => {
      mocks = mocksFor();
      db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "kubernetes", kubernetes: { namespace: "shop", storageClass: "fast", backupStore: STORE } });
      await settle(mocks);
    });

    it("registers the archive, the hourly ScheduledBackup and the soft-delete reaper besides the Cluster", () => {
      assert.deepStrictEqual(k8sNames(mocks), [
        "kubernetes:barmancloud.cnpg.io/v1:ObjectStore orders-object-store",
        "kubernetes:batch/v1:CronJob orders-reaper",
        "kubernetes:batch/v1:CronJob orders-vacuum",
        "kubernetes:core/v1:ConfigMap orders-marker",
        "kubernetes:core/v1:Secret orders-app-secret",
        "kubernetes:core/v1:Secret orders-superuser-secret",
        "kubernetes:core/v1:ServiceAccount orders-reaper-account",
        "kubernetes:monitoring.coreos.com/v1:PodMonitor orders-pod-monitor",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule orders-alerts",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy orders-network-policy",
        "kubernetes:postgresql.cnpg.io/v1:Cluster orders-cluster",
        "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup orders-scheduled-backup",
        "kubernetes:rbac.authorization.k8s.io/v1:Role orders-reaper-role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding orders-reaper-binding",
      ]);
    });

    it("has 1 + 2 instances, quorum-synchronous commits, zone anti-affinity and spread, switchover updates, the WAL archiver plugin", () => {
      const s = obj(mocks, "orders-cluster").spec;
      assert.strictEqual(s.instances, 3);
      assert.strictEqual(s.enablePDB, true);
      assert.deepStrictEqual(s.postgresql.synchronous, { method: "any", number: 1, dataDurability: "required", failoverQuorum: true });
      assert.deepStrictEqual(s.affinity, { enablePodAntiAffinity: true, topologyKey: "topology.kubernetes.io/zone", podAntiAffinityType: "required" });
      assert.deepStrictEqual(s.topologySpreadConstraints, [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "cnpg.io/cluster": "orders" } } },
      ]);
      assert.strictEqual(s.primaryUpdateMethod, "switchover");
      assert.deepStrictEqual(s.storage, { size: "200Gi", resizeInUseVolumes: true, storageClass: "fast" });
      assert.deepStrictEqual(s.plugins, [
        { name: "barman-cloud.cloudnative-pg.io", enabled: true, isWALArchiver: true, parameters: { barmanObjectName: "orders-store", serverName: "orders-pg17" } },
      ]);
      assert.strictEqual(s.backup, undefined, "never the deprecated in-tree barmanObjectStore");
    });

    it("archives to the bucket with the plan's retention and backs up hourly (6-field cron, plugin method)", () => {
      assert.deepStrictEqual(obj(mocks, "orders-object-store").spec, {
        configuration: {
          destinationPath: "s3://shop-backups/shop/orders",
          s3Credentials: { accessKeyId: { name: "backup-s3", key: "ACCESS_KEY_ID" }, secretAccessKey: { name: "backup-s3", key: "ACCESS_SECRET_KEY" } },
          wal: { compression: "gzip" },
          data: { compression: "gzip", immediateCheckpoint: false },
        },
        retentionPolicy: "30d",
      });
      const sb = obj(mocks, "orders-scheduled-backup");
      assert.strictEqual(sb.metadata.name, "orders-scheduled");
      assert.deepStrictEqual(sb.spec, {
        schedule: "0 0 * * * *",
        cluster: { name: "orders" },
        method: "plugin",
        pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
        backupOwnerReference: "self",
        target: "prefer-standby",
      });
    });

    it("alerts on lag over the threshold and on a missing or failed backup", () => {
      const rules = obj(mocks, "orders-alerts").spec.groups[0].rules;
      assert.deepStrictEqual(rules.map((r: any) => r.alert), ["PgplatformStorageNearFull", "PgplatformConnectionsNearMax", "PgplatformReplicationLag", "PgplatformBackupMissing", "PgplatformBackupFailed"]);
      assert.strictEqual(rules[2].expr, 'max by (pod) (cnpg_pg_replication_lag{namespace="shop", pod=~"orders-[0-9]+"}) > 30');
      assert.match(rules[3].expr, /^\(time\(\) - max\(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp\{namespace="shop", pod=~"orders-\[0-9\]\+"\}\) > 7200\) or absent/);
    });

    it("soft delete: a marker the reaper watches, RBAC owned by the reaper CronJob", () => {
      const env = obj(mocks, "orders-reaper").spec.jobTemplate.spec.template.spec.containers[0].env;
      assert.deepStrictEqual(env.slice(1), [
        { name: "MARKER", value: "orders-alive" },
        { name: "CLUSTER", value: "orders" },
        { name: "DAYS", value: "7" },
        { name: "STORE", value: "orders-store" },
        { name: "APP_SECRET", value: "orders-app-credentials" },
        { name: "SUPERUSER_SECRET", value: "orders-superuser-credentials" },
        { name: "REAPER", value: "orders-reaper" },
      ]);
      assert.deepStrictEqual(obj(mocks, "orders-reaper-role").metadata.ownerReferences, [{ apiVersion: "batch/v1", kind: "CronJob", name: "orders-reaper", uid: "orders-reaper-uid" }]);
    });

    it("exports -rw and -ro, and the topology from the Cluster status", async () => {
      assert.strictEqual(await valueOf(db.endpoints.write.host), "orders-rw.shop.svc.cluster.local");
      assert.strictEqual(await valueOf(db.endpoints.read.host), "orders-ro.shop.svc.cluster.local");
      assert.strictEqual(await valueOf(db.readConnection.host), "orders-ro.shop.svc.cluster.local");
      const t = await valueOf(db.topology);
      assert.deepStrictEqual(t.members, [
        { name: "orders-1", role: "primary", state: "healthy" },
        { name: "orders-2", role: "standby", state: "healthy" },
        { name: "orders-3", role: "standby", state: "healthy" },
      ]);
      assert.strictEqual(t.routing.reads, "orders-ro.shop.svc.cluster.local:5432 (the standbys)");
    });
  });

  it("pauses by hibernation and keeps a PgSingle's read replicas in a replica cluster", async () => {
    mocks = mocksFor();
    const db = new PgSingle("orders", {
      projectId: "shop",
      environmentId: "staging",
      plan: "medium_single",
      readReplicas: 2,
      lifecycle: { state: "paused" },
      kubernetes: { backupStore: STORE, clusterName: "orders-db" },
      backend: "kubernetes",
    });
    await settle(mocks);
    assert.deepStrictEqual(obj(mocks, "orders-cluster").metadata.annotations, { "cnpg.io/hibernation": "on" });
    const replica = obj(mocks, "orders-replica");
    assert.strictEqual(replica.metadata.name, "orders-db-replica");
    assert.strictEqual(replica.spec.instances, 2);
    assert.deepStrictEqual(replica.spec.replica, { enabled: true, source: "origin" });
    assert.deepStrictEqual(replica.spec.bootstrap, { pg_basebackup: { source: "origin" } });
    assert.strictEqual(await valueOf(db.endpoints.read.host), "orders-db-replica-r.default.svc.cluster.local");
    assert.strictEqual(healthyClusterStatus("x", 1).phase, "Cluster in healthy state");
  });
});
