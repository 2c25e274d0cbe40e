/**
 * PgSingle on the aws back end under strict mocks: the exact children (types, names, inputs,
 * parents), deletion protection and final snapshot by tier, the security-group rules, parameter
 * group, alarms, and the normalized outputs (secrets stay secrets).
 */
import assert from "assert";
import { PgSingle } from "../../../components";
import { MANAGED_PASSWORD, RDS_HOST } from "../../harness/handlers/aws";
import { StrictMocks, isSecretWrapped, settle } from "../../harness/mocks";
import { details } from "../../harness/outputs";
import { NET, awsChildren, awsMocks, inputsOf, labelsOf, registrationOf, warningsOf } from "./support";

const DEV_ID = "shop-dev-orders-7996cb6b";
const PROD_ID = "shop-prod-orders-5841d8b9";

const COMMON_PARAMETERS = [
  { applyMethod: "immediate", name: "idle_in_transaction_session_timeout", value: "600000" },
  { applyMethod: "immediate", name: "log_min_duration_statement", value: "1000" },
  { applyMethod: "immediate", name: "log_timezone", value: "UTC" },
];
const TAIL_PARAMETERS = [
  { applyMethod: "immediate", name: "password_encryption", value: "scram-sha-256" },
  { applyMethod: "immediate", name: "rds.force_ssl", value: "1" },
  { applyMethod: "immediate", name: "timezone", value: "UTC" },
];

describe("PgSingle on aws (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("dev_single: one instance, no final snapshot, no deletion protection, no monitoring role, no alarms", async () => {
    mocks = awsMocks();
    const warned = await warningsOf(async () => {
      const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", aws: NET });
      await details(db.topology);
    });
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:rds/instance:Instance orders-instance",
      "aws:rds/instanceDesiredState:InstanceDesiredState orders-desired-state",
      "aws:rds/parameterGroup:ParameterGroup orders-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    for (const r of mocks.registrations.filter((x) => x.custom)) assert.match(String(r.parent), /::pgplatform:index:PgSingle::orders$/, `${r.name} is parented to the component`);
    const tags = labelsOf("shop", "dev", "dev", "dev_single", DEV_ID);
    assert.deepStrictEqual(inputsOf(mocks, "orders-subnet-group"), { name: DEV_ID, description: `pgplatform ${DEV_ID}`, subnetIds: NET.subnetIds, tags });
    assert.deepStrictEqual(inputsOf(mocks, "orders-security-group"), {
      name: `${DEV_ID}-postgres`,
      description: `pgplatform ${DEV_ID}: PostgreSQL from the allowlist only`,
      vpcId: "vpc-0abc",
      tags,
    });
    assert.deepStrictEqual(inputsOf(mocks, "orders-parameter-group"), {
      namePrefix: `${DEV_ID}-postgres17-`,
      family: "postgres17",
      description: `pgplatform ${DEV_ID} (dev_single)`,
      parameters: [...COMMON_PARAMETERS, { applyMethod: "pending-reboot", name: "max_connections", value: "50" }, ...TAIL_PARAMETERS],
      tags,
    });
    const instance = registrationOf(mocks, "orders-instance");
    assert.ok(isSecretWrapped(instance.inputs.password), "the master password input is a secret");
    assert.deepStrictEqual(inputsOf(mocks, "orders-instance"), {
      identifier: DEV_ID,
      engine: "postgres",
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
      instanceClass: "db.t4g.micro",
      storageType: "gp3",
      allocatedStorage: 20,
      maxAllocatedStorage: 50,
      storageEncrypted: true,
      dbName: "app",
      username: "app",
      password: "pw1".padEnd(32, "x"),
      dbSubnetGroupName: DEV_ID,
      vpcSecurityGroupIds: [inputsOf(mocks, "orders-instance").vpcSecurityGroupIds[0]],
      parameterGroupName: `${DEV_ID}-postgres17-${inputsOf(mocks, "orders-instance").parameterGroupName.slice(`${DEV_ID}-postgres17-`.length)}`,
      publiclyAccessible: false,
      port: 5432,
      multiAz: false,
      backupRetentionPeriod: 0,
      performanceInsightsEnabled: false,
      monitoringInterval: 0,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      autoMinorVersionUpgrade: true,
      maintenanceWindow: "sun:04:00-sun:05:00",
      applyImmediately: true,
      copyTagsToSnapshot: true,
      deletionProtection: false,
      skipFinalSnapshot: true,
      deleteAutomatedBackups: true,
      tags,
    });
    assert.match(inputsOf(mocks, "orders-instance").vpcSecurityGroupIds[0], /^sg-[0-9a-f]{17}$/);
    assert.deepStrictEqual(inputsOf(mocks, "orders-desired-state"), { identifier: DEV_ID, state: "available" });
    assert.deepStrictEqual(warned, [
      '`network` admits nobody that can reach RDS (`allowedCidrs` ["127.0.0.1/32"] is loopback only): give the app\'s security groups in `network.allowedSecurityGroupIds` or its CIDRs in `network.allowedCidrs`',
    ]);
  });

  it("small_single in production: deletion protection, a stable final snapshot, kept backups, ingress only from the allowlist, monitoring and alarms, a replica", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", {
      projectId: "shop",
      environmentId: "prod",
      plan: "small_single",
      backend: "aws",
      readReplicas: 1,
      network: { allowedCidrs: ["127.0.0.1/32", "10.20.0.0/16", "fd00::/8"], allowedSecurityGroupIds: ["sg-0app"] },
      aws: NET,
    });
    await details(db.topology);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-connections",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-cpu",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-free-storage",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-replica-lag-1",
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:iam/role:Role orders-monitoring-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment orders-monitoring-policy",
      "aws:rds/instance:Instance orders-instance",
      "aws:rds/instance:Instance orders-replica-1",
      "aws:rds/instanceDesiredState:InstanceDesiredState orders-desired-state",
      "aws:rds/parameterGroup:ParameterGroup orders-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-cidr-1",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-cidr-2",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-sg-1",
      "random:index/randomId:RandomId orders-final-snapshot-id",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    const tags = labelsOf("shop", "prod", "production", "small_single", PROD_ID);
    const sgId = inputsOf(mocks, "orders-instance").vpcSecurityGroupIds[0];
    const rule = { securityGroupId: sgId, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, tags };
    assert.deepStrictEqual(inputsOf(mocks, "orders-ingress-cidr-1"), { ...rule, cidrIpv4: "10.20.0.0/16", description: "PostgreSQL from 10.20.0.0/16 (network.allowedCidrs[1])" });
    assert.deepStrictEqual(inputsOf(mocks, "orders-ingress-cidr-2"), { ...rule, cidrIpv6: "fd00::/8", description: "PostgreSQL from fd00::/8 (network.allowedCidrs[2])" });
    assert.deepStrictEqual(inputsOf(mocks, "orders-ingress-sg-1"), { ...rule, referencedSecurityGroupId: "sg-0app", description: "PostgreSQL from sg-0app (network.allowedSecurityGroupIds[0])" });
    assert.deepStrictEqual(inputsOf(mocks, "orders-final-snapshot-id"), { byteLength: 4, keepers: { identifier: PROD_ID } });
    const instance = inputsOf(mocks, "orders-instance");
    const roleArn = instance.monitoringRoleArn;
    assert.match(roleArn, /^arn:aws:iam::123456789012:role\/orders-monitoring-role-[0-9a-f]{7}$/);
    const { vpcSecurityGroupIds, parameterGroupName, ...rest } = instance;
    assert.match(parameterGroupName, new RegExp(`^${PROD_ID}-postgres17-[0-9a-f]{26}$`));
    assert.deepStrictEqual(rest, {
      identifier: PROD_ID,
      engine: "postgres",
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
      instanceClass: "db.t4g.small",
      storageType: "gp3",
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      storageEncrypted: true,
      dbName: "app",
      username: "app",
      password: "pw1".padEnd(32, "x"),
      dbSubnetGroupName: PROD_ID,
      publiclyAccessible: false,
      port: 5432,
      multiAz: false,
      backupRetentionPeriod: 7,
      backupWindow: "03:00-03:30",
      performanceInsightsEnabled: false,
      monitoringInterval: 60,
      monitoringRoleArn: roleArn,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      autoMinorVersionUpgrade: true,
      maintenanceWindow: "sun:04:00-sun:05:00",
      applyImmediately: false,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${PROD_ID}-final-${inputsOf(mocks, "orders-instance").finalSnapshotIdentifier.slice(-8)}`,
      deleteAutomatedBackups: false,
      tags,
    });
    assert.match(rest.finalSnapshotIdentifier, new RegExp(`^${PROD_ID}-final-[0-9a-f]{8}$`));
    assert.deepStrictEqual(vpcSecurityGroupIds, [sgId]);
    assert.deepStrictEqual(inputsOf(mocks, "orders-monitoring-policy"), { role: roleArn.split("/")[1], policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" });
    const replica = inputsOf(mocks, "orders-replica-1");
    assert.deepStrictEqual(
      { identifier: replica.identifier, replicateSourceDb: replica.replicateSourceDb, backupRetentionPeriod: replica.backupRetentionPeriod, skipFinalSnapshot: replica.skipFinalSnapshot, deletionProtection: replica.deletionProtection },
      { identifier: `${PROD_ID}-replica-1`, replicateSourceDb: PROD_ID, backupRetentionPeriod: 0, skipFinalSnapshot: true, deletionProtection: true },
    );
    assert.strictEqual(replica.password, undefined, "a replica inherits its source's credentials");
    assert.strictEqual(replica.storageEncrypted, undefined, "a replica's encryption follows its source");
    const alarm = (n: string) => inputsOf(mocks, `orders-alarm-${n}`);
    const alarmBase = { namespace: "AWS/RDS", period: 300, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "missing", tags };
    assert.deepStrictEqual(alarm("free-storage"), {
      ...alarmBase,
      name: `${PROD_ID}-free-storage`,
      alarmDescription: `free storage of ${PROD_ID} below 10% of 50 GiB for 15 minutes`,
      metricName: "FreeStorageSpace",
      dimensions: { DBInstanceIdentifier: PROD_ID },
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 5368709120,
    });
    assert.deepStrictEqual(alarm("connections"), {
      ...alarmBase,
      name: `${PROD_ID}-connections`,
      alarmDescription: `connections to ${PROD_ID} above 80% of max_connections (100) for 15 minutes`,
      metricName: "DatabaseConnections",
      dimensions: { DBInstanceIdentifier: PROD_ID },
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 80,
    });
    assert.strictEqual(alarm("cpu").threshold, 80);
    assert.deepStrictEqual([alarm("replica-lag-1").metricName, alarm("replica-lag-1").threshold, alarm("replica-lag-1").dimensions], ["ReplicaLag", 30, { DBInstanceIdentifier: `${PROD_ID}-replica-1` }]);
  });

  it("exposes normalized outputs: the master user on the app database, secrets kept secret, the replica as read endpoint", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "prod", plan: "small_single", backend: "aws", readReplicas: 1, databaseName: "orders", username: "orders_app", aws: NET });
    const host = `${PROD_ID}.${RDS_HOST}`;
    assert.deepStrictEqual(await details(db.connection.uri), { value: `postgresql://orders_app:${"pw1".padEnd(32, "x")}@${host}:5432/orders`, isKnown: true, isSecret: true });
    assert.deepStrictEqual(await details(db.adminConnection.uri), { value: `postgresql://orders_app:${"pw1".padEnd(32, "x")}@${host}:5432/postgres`, isKnown: true, isSecret: true });
    assert.strictEqual((await details(db.connection.password)).isSecret, true);
    assert.deepStrictEqual(await details(db.connection.host), { value: host, isKnown: true, isSecret: false });
    assert.strictEqual((await details(db.endpoints.read.host)).value, `${PROD_ID}-replica-1.${RDS_HOST}`);
    assert.strictEqual((await details(db.status)).value, "RUNNING");
    assert.strictEqual((await details(db.resourceId)).value, PROD_ID);
    assert.deepStrictEqual((await details(db.metadata)).value, {
      kind: "pg_single",
      plan: "small_single",
      version: "17",
      backend: "aws",
      region: "eu-west-1",
      size: { compute: "db.t4g.small", storageGb: 50 },
    });
    assert.deepStrictEqual((await details(db.topology)).value, {
      primary: PROD_ID,
      members: [
        { name: PROD_ID, role: "primary", host, port: 5432, state: "available" },
        { name: `${PROD_ID}-replica-1`, role: "replica", host: `${PROD_ID}-replica-1.${RDS_HOST}`, port: 5432, state: "available" },
      ],
      routing: {
        writes: `${host}:5432`,
        reads: `${PROD_ID}-replica-1.${RDS_HOST}:5432 (replica 1 of 1; add a ReadReplicaSet for one endpoint over several)`,
      },
    });
  });

  it("a managed master password: no generated password, the secret read back from Secrets Manager as a secret", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", aws: { ...NET, manageMasterUserPassword: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k1" } });
    assert.deepStrictEqual(await details(db.connection.password), { value: MANAGED_PASSWORD, isKnown: true, isSecret: true });
    assert.ok(!(await awsChildren(mocks)).some((c) => c.includes("RandomPassword")));
    const instance = inputsOf(mocks, "orders-instance");
    assert.deepStrictEqual(
      [instance.password, instance.manageMasterUserPassword, instance.masterUserSecretKmsKeyId, instance.kmsKeyId],
      [undefined, true, "arn:aws:kms:eu-west-1:123456789012:key/k1", "arn:aws:kms:eu-west-1:123456789012:key/k1"],
    );
  });

  it("paused: the instance's desired state is stopped, with the 7-day warning", async () => {
    mocks = awsMocks();
    const warned = await warningsOf(async () => {
      const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", backend: "aws", network: { allowedSecurityGroupIds: ["sg-0app"] }, lifecycle: { state: "paused" }, aws: NET });
      await details(db.topology);
    });
    assert.deepStrictEqual(inputsOf(mocks, "orders-desired-state"), { identifier: DEV_ID, state: "stopped" });
    assert.deepStrictEqual(warned, [
      `\`lifecycle.state\` \`paused\` stops RDS instance ${DEV_ID}; AWS starts a stopped instance again after 7 days, and the next \`pulumi up\` stops it again`,
    ]);
  });

  it("lifecycle.applyImmediately reaches the instance when aws.applyImmediately is not given; aws.applyImmediately wins", async () => {
    const args = { projectId: "shop", environmentId: "staging", plan: "small_single", backend: "aws" as const, network: { allowedSecurityGroupIds: ["sg-0app"] } };
    mocks = awsMocks();
    new PgSingle("orders", { ...args, lifecycle: { applyImmediately: true }, aws: NET });
    await settle(mocks);
    assert.strictEqual(inputsOf(mocks, "orders-instance").applyImmediately, true);
    mocks = awsMocks();
    new PgSingle("orders", { ...args, lifecycle: { applyImmediately: true }, aws: { ...NET, applyImmediately: false } });
    await settle(mocks);
    assert.strictEqual(inputsOf(mocks, "orders-instance").applyImmediately, false);
  });

  it("honours the aws options: identifier, zone, KMS, provisioned gp3, Performance Insights, monitoring role, alarms topic, pg_cron, logical replication, blue/green, dns", async () => {
    mocks = awsMocks();
    const db = new PgSingle("orders", {
      projectId: "shop",
      environmentId: "staging",
      plan: "medium_single",
      backend: "aws",
      storage: { sizeGb: 500 },
      network: { allowedSecurityGroupIds: ["sg-0app"] },
      lifecycle: { deletionPolicy: "soft", deletionProtection: false },
      parameters: { statement_timeout: "30s" },
      aws: {
        ...NET,
        identifier: "orders-db",
        availabilityZone: "eu-west-1b",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k1",
        storage: { iops: 12000, throughputMbps: 500 },
        performanceInsights: { retentionDays: 62 },
        monitoringInterval: 15,
        monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
        alarms: { createSnsTopic: true, cpuPercent: 90 },
        pgCron: true,
        logicalReplication: true,
        blueGreenUpdate: true,
        backupWindow: "22:00-22:45",
        applyImmediately: true,
        dns: { zoneId: "Z123", name: "orders.db.example.com" },
      },
    });
    assert.strictEqual((await details(db.connection.host)).value, "orders.db.example.com");
    await details(db.topology);
    assert.deepStrictEqual(await awsChildren(mocks), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-connections",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-cpu",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-alarm-free-storage",
      "aws:ec2/securityGroup:SecurityGroup orders-security-group",
      "aws:rds/instance:Instance orders-instance",
      "aws:rds/instanceDesiredState:InstanceDesiredState orders-desired-state",
      "aws:rds/parameterGroup:ParameterGroup orders-parameter-group",
      "aws:rds/subnetGroup:SubnetGroup orders-subnet-group",
      "aws:route53/record:Record orders-dns",
      "aws:sns/topic:Topic orders-alarms",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-ingress-sg-1",
      "random:index/randomId:RandomId orders-final-snapshot-id",
      "random:index/randomPassword:RandomPassword orders-master-password",
    ]);
    const i = inputsOf(mocks, "orders-instance");
    const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, i[k]]));
    assert.deepStrictEqual(
      pick(["identifier", "availabilityZone", "kmsKeyId", "iops", "storageThroughput", "allocatedStorage", "maxAllocatedStorage", "instanceClass", "performanceInsightsEnabled", "performanceInsightsRetentionPeriod", "performanceInsightsKmsKeyId", "monitoringInterval", "monitoringRoleArn", "blueGreenUpdate", "backupWindow", "backupRetentionPeriod", "applyImmediately", "deletionProtection", "skipFinalSnapshot", "deleteAutomatedBackups"]),
      {
        identifier: "orders-db",
        availabilityZone: "eu-west-1b",
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k1",
        iops: 12000,
        storageThroughput: 500,
        allocatedStorage: 500,
        maxAllocatedStorage: 1000,
        instanceClass: "db.m7g.large",
        performanceInsightsEnabled: true,
        performanceInsightsRetentionPeriod: 62,
        performanceInsightsKmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k1",
        monitoringInterval: 15,
        monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
        blueGreenUpdate: { enabled: true },
        backupWindow: "22:00-22:45",
        backupRetentionPeriod: 14,
        applyImmediately: true,
        deletionProtection: false,
        skipFinalSnapshot: false,
        deleteAutomatedBackups: false,
      },
    );
    assert.match(i.finalSnapshotIdentifier, /^orders-db-final-[0-9a-f]{8}$/);
    const params = inputsOf(mocks, "orders-parameter-group").parameters.filter((p: any) => ["shared_preload_libraries", "cron.database_name", "rds.logical_replication", "statement_timeout"].includes(p.name));
    assert.deepStrictEqual(params, [
      { applyMethod: "pending-reboot", name: "cron.database_name", value: "app" },
      { applyMethod: "pending-reboot", name: "rds.logical_replication", value: "1" },
      { applyMethod: "pending-reboot", name: "shared_preload_libraries", value: "pg_stat_statements,pg_cron" },
      { applyMethod: "immediate", name: "statement_timeout", value: "30000" },
    ]);
    assert.deepStrictEqual(inputsOf(mocks, "orders-dns"), { zoneId: "Z123", name: "orders.db.example.com", type: "CNAME", ttl: 60, records: [`orders-db.${RDS_HOST}`], allowOverwrite: true });
    assert.deepStrictEqual(inputsOf(mocks, "orders-alarms"), { name: "orders-db-alarms", tags: labelsOf("shop", "staging", "staging", "medium_single", "shop-staging-orders-9af1f7d1") });
    const cpu = inputsOf(mocks, "orders-alarm-cpu");
    assert.deepStrictEqual([cpu.threshold, cpu.alarmActions, cpu.okActions], [90, ["arn:aws:sns:eu-west-1:123456789012:orders-db-alarms"], ["arn:aws:sns:eu-west-1:123456789012:orders-db-alarms"]]);
  });

  it("derives an RDS identifier from a long resource id or one starting with a digit", async () => {
    mocks = awsMocks();
    const db = new PgSingle("a-rather-long-database-name-here", { projectId: "9lives-platform-team", environmentId: "development-sandbox", plan: "dev_single", backend: "aws", aws: NET });
    await details(db.topology);
    const id = inputsOf(mocks, "a-rather-long-database-name-here-instance").identifier;
    assert.strictEqual(id, "pg-9lives-platform-team-development-sandbo-f6e17a7c");
    assert.ok(id.length <= 51, `${id} leaves room for suffixes`);
  });
});
