/**
 * PgCluster, ReadReplicaSet, BackupPolicy, TenantDatabase and BlueGreenUpgrade args resolve into
 * pinned Specs: the minimal args of each, and the defaults that depend on other fields.
 */
import assert from "assert";
import {
  DbResourceRef,
  VersionedDbResourceRef,
  parseBackupPolicyArgs,
  parseBlueGreenUpgradeArgs,
  parsePgClusterArgs,
  parsePgSingleArgs,
  parseReadReplicaSetArgs,
  parseTenantDatabaseArgs,
} from "../../components/model";

const single: DbResourceRef = { kind: "pg_single", plan: "small_single", backend: "local", resourceId: "shop-dev-orders-0a1b2c3d", environmentTier: "dev" };
const link = { kind: "pg_single", plan: "small_single", backend: "local", resourceId: "shop-dev-orders-0a1b2c3d" };
const clusterRef: DbResourceRef = { kind: "pg_cluster", plan: "prod_ha", backend: "aws", resourceId: "shop-prod-main-4e5f6a7b", environmentTier: "production" };

describe("PgCluster spec", () => {
  const minimal = { projectId: "shop", environmentId: "prod", plan: "prod_ha" };

  it("resolves the minimal args from plan prod_ha", () => {
    const spec = parsePgClusterArgs("main", minimal);
    const { kind, resourceId, standbys, replicationMode, syncStandbys, multiAz, awsTopology, readReplicas, databaseName, username, local } = spec;
    assert.deepStrictEqual(
      { kind, resourceId, standbys, replicationMode, syncStandbys, multiAz, awsTopology, readReplicas, databaseName, username, local },
      {
        kind: "pg_cluster",
        resourceId: "shop-prod-main-c5643894",
        standbys: 2,
        replicationMode: "sync",
        syncStandbys: 1,
        multiAz: true,
        awsTopology: "aurora",
        readReplicas: 0,
        databaseName: "app",
        username: "app",
        local: {},
      },
    );
    assert.deepStrictEqual(spec.backup, { enabled: true, schedule: "hourly", cron: "0 * * * *", retentionDays: 30, pitr: true });
    assert.deepStrictEqual([spec.lifecycle.deletionProtection, spec.lifecycle.deletionPolicy], [true, "soft"]);
    assert.strictEqual(spec.labels["pgplatform.io/kind"], "pg_cluster");
  });

  it("has PgSingle's common attributes plus the HA ones", () => {
    const cluster = Object.keys(parsePgClusterArgs("main", minimal)).sort();
    const single = Object.keys(parsePgSingleArgs("main", { ...minimal, plan: "small_single" }));
    const ha = ["standbys", "replicationMode", "syncStandbys", "multiAz", "awsTopology"];
    assert.deepStrictEqual(cluster, [...single, ...ha].sort());
  });

  it("needs no sync standby in async mode, and may turn multiAz off outside production", () => {
    const spec = parsePgClusterArgs("main", { ...minimal, environmentId: "staging", replicationMode: "async", multiAz: false, standbys: 3 });
    assert.deepStrictEqual([spec.standbys, spec.replicationMode, spec.syncStandbys, spec.multiAz], [3, "async", 0, false]);
  });

  it("accepts multi_az_cluster with 2 standbys on aws", () => {
    const spec = parsePgClusterArgs("main", { ...minimal, backend: "aws", awsTopology: "multi_az_cluster", syncStandbys: 2 });
    assert.deepStrictEqual([spec.backend, spec.awsTopology, spec.standbys, spec.syncStandbys], ["aws", "multi_az_cluster", 2, 2]);
  });
});

describe("ReadReplicaSet spec", () => {
  it("resolves the minimal args", () => {
    assert.deepStrictEqual(parseReadReplicaSetArgs("reads", { source: {}, replicas: 1 }, { source: single }), {
      kind: "read_replica_set",
      name: "reads",
      source: link,
      backend: "local",
      replicas: 1,
      lagPolicy: { maxSeconds: 30 },
      endpointStrategy: "single",
      pooling: { enabled: false, mode: "session", maxClientConnections: 100, defaultPoolSize: 20 },
    });
  });

  it("keeps a byte-only lag policy, and turns pooling on when it is given", () => {
    const spec = parseReadReplicaSetArgs(
      "reads",
      { source: {}, replicas: 4, maxLagBytes: 67108864, endpointStrategy: "per_replica", pooling: { maxClientConnections: 10 } },
      { source: clusterRef },
    );
    assert.deepStrictEqual(spec.lagPolicy, { maxBytes: 67108864 });
    assert.strictEqual(spec.endpointStrategy, "per_replica");
    assert.deepStrictEqual(spec.pooling, { enabled: true, mode: "session", maxClientConnections: 10, defaultPoolSize: 10 });
    assert.strictEqual(spec.backend, "aws");
  });
});

describe("BackupPolicy spec", () => {
  it("resolves the minimal args from the target's plan", () => {
    assert.deepStrictEqual(parseBackupPolicyArgs("nightly", { target: {} }, { target: single }), {
      kind: "backup_policy",
      name: "nightly",
      target: link,
      backend: "local",
      schedule: "daily",
      cron: "0 3 * * *",
      retentionDays: 7,
      pitr: true,
      fullBackupEvery: "day",
      incrementalType: "incremental",
      location: {},
    });
  });

  it("takes a full backup weekly when backups run more than once a day", () => {
    assert.strictEqual(parseBackupPolicyArgs("b", { target: {} }, { target: clusterRef }).fullBackupEvery, "week");
    assert.strictEqual(parseBackupPolicyArgs("b", { target: {}, schedule: "*/30 * * * *" }, { target: single }).fullBackupEvery, "week");
    assert.strictEqual(parseBackupPolicyArgs("b", { target: {}, schedule: "0 2 * * 0" }, { target: single }).fullBackupEvery, "day");
  });

  it("keeps a cron schedule as given and normalizes its spacing", () => {
    const spec = parseBackupPolicyArgs("b", { target: {}, schedule: " 15  2,14 * * 1-5 ", location: { path: "/srv/backups" } }, { target: single });
    assert.deepStrictEqual([spec.schedule, spec.cron, spec.location], [" 15  2,14 * * 1-5 ", "15 2,14 * * 1-5", { path: "/srv/backups" }]);
  });
});

describe("TenantDatabase spec", () => {
  const tenant = { tenantId: "acme-corp", projectId: "shop", environmentId: "dev", target: {}, mode: "database_per_tenant" };

  it("resolves the minimal args", () => {
    assert.deepStrictEqual(parseTenantDatabaseArgs("acme", tenant, { target: single }), {
      kind: "tenant_database",
      name: "acme",
      resourceId: "shop-dev-acme-96cf1caa",
      tenantId: "acme-corp",
      projectId: "shop",
      environmentId: "dev",
      environmentTier: "dev",
      target: link,
      backend: "local",
      naming: "tenant_{tenant_id}",
      roleName: "tenant_acme_corp",
      quotas: { warnAtPercent: 80, onLimit: "warn" },
      deletion: { policy: "drop", backupBeforeDelete: false },
      mode: "database_per_tenant",
      databaseName: "tenant_acme_corp",
    });
  });

  it("names a schema from the template, turning - into _", () => {
    const spec = parseTenantDatabaseArgs("acme", { ...tenant, mode: "schema_per_tenant", naming: "{environment_id}_{project_id}_{tenant_id}" }, { target: single });
    assert.strictEqual(spec.mode, "schema_per_tenant");
    assert.deepStrictEqual(spec.mode === "schema_per_tenant" && [spec.schemaName, spec.roleName], ["dev_shop_acme_corp", "dev_shop_acme_corp"]);
  });

  it("locks a production tenant on delete by default, and backs it up before a drop", () => {
    const prod = { ...tenant, environmentId: "prod" };
    assert.deepStrictEqual(parseTenantDatabaseArgs("acme", prod, { target: single }).deletion, { policy: "lock", backupBeforeDelete: false });
    assert.deepStrictEqual(
      parseTenantDatabaseArgs("acme", { ...prod, deletion: { policy: "drop", archiveLocation: "/srv/dumps" } }, { target: single }).deletion,
      { policy: "drop", backupBeforeDelete: true, archiveLocation: "/srv/dumps" },
    );
    const onProdTarget = parseTenantDatabaseArgs("acme", tenant, { target: clusterRef });
    assert.deepStrictEqual([onProdTarget.environmentTier, onProdTarget.deletion.policy], ["production", "lock"]);
  });

  it("keeps the quotas given", () => {
    const spec = parseTenantDatabaseArgs("acme", { ...tenant, quotas: { maxConnections: 20, maxStorageGb: 2.5, onLimit: "lock" } }, { target: single });
    assert.deepStrictEqual(spec.quotas, { maxConnections: 20, maxStorageGb: 2.5, warnAtPercent: 80, onLimit: "lock" });
  });
});

describe("BlueGreenUpgrade spec", () => {
  const v16: VersionedDbResourceRef = { ...single, version: "16" };

  it("resolves a major upgrade", () => {
    assert.deepStrictEqual(parseBlueGreenUpgradeArgs("to17", { source: {}, targetVersion: 17 }, { source: v16 }), {
      kind: "blue_green_upgrade",
      name: "to17",
      source: { ...link, version: "16" },
      backend: "local",
      targetVersion: "17",
      targetPlan: "small_single",
      targetKind: "pg_single",
      strategy: "blue_green",
      phase: "prepare",
      tablesWithoutPrimaryKey: "refuse",
      maxWritePauseSeconds: 30,
      confirm: false,
    });
  });

  it("keeps the version for a pg_single to pg_cluster migration", () => {
    const spec = parseBlueGreenUpgradeArgs("to-ha", { source: {}, targetPlan: "prod_ha" }, { source: { ...v16, environmentTier: "staging" } });
    assert.deepStrictEqual([spec.targetVersion, spec.targetPlan, spec.targetKind], ["16", "prod_ha", "pg_cluster"]);
  });

  it("runs cutover in production once confirmed, and outside production without confirm", () => {
    const prod: VersionedDbResourceRef = { ...clusterRef, version: "17" };
    assert.strictEqual(parseBlueGreenUpgradeArgs("u", { source: {}, targetVersion: "18", phase: "cutover", confirm: true }, { source: prod }).phase, "cutover");
    assert.strictEqual(parseBlueGreenUpgradeArgs("u", { source: {}, targetVersion: "17", phase: "finalize" }, { source: v16 }).confirm, false);
  });
});
