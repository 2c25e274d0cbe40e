/**
 * The components that act on an aws db_resource, under strict mocks: ReadReplicaSet (instance
 * replicas, Aurora readers, RDS Proxy), BackupPolicy (AWS Backup), restore (clone and in place)
 * and BlueGreenUpgrade, with their exact children, inputs and refusals.
 */
import assert from "assert";
import { BackupPolicy, BlueGreenUpgrade, PgCluster, PgSingle, ReadReplicaSet } from "../../../components";
import { awsCronOf } from "../../../components/backends/aws/backup";
import { RDS_HOST, SUBNET_ZONES } from "../../harness/handlers/aws";
import { StrictMocks, isSecretWrapped, settle } from "../../harness/mocks";
import { details } from "../../harness/outputs";
import { NET, awsChildren, awsMocks, inputsOf, labelsOf, registrationOf } from "./support";

const CLUSTER_ID = "shop-prod-orders-d6e77052";
const SINGLE_ID = "shop-staging-orders-9af1f7d1";
const DNS = { zoneId: "Z123", name: "orders.db.example.com" };

function aurora(): PgCluster {
  return new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws", network: { allowedSecurityGroupIds: ["sg-0app"] }, aws: NET });
}

function single(extra: Record<string, unknown> = {}): PgSingle {
  return new PgSingle("orders", { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws", network: { allowedSecurityGroupIds: ["sg-0app"] }, aws: { ...NET, ...extra } });
}

/** The children a component registered beyond those of its db_resource. */
async function newChildren(mocks: StrictMocks, before: string[]): Promise<string[]> {
  const all = await awsChildren(mocks);
  return all.filter((c) => !before.includes(c));
}

describe("aws: components acting on a db_resource (strict mocks)", () => {
  let mocks: StrictMocks;
  before(() => Object.assign(SUBNET_ZONES, { "subnet-a": "eu-west-1a", "subnet-b": "eu-west-1b", "subnet-c": "eu-west-1c" }));
  afterEach(() => mocks?.assertNoUnexpected());

  it("ReadReplicaSet on Aurora: readers in the last tier, a custom READER endpoint over them, RDS Proxy in transaction mode", async () => {
    mocks = awsMocks();
    const db = aurora();
    const before = await awsChildren(mocks);
    const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 2, maxLagSeconds: 10, endpointStrategy: "per_replica", pooling: { mode: "transaction", defaultPoolSize: 100 } });
    await details(reads.topology);
    assert.deepStrictEqual(await newChildren(mocks, before), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-reads-alarm-replica-lag-1",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-reads-alarm-replica-lag-2",
      "aws:ec2/securityGroup:SecurityGroup orders-reads-proxy-security-group",
      "aws:iam/role:Role orders-reads-proxy-role",
      "aws:iam/rolePolicy:RolePolicy orders-reads-proxy-policy",
      "aws:rds/clusterEndpoint:ClusterEndpoint orders-reads-reader-endpoint",
      "aws:rds/clusterInstance:ClusterInstance orders-reads-member-1",
      "aws:rds/clusterInstance:ClusterInstance orders-reads-member-2",
      "aws:rds/proxy:Proxy orders-reads-proxy",
      "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup orders-reads-proxy-target-group",
      "aws:rds/proxyEndpoint:ProxyEndpoint orders-reads-proxy-read-endpoint",
      "aws:rds/proxyTarget:ProxyTarget orders-reads-proxy-target",
      "aws:secretsmanager/secret:Secret orders-reads-proxy-secret",
      "aws:secretsmanager/secretVersion:SecretVersion orders-reads-proxy-secret-version",
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule orders-reads-proxy-egress",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-reads-proxy-db-ingress",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule orders-reads-proxy-ingress-sg-1",
    ]);
    for (const r of mocks.registrations.filter((x) => x.custom && x.name.startsWith("orders-reads-"))) {
      assert.match(String(r.parent), /::pgplatform:index:ReadReplicaSet::orders-reads$/, `${r.name} is parented to the ReadReplicaSet`);
    }
    const setId = inputsOf(mocks, "orders-reads-member-1").identifier.replace(/-1$/, "");
    assert.match(setId, new RegExp(`^${CLUSTER_ID}-rs[0-9a-f]{4}$`));
    const m1 = inputsOf(mocks, "orders-reads-member-1");
    assert.deepStrictEqual([m1.clusterIdentifier, m1.promotionTier, m1.instanceClass, m1.engine], [CLUSTER_ID, 15, "db.r7g.large", "aurora-postgresql"]);
    const endpoint = inputsOf(mocks, "orders-reads-reader-endpoint");
    assert.deepStrictEqual(endpoint, {
      clusterIdentifier: CLUSTER_ID,
      clusterEndpointIdentifier: setId,
      customEndpointType: "READER",
      staticMembers: [`${setId}-1`, `${setId}-2`],
      tags: labelsOf("shop", "prod", "production", "prod_ha", CLUSTER_ID, "pg_cluster"),
    });
    const proxy = inputsOf(mocks, "orders-reads-proxy");
    assert.deepStrictEqual(
      [proxy.name, proxy.engineFamily, proxy.requireTls, proxy.vpcSubnetIds, proxy.auths[0].authScheme, proxy.auths[0].clientPasswordAuthType, proxy.auths[0].iamAuth],
      [setId, "POSTGRESQL", true, NET.subnetIds, "SECRETS", "POSTGRES_SCRAM_SHA_256", "DISABLED"],
    );
    assert.deepStrictEqual(inputsOf(mocks, "orders-reads-proxy-target-group"), {
      dbProxyName: setId,
      connectionPoolConfig: { maxConnectionsPercent: 25, maxIdleConnectionsPercent: 12, connectionBorrowTimeout: 120, sessionPinningFilters: ["EXCLUDE_VARIABLE_SETS"] },
    });
    assert.deepStrictEqual(inputsOf(mocks, "orders-reads-proxy-target"), { dbProxyName: setId, targetGroupName: "default", dbClusterIdentifier: CLUSTER_ID });
    const ro = inputsOf(mocks, "orders-reads-proxy-read-endpoint");
    assert.deepStrictEqual([ro.dbProxyEndpointName, ro.targetRole], [`${setId}-ro`, "READ_ONLY"]);
    assert.ok(isSecretWrapped(registrationOf(mocks, "orders-reads-proxy-secret-version").inputs.secretString), "the proxy's credentials stay a secret");
    assert.deepStrictEqual(JSON.parse(inputsOf(mocks, "orders-reads-proxy-secret-version").secretString), { username: "app", password: "pw1".padEnd(32, "x") });
    const lag = inputsOf(mocks, "orders-reads-alarm-replica-lag-1");
    assert.deepStrictEqual([lag.metricName, lag.threshold, lag.dimensions], ["AuroraReplicaLag", 10000, { DBInstanceIdentifier: `${setId}-1` }]);
    assert.strictEqual((await details(reads.readEndpoint.host)).value, `${setId}.cluster-custom-${RDS_HOST}`);
    assert.deepStrictEqual(await Promise.all(reads.replicaEndpoints.map(async (e) => (await details(e.host)).value)), [`${setId}-1.${RDS_HOST}`, `${setId}-2.${RDS_HOST}`]);
    assert.strictEqual((await details(reads.pooler!.read!.host)).value, `${setId}-ro.endpoint.proxy-${RDS_HOST}`);
    assert.deepStrictEqual(await details(reads.readConnection.uri), {
      value: `postgresql://app:${"pw1".padEnd(32, "x")}@${setId}-ro.endpoint.proxy-${RDS_HOST}:5432/app`,
      isKnown: true,
      isSecret: true,
    });
  });

  it("ReadReplicaSet on a PgSingle: RDS replicas, a weighted Route53 record per replica as the one read endpoint", async () => {
    mocks = awsMocks();
    const db = single({ dns: DNS });
    const before = await awsChildren(mocks);
    const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 2 });
    await details(reads.topology);
    assert.deepStrictEqual(await newChildren(mocks, before), [
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-reads-alarm-replica-lag-1",
      "aws:cloudwatch/metricAlarm:MetricAlarm orders-reads-alarm-replica-lag-2",
      "aws:rds/instance:Instance orders-reads-replica-1",
      "aws:rds/instance:Instance orders-reads-replica-2",
      "aws:route53/record:Record orders-reads-dns-1",
      "aws:route53/record:Record orders-reads-dns-2",
    ]);
    const r1 = inputsOf(mocks, "orders-reads-replica-1");
    assert.deepStrictEqual([r1.replicateSourceDb, r1.backupRetentionPeriod, r1.skipFinalSnapshot, r1.instanceClass], [SINGLE_ID, 0, true, "db.m7g.large"]);
    assert.deepStrictEqual(inputsOf(mocks, "orders-reads-dns-2"), {
      zoneId: "Z123",
      name: "orders-reads.orders.db.example.com",
      type: "CNAME",
      ttl: 60,
      records: [`${r1.identifier.replace(/-1$/, "-2")}.${RDS_HOST}`],
      setIdentifier: "orders-reads-2",
      weightedRoutingPolicies: [{ weight: 1 }],
    });
    const lag = inputsOf(mocks, "orders-reads-alarm-replica-lag-1");
    assert.deepStrictEqual([lag.metricName, lag.threshold], ["ReplicaLag", 30]);
    assert.strictEqual((await details(reads.readEndpoint.host)).value, "orders-reads.orders.db.example.com");
  });

  it("ReadReplicaSet refuses what AWS cannot do: pooling or one endpoint over instance replicas, byte lag, readers on a Multi-AZ DB cluster", async () => {
    mocks = awsMocks();
    const db = single();
    assert.throws(() => new ReadReplicaSet("reads", { source: db, replicas: 2, maxLagBytes: 1000, pooling: { maxClientConnections: 50 } }), {
      message: [
        'Invalid args for ReadReplicaSet "reads" on the `aws` back end: 4 problems:',
        "  - `maxLagBytes` cannot be watched on the `aws` back end (CloudWatch measures replica lag in time; use `maxLagSeconds`); got 1000",
        '  - `endpointStrategy` `single` over 2 RDS instance replicas needs `aws.dns` on the source (RDS has no endpoint over instance replicas; pgplatform then makes a weighted Route53 record per replica), or use `endpointStrategy` `per_replica`; got "single"',
        "  - `pooling.enabled` is not possible over RDS instance replicas (RDS Proxy serves a writer instance or an Aurora cluster, never an instance's read replicas; use a PgCluster on Aurora); got true",
        "  - `pooling.maxClientConnections` cannot be enforced by RDS Proxy (it takes any number of clients and bounds database connections only, through `defaultPoolSize`); leave it out; got 50",
      ].join("\n"),
    });
    const mazc = new PgCluster("mazc", { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws", awsTopology: "multi_az_cluster", aws: NET });
    assert.throws(() => new ReadReplicaSet("more", { source: mazc, replicas: 1 }), {
      message:
        'Invalid args for ReadReplicaSet "more" on the `aws` back end: 1 problem:\n' +
        "  - `source` is an RDS Multi-AZ DB cluster, which takes no further readers (its 2 readable standbys are behind its reader endpoint; use `awsTopology` `aurora` for read scale)",
    });
  });

  it("BackupPolicy: an AWS Backup vault, a plan on the cron in AWS syntax with continuous backup and lifecycle, a selection of the target's ARN", async () => {
    mocks = awsMocks();
    const db = single();
    const before = await awsChildren(mocks);
    const backups = new BackupPolicy("orders-backups", { target: db, schedule: "30 2 * * 1-5", retentionDays: 21, pitr: true });
    const next = (await details(backups.nextSchedule)).value!;
    assert.deepStrictEqual(await newChildren(mocks, before), [
      "aws:backup/plan:Plan orders-backups-backup-plan",
      "aws:backup/selection:Selection orders-backups-backup-selection",
      "aws:backup/vault:Vault orders-backups-vault",
      "aws:iam/role:Role orders-backups-backup-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment orders-backups-backup-policy",
    ]);
    const tags = labelsOf("shop", "staging", "staging", "medium_single", SINGLE_ID);
    const vault = inputsOf(mocks, "orders-backups-vault");
    assert.match(vault.name, new RegExp(`^${SINGLE_ID}-[0-9a-f]{8}$`));
    assert.deepStrictEqual(vault, { name: vault.name, tags });
    assert.deepStrictEqual(inputsOf(mocks, "orders-backups-backup-plan"), {
      name: vault.name,
      rules: [
        {
          ruleName: "pgplatform",
          targetVaultName: vault.name,
          schedule: "cron(30 2 ? * 2,3,4,5,6 *)",
          scheduleExpressionTimezone: "Etc/UTC",
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: 21 },
          enableContinuousBackup: true,
          recoveryPointTags: tags,
        },
      ],
      tags,
    });
    const selection = inputsOf(mocks, "orders-backups-backup-selection");
    assert.deepStrictEqual([selection.name, selection.resources, selection.iamRoleArn], [vault.name, [`arn:aws:rds:eu-west-1:123456789012:db:${SINGLE_ID}`], `arn:aws:iam::123456789012:role/${selection.iamRoleArn.split("/")[1]}`]);
    assert.deepStrictEqual(inputsOf(mocks, "orders-backups-backup-policy").policyArn, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup");
    const at = new Date(next);
    assert.ok(at.getTime() > Date.now() && [1, 2, 3, 4, 5].includes(at.getUTCDay()) && at.getUTCHours() === 2 && at.getUTCMinutes() === 30, `next run ${next} is a weekday at 02:30 UTC`);
    assert.deepStrictEqual(await details(backups.lastSuccessful), { value: undefined, isKnown: true, isSecret: false });
    assert.strictEqual((await details(backups.status)).value, "RUNNING");
    assert.throws(() => new BackupPolicy("often", { target: db, schedule: "*/15 * * * *", location: { bucket: "my-backups" } }), {
      message: [
        'Invalid args for BackupPolicy "often" on the `aws` back end: 2 problems:',
        '  - `schedule` cannot be an AWS Backup schedule: AWS Backup runs at most once an hour (give one minute); got "*/15 * * * *"',
        '  - `location.bucket` does not apply on the `aws` back end (AWS Backup keeps recovery points in a backup vault that pgplatform makes for the policy); got "my-backups"',
      ].join("\n"),
    });
  });

  it("writes 5-field crons as AWS Backup crons", () => {
    assert.deepStrictEqual(
      ["0 * * * *", "0 3 * * *", "15 */6 * * *", "0 4 1 * *", "0 5 * * 0", "0 5 * * 7", "0 1 * 1-6 5-7"].map(awsCronOf),
      ["cron(0 * * * ? *)", "cron(0 3 * * ? *)", "cron(15 0/6 * * ? *)", "cron(0 4 1 * ? *)", "cron(0 5 ? * 1 *)", "cron(0 5 ? * 1 *)", "cron(0 1 ? 1-6 1,6,7 *)"],
    );
  });

  it("restore as a clone: to a time through restoreToPointInTime, to a backup through snapshotIdentifier; never to an LSN", async () => {
    mocks = awsMocks();
    const db = single();
    const backups = new BackupPolicy("orders-backups", { target: db });
    const at = new PgSingle("copy", { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws", restore: { from: backups, targetTime: "2025-01-02T03:04:05Z" }, aws: NET });
    await details(at.connection.host);
    const i = inputsOf(mocks, "copy-instance");
    assert.deepStrictEqual([i.restoreToPointInTime, i.snapshotIdentifier, i.dbName, i.username], [{ sourceDbInstanceIdentifier: SINGLE_ID, restoreTime: "2025-01-02T03:04:05.000Z" }, undefined, undefined, undefined]);
    const latest = new PgSingle("latest", { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws", restore: { from: backups }, aws: NET });
    await details(latest.connection.host);
    assert.deepStrictEqual(inputsOf(mocks, "latest-instance").restoreToPointInTime, { sourceDbInstanceIdentifier: SINGLE_ID, useLatestRestorableTime: true });
    const snap = new PgSingle("snap", { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws", restore: { from: backups, backupId: "awsbackup:job-1234" }, aws: NET });
    await details(snap.connection.uri);
    assert.deepStrictEqual([inputsOf(mocks, "snap-instance").snapshotIdentifier, inputsOf(mocks, "snap-instance").restoreToPointInTime], ["awsbackup:job-1234", undefined]);
    assert.throws(() => new PgSingle("lsn", { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws", restore: { from: backups, targetLsn: "0/3000060" }, aws: NET }), {
      message:
        'Invalid args for PgSingle "lsn" on the `aws` back end: 1 problem:\n' +
        '  - `restore.targetLsn` is not possible on the `aws` back end (RDS restores to a time, not an LSN; use `restore.targetTime`); got "0/3000060"',
    });
  });

  it("restore in place: a restored instance serves and the Route53 record moves to it; without aws.dns it is refused", async () => {
    mocks = awsMocks();
    const backups = new BackupPolicy("orders-backups", { target: single({ dns: DNS }) });
    mocks = awsMocks();
    const args = { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws" as const, network: { allowedSecurityGroupIds: ["sg-0app"] } };
    assert.throws(() => new PgSingle("orders", { ...args, restore: { from: backups, mode: "in_place", confirm: true }, aws: NET }), {
      message:
        'Invalid args for PgSingle "orders" on the `aws` back end: 1 problem:\n' +
        "  - `restore.mode` `in_place` needs `aws.dns` on the `aws` back end: RDS restores into a new instance, and only a Route53 record the application uses can move to it (give `aws.dns: { zoneId, name }`, or restore as a `clone`)",
    });
    const db = new PgSingle("orders", { ...args, restore: { from: backups, mode: "in_place", targetTime: "2025-01-02T03:04:05Z", confirm: true }, aws: { ...NET, dns: DNS } });
    assert.strictEqual((await details(db.connection.host)).value, "orders.db.example.com");
    const restored = inputsOf(mocks, "orders-restored");
    assert.match(restored.identifier, new RegExp(`^${SINGLE_ID}-rst-[0-9a-f]{4}$`));
    assert.deepStrictEqual(restored.restoreToPointInTime, { sourceDbInstanceIdentifier: SINGLE_ID, restoreTime: "2025-01-02T03:04:05.000Z" });
    assert.deepStrictEqual(inputsOf(mocks, "orders-dns").records, [`${restored.identifier}.${RDS_HOST}`]);
    assert.strictEqual(inputsOf(mocks, "orders-instance").restoreToPointInTime, undefined, "the original is left as it was: the safety copy");
  });

  it("restore in place from its own automated backups, in one program (no BackupPolicy: `from` left out)", async () => {
    mocks = awsMocks();
    const args = { projectId: "shop", environmentId: "staging", plan: "medium_single", backend: "aws" as const, network: { allowedSecurityGroupIds: ["sg-0app"] } };
    const db = new PgSingle("orders", { ...args, restore: { mode: "in_place", targetTime: "2025-01-02T03:04:05Z", confirm: true }, aws: { ...NET, dns: DNS } });
    assert.strictEqual((await details(db.connection.host)).value, "orders.db.example.com");
    const restored = inputsOf(mocks, "orders-restored");
    assert.deepStrictEqual(restored.restoreToPointInTime, { sourceDbInstanceIdentifier: SINGLE_ID, restoreTime: "2025-01-02T03:04:05.000Z" });
    assert.deepStrictEqual(inputsOf(mocks, "orders-dns").records, [`${restored.identifier}.${RDS_HOST}`]);
  });

  it("BlueGreenUpgrade without aws.sqlAccess: in place is a version change on the source; blue-green prepares a green Aurora cluster and a stable record on blue; cutover is refused", async () => {
    mocks = awsMocks();
    const db = single({ dns: DNS, logicalReplication: true });
    assert.throws(() => new BlueGreenUpgrade("to-18", { source: db, targetVersion: "18", strategy: "in_place", confirm: true }), {
      message:
        'Invalid args for BlueGreenUpgrade "to-18" on the `aws` back end: 1 problem:\n' +
        "  - `strategy` `in_place` on the `aws` back end is a change of `version` on the source itself: set `version: \"18\"` on `shop-staging-orders-9af1f7d1` (RDS upgrades it in place with a parameter group of the new family; a PgSingle with `aws.blueGreenUpdate` goes through an RDS blue/green deployment); got \"in_place\"",
    });
    assert.throws(() => new BlueGreenUpgrade("to-18", { source: db, targetVersion: "18", phase: "cutover" }), {
      message:
        'Invalid args for BlueGreenUpgrade "to-18" on the `aws` back end: 1 problem:\n' +
        "  - `phase` `cutover` is not available on the `aws` back end in this version: the data copy to the green side is logical replication (publication on blue, subscription on green, catch-up, write freeze, sequence copy, then the Route53 switch), which the program runs only with `aws.sqlAccess: true` on the source (its TLS SQL reach to both databases; set it when the source is created); without it, moving the application to an empty green side would lose its data; for a PgSingle use `aws.blueGreenUpdate: true` and change its `version` (an RDS blue/green deployment); got \"cutover\"",
    });
    const before = await awsChildren(mocks);
    const upgrade = new BlueGreenUpgrade("to-ha", { source: db, targetPlan: "prod_ha", phase: "prepare" });
    assert.strictEqual((await details(upgrade.connection.host)).value, "to-ha.orders.db.example.com");
    assert.strictEqual((await details(upgrade.activeSide)).value, "blue");
    const added = await newChildren(mocks, before);
    assert.ok(added.includes("aws:rds/cluster:Cluster to-ha-green-cluster") && added.includes("aws:rds/clusterInstance:ClusterInstance to-ha-green-member-3"), added.join("\n"));
    assert.ok(added.includes("aws:route53/record:Record to-ha-dns"));
    const green = inputsOf(mocks, "to-ha-green-cluster");
    assert.deepStrictEqual([green.clusterIdentifier, green.engine, green.engineVersion], [`${SINGLE_ID}-g17`, "aurora-postgresql", "17"]);
    assert.deepStrictEqual(inputsOf(mocks, "to-ha-dns").records, [`${SINGLE_ID}.${RDS_HOST}`]);
    const logical = inputsOf(mocks, "to-ha-green-cluster-parameter-group").parameters.find((p: any) => p.name === "rds.logical_replication");
    assert.deepStrictEqual(logical, { applyMethod: "pending-reboot", name: "rds.logical_replication", value: "1" });
  });

  it("BlueGreenUpgrade with aws.sqlAccess: green Aurora cluster with blue's app password, the AwsUpgrade with both TLS admins, the record following activeSide", async () => {
    let side = "blue";
    const upgradeType = "pulumi-nodejs:dynamic/pgplatform:AwsUpgrade";
    mocks = awsMocks({
      handlers: {
        [upgradeType]: (a) => ({ id: "up-id", state: { ...a.inputs, appliedPhase: a.inputs.phase, activeSide: side, status: "IN_PROGRESS", progress: { lagBytes: 0 }, log: [] } }),
      },
    });
    const db = single({ dns: DNS, logicalReplication: true, sqlAccess: true, masterUsername: "dba" });
    const before = await awsChildren(mocks);
    const beforeDynamic = mocks.registrations.map((r) => r.name);
    const upgrade = new BlueGreenUpgrade("to-ha", { source: db, targetPlan: "prod_ha", phase: "cutover", maxWritePauseSeconds: 20 });
    assert.strictEqual((await details(upgrade.connection.host)).value, "to-ha.orders.db.example.com");
    assert.strictEqual((await details(upgrade.activeSide)).value, "blue");
    const added = await newChildren(mocks, before);
    assert.deepStrictEqual(
      added.filter((c) => !c.includes("to-ha-green-")),
      ["aws:route53/record:Record to-ha-dns"],
    );
    assert.deepStrictEqual(
      mocks.registrations.filter((r) => r.custom && !beforeDynamic.includes(r.name) && r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => `${r.type} ${r.name}`).sort(),
      [
        "pulumi-nodejs:dynamic/pgplatform:AwsUpgrade to-ha-upgrade",
        "pulumi-nodejs:dynamic/pgplatform:Database to-ha-green-app-database",
        "pulumi-nodejs:dynamic/pgplatform:Role to-ha-green-app-role",
      ],
    );
    // Green's app role takes blue's password: no generated password of its own.
    assert.ok(!mocks.registrations.some((r) => r.name === "to-ha-green-app-password"));
    const blueRole = inputsOf(mocks, "orders-app-role");
    const greenRole = inputsOf(mocks, "to-ha-green-app-role");
    assert.deepStrictEqual([greenRole.name, greenRole.password], [blueRole.name, blueRole.password]);
    const up = inputsOf(mocks, "to-ha-upgrade");
    assert.ok(isSecretWrapped(registrationOf(mocks, "to-ha-upgrade").inputs.blue) && isSecretWrapped(registrationOf(mocks, "to-ha-upgrade").inputs.green));
    const greenCluster = inputsOf(mocks, "to-ha-green-cluster");
    const blueInstance = inputsOf(mocks, "orders-instance");
    assert.deepStrictEqual(
      { ...up, __provider: undefined },
      {
        __provider: undefined,
        kind: "pgplatform:aws:upgrade",
        upgradeId: up.upgradeId,
        phase: "cutover",
        blue: {
          admin: { host: `${SINGLE_ID}.${RDS_HOST}`, port: 5432, user: "dba", password: blueInstance.password, database: "postgres", ssl: { mode: "require" } },
          database: "app",
          appUser: "app",
          appPassword: blueRole.password,
        },
        green: {
          admin: { host: `${SINGLE_ID}-g17.cluster-${RDS_HOST}`, port: 5432, user: "dba", password: greenCluster.masterPassword, database: "postgres", ssl: { mode: "require" } },
          database: "app",
          appUser: "app",
          appPassword: blueRole.password,
        },
        stableEndpoint: "to-ha.orders.db.example.com",
        tablesWithoutPrimaryKey: "refuse",
        maxWritePauseSeconds: 20,
        prepareTimeoutSeconds: 3600,
        migration: { migrationType: "single_to_cluster", sourceResourceId: SINGLE_ID, targetResourceId: `${SINGLE_ID}-g17`, fromVersion: "17", toVersion: "17" },
      },
    );
    assert.strictEqual(up.upgradeId, "shop-staging-to-ha-cde26e20");
    assert.deepStrictEqual(inputsOf(mocks, "to-ha-dns").records, [`${SINGLE_ID}.${RDS_HOST}`]);
  });

  it("BlueGreenUpgrade with aws.sqlAccess: once the upgrade reports green serving, the Route53 record points at green's writer endpoint", async () => {
    mocks = awsMocks({
      handlers: {
        "pulumi-nodejs:dynamic/pgplatform:AwsUpgrade": (a) => ({
          id: "up-id",
          state: { ...a.inputs, appliedPhase: "cutover", activeSide: "green", status: "IN_PROGRESS", progress: { lagBytes: 0, reverseLagBytes: 0 }, log: [] },
        }),
      },
    });
    const db = single({ dns: DNS, logicalReplication: true, sqlAccess: true });
    const upgrade = new BlueGreenUpgrade("to-ha", { source: db, targetPlan: "prod_ha", phase: "cutover" });
    assert.strictEqual((await details(upgrade.activeSide)).value, "green");
    assert.deepStrictEqual((await details(upgrade.progress)).value, {
      phase: "cutover",
      migrationStatus: "IN_PROGRESS",
      stableEndpoint: "to-ha.orders.db.example.com",
      green: `${SINGLE_ID}-g17`,
      lagBytes: 0,
      reverseLagBytes: 0,
    });
    await settle(mocks);
    assert.deepStrictEqual(inputsOf(mocks, "to-ha-dns").records, [`${SINGLE_ID}-g17.cluster-${RDS_HOST}`]);
    assert.strictEqual((await details(upgrade.connection.host)).value, "to-ha.orders.db.example.com");
  });
});
