/**
 * A sharded PgCluster on the aws back end under strict mocks: an Aurora Limitless cluster (no DB
 * instances) and its DB shard group, whose router endpoint is both the write and the read
 * endpoint; the shard group's alarms; and the components that cannot act on it.
 */
import assert from "assert";
import { BackupPolicy, BlueGreenUpgrade, PgCluster, ReadReplicaSet, TenantDatabase } from "../../../components";
import { limitlessEndpointOf } from "../../harness/handlers/aws";
import { StrictMocks } from "../../harness/mocks";
import { details } from "../../harness/outputs";
import { NET, awsChildren, awsMocks, inputsOf, labelsOf } from "./support";

const ID = "shop-prod-events-ed5a9e78";
const BASE = { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws" as const, network: { allowedSecurityGroupIds: ["sg-0app"] }, aws: NET };

/** The error a constructor throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err: any) {
    return err.message;
  }
  return "nothing thrown";
}

describe("sharded PgCluster on aws (Aurora Limitless, strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("prod_ha with sharding: a Limitless cluster without members, a shard group, endpoints from the shard group", async () => {
    mocks = awsMocks();
    const db = new PgCluster("events", { ...BASE, sharding: { maxAcu: 768, minAcu: 32 } });
    assert.strictEqual((await details(db.resourceId)).value, ID);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:cloudwatch/metricAlarm:MetricAlarm events-alarm-capacity",
      "aws:cloudwatch/metricAlarm:MetricAlarm events-alarm-cpu",
      "aws:cloudwatch/metricAlarm:MetricAlarm events-alarm-replica-lag",
      "aws:ec2/securityGroup:SecurityGroup events-security-group",
      "aws:iam/role:Role events-monitoring-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment events-monitoring-policy",
      "aws:rds/cluster:Cluster events-cluster",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup events-cluster-parameter-group",
      "aws:rds/shardGroup:ShardGroup events-shard-group",
      "aws:rds/subnetGroup:SubnetGroup events-subnet-group",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule events-ingress-sg-1",
      "random:index/randomId:RandomId events-final-snapshot-id",
      "random:index/randomPassword:RandomPassword events-master-password",
    ]);
    const tags = labelsOf("shop", "prod", "production", "prod_ha", ID, "pg_cluster");
    assert.strictEqual(inputsOf(mocks, "events-cluster-parameter-group").family, "aurora-postgresql16");
    const { vpcSecurityGroupIds, dbClusterParameterGroupName, finalSnapshotIdentifier, monitoringRoleArn, ...cluster } = inputsOf(mocks, "events-cluster");
    assert.match(finalSnapshotIdentifier, new RegExp(`^${ID}-final-[0-9a-f]{8}$`));
    assert.match(dbClusterParameterGroupName, new RegExp(`^${ID}-aurora-postgresql16-[0-9a-f]{26}$`));
    assert.match(vpcSecurityGroupIds[0], /^sg-/);
    assert.match(monitoringRoleArn, /^arn:aws:iam::123456789012:role\/events-monitoring-role-/);
    assert.deepStrictEqual(cluster, {
      clusterIdentifier: ID,
      engine: "aurora-postgresql",
      engineVersion: "16.9-limitless",
      allowMajorVersionUpgrade: true,
      masterUsername: "app",
      masterPassword: "pw1".padEnd(32, "x"),
      engineMode: "",
      clusterScalabilityType: "limitless",
      storageType: "aurora-iopt1",
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 31,
      monitoringInterval: 60,
      port: 5432,
      dbSubnetGroupName: ID,
      storageEncrypted: true,
      backupRetentionPeriod: 30,
      preferredBackupWindow: "00:00-00:30",
      preferredMaintenanceWindow: "sun:04:00-sun:05:00",
      enabledCloudwatchLogsExports: ["postgresql"],
      applyImmediately: false,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      deleteAutomatedBackups: false,
      tags,
    });
    assert.deepStrictEqual(inputsOf(mocks, "events-shard-group"), {
      dbShardGroupIdentifier: `${ID}-shards`,
      dbClusterIdentifier: ID,
      maxAcu: 768,
      minAcu: 32,
      computeRedundancy: 2,
      publiclyAccessible: false,
      tags,
    });

    const shardGroup = { DBShardGroupIdentifier: `${ID}-shards` };
    const alarm = (key: string) => {
      const a = inputsOf(mocks, `events-alarm-${key}`);
      return [a.name, a.metricName, a.statistic, a.threshold, a.dimensions, a.alarmDescription];
    };
    assert.deepStrictEqual(alarm("cpu"), [`${ID}-cpu`, "CPUUtilization", "Maximum", 80, shardGroup, `CPU of a router or shard of ${ID} above 80% for 15 minutes`]);
    assert.deepStrictEqual(alarm("capacity"), [
      `${ID}-capacity`,
      "DBShardGroupACUUtilization",
      "Average",
      80,
      shardGroup,
      `the shard group of ${ID} above 80% of its 768 ACUs for 15 minutes (raise \`sharding.maxAcu\`)`,
    ]);
    assert.deepStrictEqual(alarm("replica-lag"), [`${ID}-replica-lag`, "AuroraReplicaLagMaximum", "Maximum", 30000, shardGroup, `a compute standby of ${ID} more than 30 s behind its shard for 15 minutes`]);

    const router = limitlessEndpointOf(ID);
    assert.strictEqual((await details(db.endpoints.write.host)).value, router);
    assert.strictEqual((await details(db.endpoints.read.host)).value, router);
    assert.strictEqual((await details(db.connection.database)).value, "postgres_limitless");
    assert.strictEqual((await details(db.connection.user)).value, "app");
    assert.strictEqual((await details(db.adminConnection.database)).value, "postgres_limitless");
    const uri = await details(db.readConnection.uri);
    assert.strictEqual(uri.isSecret, true);
    assert.strictEqual(uri.value, `postgresql://app:${"pw1".padEnd(32, "x")}@${router}:5432/postgres_limitless`);
    assert.deepStrictEqual((await details(db.metadata)).value!.size, { compute: "Aurora Limitless, 32-768 ACU", storageGb: 200 });
    assert.deepStrictEqual((await details(db.topology)).value, {
      primary: `${ID}-shards`,
      members: [{ name: `${ID}-shards`, role: "primary", host: router, port: 5432, state: "available" }],
      routing: {
        writes: `${router}:5432 (sharded: the DB shard group's endpoint spreads connections over its routers, which send each statement to the shards holding its rows; create sharded tables with \`rds_aurora.limitless_create_table_mode\`)`,
        reads: `${router}:5432 (the same routers serve reads, on up to 768 ACUs; a shard has 2 compute standby(s), which serve no reads)`,
      },
    });
    assert.deepStrictEqual(db.spec.sharding, { maxAcu: 768, minAcu: 32, computeRedundancy: 2 });
    // The change guard sees the shard group's capacity: a scale dimension, and what its aws rules tell a sharded cluster by.
    assert.deepStrictEqual(inputsOf(mocks, "events-change-guard").size, { storageGb: 200, compute: "db.r7g.large", readReplicas: 0, standbys: 2, maxAcu: 768 });
    assert.strictEqual(db.spec.version, "16");
  });

  it("compute redundancy 0 in staging: no standby-lag alarm, AWS's minimum capacity, the stable record on the router endpoint", async () => {
    mocks = awsMocks();
    const db = new PgCluster("events", {
      ...BASE,
      environmentId: "staging",
      version: "16",
      network: { allowedCidrs: ["10.0.0.0/16"] },
      sharding: { maxAcu: 16, computeRedundancy: 0 },
      aws: { ...NET, subnetIds: ["subnet-a", "subnet-b"], performanceInsights: { retentionDays: 62 }, monitoringInterval: 5, dns: { zoneId: "Z0123", name: "events.db.shop.internal" } },
    });
    await details(db.topology);
    const id = (await details(db.resourceId)).value!;
    const children = await awsChildren(mocks);
    assert.deepStrictEqual(
      children.filter((c) => c.includes("metricAlarm") || c.includes("shardGroup") || c.includes("route53") || c.includes("clusterInstance")),
      [
        "aws:cloudwatch/metricAlarm:MetricAlarm events-alarm-capacity",
        "aws:cloudwatch/metricAlarm:MetricAlarm events-alarm-cpu",
        "aws:rds/shardGroup:ShardGroup events-shard-group",
        "aws:route53/record:Record events-dns",
      ],
    );
    assert.deepStrictEqual(inputsOf(mocks, "events-shard-group"), {
      dbShardGroupIdentifier: `${id}-shards`,
      dbClusterIdentifier: id,
      maxAcu: 16,
      computeRedundancy: 0,
      publiclyAccessible: false,
      tags: labelsOf("shop", "staging", "staging", "prod_ha", id, "pg_cluster"),
    });
    const c = inputsOf(mocks, "events-cluster");
    assert.deepStrictEqual([c.performanceInsightsRetentionPeriod, c.monitoringInterval, c.deletionProtection], [62, 5, true]);
    assert.deepStrictEqual(inputsOf(mocks, "events-dns").records, [limitlessEndpointOf(id)]);
    assert.strictEqual((await details(db.endpoints.write.host)).value, "events.db.shop.internal");
    assert.strictEqual((await details(db.endpoints.read.host)).value, limitlessEndpointOf(id));
    assert.match((await details(db.topology)).value!.routing.writes, /; through events\.db\.shop\.internal\)$/);
  });

  it("refuses a ReadReplicaSet, a BackupPolicy, a BlueGreenUpgrade and a TenantDatabase on a sharded cluster", async () => {
    mocks = awsMocks();
    const db = new PgCluster("events", { ...BASE, sharding: { maxAcu: 256 } });
    assert.strictEqual(
      thrown(() => new ReadReplicaSet("events-read", { source: db, replicas: 1 })),
      [
        'Invalid args for ReadReplicaSet "events-read" on the `aws` back end: 1 problem:',
        `  - \`source\` \`${ID}\` is a sharded PgCluster (Aurora Limitless Database), which takes no read replicas, custom endpoints or RDS Proxy: its routers serve reads, and \`sharding.maxAcu\` scales them`,
      ].join("\n"),
    );
    assert.strictEqual(
      thrown(() => new BackupPolicy("events-backups", { target: db, schedule: "daily", retentionDays: 14 })),
      [
        'Invalid args for BackupPolicy "events-backups" on the `aws` back end: 1 problem:',
        `  - \`target\` \`${ID}\` is a sharded PgCluster (Aurora Limitless Database), which AWS Backup does not cover: its backups are the cluster's automated backups (\`backup.retentionDays\`, in its backup window) and cluster snapshots`,
      ].join("\n"),
    );
    assert.strictEqual(
      thrown(() => new BlueGreenUpgrade("events-17", { source: db, targetVersion: "17", phase: "prepare" })),
      [
        'Invalid args for BlueGreenUpgrade "events-17" on the `aws` back end: 1 problem:',
        `  - \`source\` \`${ID}\` is a sharded PgCluster (Aurora Limitless Database), which can be neither a replication source nor in an RDS blue/green deployment, and runs PostgreSQL 16 only (its minor versions are upgraded in place, in the maintenance window)`,
      ].join("\n"),
    );
    assert.strictEqual(
      thrown(() => new TenantDatabase("acme", { tenantId: "acme", projectId: "shop", environmentId: "prod", target: db, mode: "schema_per_tenant", deletion: { policy: "drop", backupBeforeDelete: false } })),
      [
        'Invalid args for TenantDatabase "acme": 1 problem:',
        `  - \`target\` \`${ID}\` is a sharded PgCluster (Aurora Limitless Database): a tenant is made by SQL from this program (\`aws.sqlAccess\`), and its database handed over with \`ALTER DATABASE\`, ` +
          "which Limitless does not support; keep tenants apart in the one database `postgres_limitless` (schemas made by the application), or target an unsharded db_resource",
      ].join("\n"),
    );
    await awsChildren(mocks);
  });
});
