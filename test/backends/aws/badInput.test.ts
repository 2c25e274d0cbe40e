/**
 * Bad input for the aws back end: each row is refused with its exact message, naming the field,
 * before anything is registered. Options alone are checked by the parse (`Invalid args for ...`);
 * options weighed against the plan, tier and topology by the back end (`... on the `aws` back end`).
 */
import assert from "assert";
import { PgCluster, PgSingle } from "../../../components";
import { StrictMocks } from "../../harness/mocks";
import { NET, awsMocks } from "../../components/aws/support";

const S = { projectId: "shop", environmentId: "staging", plan: "small_single", backend: "aws" as const };
const C = { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws" as const };
const SINGLE = 'Invalid args for PgSingle "orders"';
const SINGLE_AWS = 'Invalid args for PgSingle "orders" on the `aws` back end';
const CLUSTER_AWS = 'Invalid args for PgCluster "orders" on the `aws` back end';

interface Row {
  what: string;
  args: any;
  cluster?: boolean;
  message: string[];
}

const ROWS: Row[] = [
  {
    what: "db_resource quotas, and scheduled maintenance without SQL access",
    args: { ...S, aws: NET, quotas: { maxStorageGb: 10 }, maintenance: { vacuumAnalyze: true } },
    message: [
      `${SINGLE_AWS}: 2 problems:`,
      "  - `quotas` on a db_resource are measured and enforced by the `local` back end only; on `aws` the CloudWatch alarms watch storage and connections (`aws.alarms`), and tenants take `TenantDatabase.quotas`",
      "  - `maintenance.vacuumAnalyze` needs `aws.sqlAccess: true` on the `aws` back end: its pg_cron job is created through SQL from the program (pg_cron is preloaded through the parameter group); got true",
    ],
  },
  {
    what: "no VPC and no subnets",
    args: { ...S },
    message: [
      `${SINGLE_AWS}: 2 problems:`,
      "  - `aws.vpcId` is required on the `aws` back end: the VPC the database and its security group live in; got nothing",
      "  - `aws.subnetIds` is required on the `aws` back end: at least 2 private subnets in different availability zones; got nothing",
    ],
  },
  {
    what: "a subnet group of one subnet",
    args: { ...S, aws: { vpcId: "vpc-1", subnetIds: ["subnet-a"] } },
    message: [`${SINGLE}: 1 problem:`, '  - `aws.subnetIds` must name at least 2 subnets in different availability zones (an RDS DB subnet group spans 2 zones or more); got ["subnet-a"]'],
  },
  {
    what: "an identifier with a digit first, upper case, `--` and a trailing hyphen",
    args: { ...S, aws: { ...NET, identifier: "9orders--DB-" } },
    message: [
      `${SINGLE}: 3 problems:`,
      '  - `aws.identifier` must start with a lower-case letter and hold only lower-case letters, digits and `-` (an RDS identifier); got "9orders--DB-"',
      '  - `aws.identifier` must not contain `--` (an RDS identifier); got "9orders--DB-"',
      '  - `aws.identifier` must not end with `-` (an RDS identifier); got "9orders--DB-"',
    ],
  },
  {
    what: "an identifier with no room for the suffixes",
    args: { ...S, aws: { ...NET, identifier: "o".repeat(52) } },
    message: [
      `${SINGLE}: 1 problem:`,
      `  - \`aws.identifier\` must be at most 51 characters (RDS allows 63, and pgplatform appends up to 12 such as \`-rst-1a2b-5\`); got "${"o".repeat(52)}" (52 characters)`,
    ],
  },
  {
    what: "multiAz with a fixed zone",
    args: { ...S, aws: { ...NET, multiAz: true, availabilityZone: "eu-west-1a" } },
    message: [`${SINGLE}: 1 problem:`, '  - `aws.availabilityZone` cannot be set with `aws.multiAz` true (RDS places the standby in another zone itself); got "eu-west-1a"'],
  },
  {
    what: "gp3 throughput above a quarter of the IOPS",
    args: { ...S, storage: { sizeGb: 450 }, aws: { ...NET, storage: { iops: 3000, throughputMbps: 1000 } } },
    message: [`${SINGLE}: 1 problem:`, "  - `aws.storage.throughputMbps` must be at most a quarter of `aws.storage.iops` (750 for 3000 IOPS, a gp3 rule); got 1000"],
  },
  {
    what: "gp3 IOPS under 400 GiB",
    args: { ...S, aws: { ...NET, storage: { iops: 12000 } } },
    message: [
      `${SINGLE_AWS}: 1 problem:`,
      "  - `aws.storage.iops` needs `storage.sizeGb` of at least 400 (gp3 under 400 GiB has a fixed 3000 IOPS and 125 MiB/s on RDS for PostgreSQL); got 12000 with `storage.sizeGb` 50",
    ],
  },
  {
    what: "a Performance Insights retention RDS does not offer",
    args: { ...S, aws: { ...NET, performanceInsights: { retentionDays: 100 } } },
    message: [`${SINGLE}: 1 problem:`, "  - `aws.performanceInsights.retentionDays` must be 7, a multiple of 31 (months, up to 713) or 731; got 100"],
  },
  {
    what: "Performance Insights on a class that has none",
    args: { ...S, aws: { ...NET, performanceInsights: { enabled: true } } },
    message: [
      `${SINGLE_AWS}: 1 problem:`,
      "  - `aws.performanceInsights.enabled` cannot be true on `db.t4g.small` (Performance Insights does not run on `db.t2.micro`, `db.t2.small`, `db.t3.micro`, `db.t3.small`, `db.t4g.micro`, `db.t4g.small`); got true",
    ],
  },
  {
    what: "an enhanced monitoring interval RDS does not offer",
    args: { ...S, aws: { ...NET, monitoringInterval: 20 } },
    message: [`${SINGLE}: 1 problem:`, "  - `aws.monitoringInterval` must be one of `0`, `1`, `5`, `10`, `15`, `30`, `60` seconds (0 = off); got 20"],
  },
  {
    what: "a backup window under 30 minutes",
    args: { ...S, aws: { ...NET, backupWindow: "03:00-03:20" } },
    message: [`${SINGLE}: 1 problem:`, '  - `aws.backupWindow` must be at least 30 minutes long (an RDS rule); got "03:00-03:20" (20 minutes)'],
  },
  {
    what: "a maintenance window over the backup window",
    args: { ...S, lifecycle: { maintenanceWindow: "mon:03:15-mon:04:00" }, aws: NET },
    message: [
      `${SINGLE_AWS}: 1 problem:`,
      '  - `aws.backupWindow` "03:00-03:30" (from the backup schedule) overlaps `lifecycle.maintenanceWindow` "mon:03:15-mon:04:00"; RDS needs them apart, move one',
    ],
  },
  {
    what: "a maintenance window under 30 minutes",
    args: { ...S, lifecycle: { maintenanceWindow: "sun:04:00-sun:04:15" }, aws: NET },
    message: [`${SINGLE_AWS}: 1 problem:`, '  - `lifecycle.maintenanceWindow` must be at least 30 minutes long on the `aws` back end (an RDS rule); got "sun:04:00-sun:04:15" (15 minutes)'],
  },
  {
    what: "a read replica of a source without automated backups",
    args: { ...S, readReplicas: 1, backup: { enabled: false }, aws: NET },
    message: [`${SINGLE_AWS}: 1 problem:`, "  - `readReplicas` needs automated backups on the source (RDS creates replicas from them): set `backup.enabled` to true; got 1"],
  },
  {
    what: "RDS blue/green with a managed master password",
    args: { ...S, aws: { ...NET, blueGreenUpdate: true, manageMasterUserPassword: true } },
    message: [`${SINGLE}: 1 problem:`, "  - `aws.blueGreenUpdate` cannot be used with `aws.manageMasterUserPassword` (RDS blue/green deployments do not support a managed master password); got true"],
  },
  {
    what: "automated backups kept longer than RDS can",
    args: { ...S, backup: { retentionDays: 40 }, aws: NET },
    message: [`${SINGLE_AWS}: 1 problem:`, "  - `backup.retentionDays` must be between 1 and 35 on the `aws` back end (RDS keeps automated backups for at most 35 days); got 40"],
  },
  {
    what: "a parameter with a unit RDS cannot take",
    args: { ...S, parameters: { commit_delay: "10ms" }, aws: NET },
    message: [
      `${SINGLE_AWS}: 1 problem:`,
      '  - `parameters.commit_delay` has a unit that pgplatform cannot convert for an RDS parameter group (RDS takes the number in the parameter\'s own unit); give a plain number; got "10ms"',
    ],
  },
  {
    what: "a log type RDS for PostgreSQL does not export",
    args: { ...S, aws: { ...NET, logExports: ["postgresql", "audit"] } },
    message: [`${SINGLE}: 1 problem:`, '  - `aws.logExports[1]` must be one of `postgresql`, `upgrade`; got "audit"'],
  },
  {
    what: "two alarm topics",
    args: { ...S, aws: { ...NET, alarms: { snsTopicArn: "arn:aws:sns:eu-west-1:1:t", createSnsTopic: true } } },
    message: [`${SINGLE}: 1 problem:`, "  - `aws.alarms.createSnsTopic` cannot be true with `aws.alarms.snsTopicArn` (alarms notify one topic); got true"],
  },
  {
    what: "an instance class that is not one",
    args: { ...S, compute: { aws: { instanceClass: "m5.large" } }, aws: NET },
    message: [`${SINGLE_AWS}: 1 problem:`, '  - `compute.aws.instanceClass` must be an RDS instance class such as `db.r7g.large`; got "m5.large"'],
  },
  {
    what: "a paused instance with read replicas",
    args: { ...S, readReplicas: 1, lifecycle: { state: "paused" }, aws: NET },
    message: [`${SINGLE_AWS}: 1 problem:`, '  - `lifecycle.state` `paused` is not possible with `readReplicas` (RDS cannot stop an instance that has read replicas); got "paused" with 1 replica(s)'],
  },
  {
    what: "asynchronous replication on a Multi-AZ DB cluster",
    cluster: true,
    args: { ...C, awsTopology: "multi_az_cluster", replicationMode: "async", syncStandbys: 0, aws: NET },
    message: [
      `${CLUSTER_AWS}: 1 problem:`,
      '  - `replicationMode` cannot be `async` with `awsTopology` `multi_az_cluster` (an RDS Multi-AZ DB cluster always commits semi-synchronously, once 1 of its 2 standbys has the change; use `awsTopology` `aurora`); got "async"',
    ],
  },
  {
    what: "two synchronous standbys and read replicas on a Multi-AZ DB cluster",
    cluster: true,
    args: { ...C, awsTopology: "multi_az_cluster", syncStandbys: 2, readReplicas: 1, aws: NET },
    message: [
      `${CLUSTER_AWS}: 2 problems:`,
      "  - `syncStandbys` must be 1 with `awsTopology` `multi_az_cluster` (a commit waits for 1 of its 2 standbys, never both); got 2",
      "  - `readReplicas` is not possible with `awsTopology` `multi_az_cluster` (its 2 standbys are its only readers; use `awsTopology` `aurora`); got 1",
    ],
  },
  {
    what: "an Aurora cluster on a class Aurora does not offer, with provisioned IOPS",
    cluster: true,
    args: { ...C, environmentId: "staging", compute: { aws: { instanceClass: "db.t4g.micro" } }, aws: { ...NET, storage: { iops: 3000 } } },
    message: [
      `${CLUSTER_AWS}: 2 problems:`,
      '  - `compute.aws.instanceClass` `db.t4g.micro` is not offered by Aurora PostgreSQL (use `db.t4g.medium` or larger); got "db.t4g.micro"',
      "  - `aws.storage.iops` does not apply to Aurora (its storage scales by itself; use `awsTopology` `multi_az_cluster` for provisioned IOPS); got 3000",
    ],
  },
  {
    what: "a paused cluster and PgSingle-only options on a cluster",
    cluster: true,
    args: { ...C, lifecycle: { state: "paused" }, aws: { ...NET, multiAz: false, availabilityZone: "eu-west-1a", blueGreenUpdate: true } },
    message: [
      `${CLUSTER_AWS}: 4 problems:`,
      '  - `aws.availabilityZone` applies to a PgSingle (a cluster spreads its members over the subnets\' zones); got "eu-west-1a"',
      "  - `aws.multiAz` applies to a PgSingle (a PgCluster takes `multiAz`); got false",
      "  - `aws.blueGreenUpdate` applies to a PgSingle (RDS blue/green updates are for instances; upgrade a cluster with BlueGreenUpgrade); got true",
      '  - `lifecycle.state` `paused` is not available for a PgCluster on the `aws` back end (@pulumi/aws 7 stops RDS instances only); got "paused"',
    ],
  },
];

describe("aws back end: bad input is refused with one message naming each field", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("has at least 15 rows", () => assert.ok(ROWS.length >= 15, `${ROWS.length} rows`));

  for (const row of ROWS) {
    it(`rejects ${row.what}`, () => {
      mocks = awsMocks();
      assert.throws(() => (row.cluster ? new PgCluster("orders", row.args) : new PgSingle("orders", row.args)), { message: row.message.join("\n") });
      assert.deepStrictEqual(mocks.registrations, [], "nothing is registered");
    });
  }
});
