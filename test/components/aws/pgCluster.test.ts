/**
 * PgCluster on the aws back end under strict mocks: Aurora (cluster, members in promotion tiers
 * across the subnets' zones, cluster parameter group) and the RDS Multi-AZ DB cluster, their
 * endpoints, deletion protection, final snapshot and alarms.
 */
import assert from "assert";
import { PgCluster } from "../../../components";
import { RDS_HOST, SUBNET_ZONES } from "../../harness/handlers/aws";
import { StrictMocks } from "../../harness/mocks";
import { details } from "../../harness/outputs";
import { NET, awsChildren, awsMocks, inputsOf, labelsOf } from "./support";

const ID = "shop-prod-orders-d6e77052";

describe("PgCluster on aws (strict mocks)", () => {
  let mocks: StrictMocks;
  before(() => Object.assign(SUBNET_ZONES, { "subnet-a": "eu-west-1a", "subnet-b": "eu-west-1b", "subnet-c": "eu-west-1c" }));
  afterEach(() => mocks?.assertNoUnexpected());

  it("prod_ha on Aurora: a cluster, a writer and 2 standbys in promotion tiers over 3 zones, a read replica last", async () => {
    mocks = awsMocks();
    const db = new PgCluster("orders", {
      projectId: "shop",
      environmentId: "prod",
      plan: "prod_ha",
      backend: "aws",
      readReplicas: 1,
      network: { allowedSecurityGroupIds: ["sg-0app"] },
      aws: NET,
    });
    const id = (await details(db.resourceId)).value!;
    assert.strictEqual(id, ID);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-connections",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-cpu",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-replica-lag",
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:iam/role:Role orders-monitoring-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment orders-monitoring-policy",
      "aws:rds/cluster:Cluster orders-cluster",
      "aws:rds/clusterInstance:ClusterInstance orders-member-1",
      "aws:rds/clusterInstance:ClusterInstance orders-member-2",
      "aws:rds/clusterInstance:ClusterInstance orders-member-3",
      "aws:rds/clusterInstance:ClusterInstance orders-member-4",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup orders-cluster-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-sg-1",
      "random:index/randomId:RandomId orders-final-snapshot-id",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    const tags = labelsOf("shop", "prod", "production", "prod_ha", ID, "pg_cluster");
    const pg = inputsOf(mocks, "orders-cluster-parameter-group");
    assert.deepStrictEqual([pg.family, pg.namePrefix, pg.parameters.find((p: any) => p.name === "rds.force_ssl"), pg.parameters.find((p: any) => p.name === "max_connections")], [
      "aurora-postgresql17",
      `${ID}-aurora-postgresql17-`,
      { applyMethod: "immediate", name: "rds.force_ssl", value: "1" },
      { applyMethod: "pending-reboot", name: "max_connections", value: "400" },
    ]);
    const { vpcSecurityGroupIds, dbClusterParameterGroupName, finalSnapshotIdentifier, monitoringRoleArn, ...cluster } = inputsOf(mocks, "orders-cluster");
    assert.match(finalSnapshotIdentifier, new RegExp(`^${ID}-final-[0-9a-f]{8}$`));
    assert.match(dbClusterParameterGroupName, new RegExp(`^${ID}-aurora-postgresql17-[0-9a-f]{26}$`));
    assert.match(vpcSecurityGroupIds[0], /^sg-/);
    assert.strictEqual(monitoringRoleArn, undefined, "Aurora monitors per instance");
    assert.deepStrictEqual(cluster, {
      clusterIdentifier: ID,
      engine: "aurora-postgresql",
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
      databaseName: "app",
      masterUsername: "app",
      masterPassword: "pw1".padEnd(32, "x"),
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
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
    const member = (n: number) => inputsOf(mocks, `orders-member-${n}`);
    assert.deepStrictEqual(
      [1, 2, 3, 4].map((n) => [member(n).identifier, member(n).promotionTier, member(n).availabilityZone]),
      [
        [`${ID}-1`, 0, "eu-west-1a"],
        [`${ID}-2`, 1, "eu-west-1b"],
        [`${ID}-3`, 1, "eu-west-1c"],
        [`${ID}-4`, 15, "eu-west-1a"],
      ],
    );
    const { monitoringRoleArn: role, ...writer } = member(1);
    assert.match(role, /^arn:aws:iam::123456789012:role\/orders-monitoring-role-/);
    assert.deepStrictEqual(writer, {
      identifier: `${ID}-1`,
      clusterIdentifier: ID,
      engine: "aurora-postgresql",
      engineVersion: "17",
      instanceClass: "db.r7g.large",
      promotionTier: 0,
      availabilityZone: "eu-west-1a",
      dbSubnetGroupName: ID,
      publiclyAccessible: false,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      autoMinorVersionUpgrade: true,
      preferredMaintenanceWindow: "sun:04:00-sun:05:00",
      applyImmediately: false,
      copyTagsToSnapshot: true,
      tags,
    });
    const lag = inputsOf(mocks, "orders-alarm-replica-lag");
    assert.deepStrictEqual([lag.metricName, lag.threshold, lag.dimensions], ["AuroraReplicaLagMaximum", 30000, { DBClusterIdentifier: ID }]);
    assert.deepStrictEqual(inputsOf(mocks, "orders-alarm-cpu").dimensions, { DBClusterIdentifier: ID, Role: "WRITER" });

    assert.deepStrictEqual((await details(db.connection.host)).value, `${ID}.cluster-${RDS_HOST}`);
    assert.deepStrictEqual((await details(db.readConnection.host)).value, `${ID}.cluster-ro-${RDS_HOST}`);
    assert.strictEqual((await details(db.readConnection.uri)).isSecret, true);
    assert.strictEqual((await details(db.status)).value, "RUNNING");
    const topology = (await details(db.topology)).value!;
    assert.deepStrictEqual(topology, {
      primary: `${ID}-1`,
      members: [
        { name: `${ID}-1`, role: "primary", host: `${ID}-1.${RDS_HOST}`, port: 5432, state: "available" },
        { name: `${ID}-2`, role: "standby", host: `${ID}-2.${RDS_HOST}`, port: 5432, state: "available" },
        { name: `${ID}-3`, role: "standby", host: `${ID}-3.${RDS_HOST}`, port: 5432, state: "available" },
        { name: `${ID}-4`, role: "replica", host: `${ID}-4.${RDS_HOST}`, port: 5432, state: "available" },
      ],
      routing: {
        writes: `${ID}.cluster-${RDS_HOST}:5432 (the cluster endpoint follows the writer across failovers)`,
        reads: `${ID}.cluster-ro-${RDS_HOST}:5432 (the reader endpoint balances over every reader instance)`,
      },
    });
  });

  it("prod_ha as an RDS Multi-AZ DB cluster: engine postgres, dbClusterInstanceClass, gp3 storage, no member resources", async () => {
    mocks = awsMocks();
    const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws", awsTopology: "multi_az_cluster", storage: { sizeGb: 400 }, network: { allowedCidrs: ["10.0.0.0/16"] }, aws: NET });
    await details(db.topology);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-connections",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-cpu",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-free-storage",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-replica-lag",
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:iam/role:Role orders-monitoring-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment orders-monitoring-policy",
      "aws:rds/cluster:Cluster orders-cluster",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup orders-cluster-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-cidr-1",
      "random:index/randomId:RandomId orders-final-snapshot-id",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    const c = inputsOf(mocks, "orders-cluster");
    const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, c[k]]));
    assert.deepStrictEqual(
      pick(["engine", "dbClusterInstanceClass", "storageType", "allocatedStorage", "iops", "performanceInsightsEnabled", "performanceInsightsRetentionPeriod", "monitoringInterval", "availabilityZones", "deletionProtection", "skipFinalSnapshot", "backupRetentionPeriod"]),
      {
        engine: "postgres",
        dbClusterInstanceClass: "db.r7g.large",
        storageType: "gp3",
        allocatedStorage: 400,
        iops: 12000,
        performanceInsightsEnabled: true,
        performanceInsightsRetentionPeriod: 7,
        monitoringInterval: 60,
        availabilityZones: undefined,
        deletionProtection: true,
        skipFinalSnapshot: false,
        backupRetentionPeriod: 30,
      },
    );
    assert.match(c.monitoringRoleArn, /^arn:aws:iam::123456789012:role\/orders-monitoring-role-/);
    assert.strictEqual(inputsOf(mocks, "orders-cluster-parameter-group").family, "postgres17");
    assert.strictEqual(inputsOf(mocks, "orders-alarm-free-storage").threshold, Math.floor(400 * 1024 ** 3 * 0.1));
    assert.deepStrictEqual((await details(db.topology)).value!.routing.reads, `${ID}.cluster-ro-${RDS_HOST}:5432 (the reader endpoint balances over the 2 readable standbys)`);
  });
});
