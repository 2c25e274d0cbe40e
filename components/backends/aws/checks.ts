/**
 * What the aws back end refuses before anything is registered, beyond the model's own checks:
 * options weighed against the plan, the tier and the topology, and AWS limits (CDK's rules and
 * RDS's). Every check lists every problem, each naming its field, in one ValidationError.
 */
import { LIMITS } from "../../model/defaults";
import { Problems, show } from "../../model/errors";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { MULTI_AZ_CLUSTER_STANDBYS } from "../../model/schemas/pgCluster";
import { unconvertibleParameters } from "./parameters";
import { checkShardedAws } from "./sharding";
import { GP3_PROVISIONED_MIN_GB, PI_UNSUPPORTED_CLASSES, backupWindowOf } from "./settings";
import { maintenanceSpans, windowsOverlap } from "./windows";

const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
/** Classes Aurora PostgreSQL does not offer (the smallest burstable ones). */
const AURORA_UNSUPPORTED = /^db\.t[234]g?\.(micro|small)$/;

/** The subject of the aws back end's errors: `Invalid args for PgSingle "orders" on the `aws` back end`. */
export function awsSubject(component: string, name: string): string {
  return `Invalid args for ${component} ${JSON.stringify(name)} on the \`aws\` back end`;
}

/** The rules PgSingle and PgCluster share. */
function checkCommonAws(spec: PgSingleSpec | PgClusterSpec, p: Problems): void {
  if (spec.quotas) {
    p.add("quotas", "`quotas` on a db_resource are measured and enforced by the `local` back end only; on `aws` the CloudWatch alarms watch storage and connections (`aws.alarms`), and tenants take `TenantDatabase.quotas`");
  }
  // Sharded, pg_cron is not there at all: the sharding check says so instead.
  const sharded = spec.kind === "pg_cluster" && spec.sharding !== undefined;
  if (spec.maintenance?.vacuumAnalyze && !spec.aws.sqlAccess && !sharded) {
    p.add(
      "maintenance.vacuumAnalyze",
      "`maintenance.vacuumAnalyze` needs `aws.sqlAccess: true` on the `aws` back end: its pg_cron job is created through SQL from the program (pg_cron is preloaded through the parameter group); got true",
    );
  }
  if (spec.maintenance?.vacuumAnalyze && spec.aws.pgCron === false) {
    p.add("aws.pgCron", "`aws.pgCron` cannot be false with `maintenance.vacuumAnalyze` true: the maintenance job runs on pg_cron; got false");
  }
  const a = spec.aws;
  if (!a.vpcId) p.add("aws.vpcId", "`aws.vpcId` is required on the `aws` back end: the VPC the database and its security group live in; got nothing");
  if (!a.subnetIds) p.add("aws.subnetIds", "`aws.subnetIds` is required on the `aws` back end: at least 2 private subnets in different availability zones; got nothing");
  const klass = spec.compute.aws.instanceClass;
  if (!INSTANCE_CLASS.test(klass)) p.add("compute.aws.instanceClass", `\`compute.aws.instanceClass\` must be an RDS instance class such as \`db.r7g.large\`; got ${show(klass)}`);
  if (spec.backup.enabled && spec.backup.retentionDays > LIMITS.awsBackupRetentionDays) {
    p.add(
      "backup.retentionDays",
      `\`backup.retentionDays\` must be between 1 and ${LIMITS.awsBackupRetentionDays} on the \`aws\` back end (RDS keeps automated backups for at most ${LIMITS.awsBackupRetentionDays} days); got ${spec.backup.retentionDays}`,
    );
  }
  const maintenance = maintenanceSpans(spec.lifecycle.maintenanceWindow);
  if (maintenance && maintenance.minutes < 30) {
    p.add("lifecycle.maintenanceWindow", `\`lifecycle.maintenanceWindow\` must be at least 30 minutes long on the \`aws\` back end (an RDS rule); got ${show(spec.lifecycle.maintenanceWindow)} (${maintenance.minutes} minutes)`);
  }
  const backupWindow = a.backupWindow ?? backupWindowOf(spec.backup.cron);
  if (spec.backup.enabled && windowsOverlap(backupWindow, spec.lifecycle.maintenanceWindow)) {
    const field = a.backupWindow ? "aws.backupWindow" : "lifecycle.maintenanceWindow";
    p.add(
      field,
      `\`aws.backupWindow\` ${show(backupWindow)}${a.backupWindow ? "" : " (from the backup schedule)"} overlaps \`lifecycle.maintenanceWindow\` ${show(spec.lifecycle.maintenanceWindow)}; RDS needs them apart, move one`,
    );
  }
  const aurora = spec.kind === "pg_cluster" && spec.awsTopology === "aurora";
  if (!aurora && (a.storage?.iops !== undefined || a.storage?.throughputMbps !== undefined) && spec.storage.sizeGb < GP3_PROVISIONED_MIN_GB) {
    const field = a.storage?.iops !== undefined ? "aws.storage.iops" : "aws.storage.throughputMbps";
    p.add(
      field,
      `\`${field}\` needs \`storage.sizeGb\` of at least ${GP3_PROVISIONED_MIN_GB} (gp3 under ${GP3_PROVISIONED_MIN_GB} GiB has a fixed 3000 IOPS and 125 MiB/s on RDS for PostgreSQL); got ${show(a.storage?.iops ?? a.storage?.throughputMbps)} with \`storage.sizeGb\` ${spec.storage.sizeGb}`,
    );
  }
  if (a.performanceInsights?.enabled === true && PI_UNSUPPORTED_CLASSES.includes(klass)) {
    p.add("aws.performanceInsights.enabled", `\`aws.performanceInsights.enabled\` cannot be true on \`${klass}\` (Performance Insights does not run on ${PI_UNSUPPORTED_CLASSES.map((c) => `\`${c}\``).join(", ")}); got true`);
  }
  for (const name of unconvertibleParameters(spec.parameters)) {
    p.add(
      `parameters.${name}`,
      `\`parameters.${name}\` has a unit that pgplatform cannot convert for an RDS parameter group (RDS takes the number in the parameter's own unit); give a plain number; got ${show(spec.parameters[name])}`,
    );
  }
  const r = spec.restore;
  if (r?.target.type === "lsn") {
    p.add("restore.targetLsn", `\`restore.targetLsn\` is not possible on the \`aws\` back end (RDS restores to a time, not an LSN; use \`restore.targetTime\`); got ${show(r.target.lsn)}`);
  }
  if (r?.mode === "in_place" && !a.dns) {
    p.add(
      "restore.mode",
      "`restore.mode` `in_place` needs `aws.dns` on the `aws` back end: RDS restores into a new instance, and only a Route53 record the application uses can move to it (give `aws.dns: { zoneId, name }`, or restore as a `clone`)",
    );
  }
}

/** Checks a PgSingle against the aws back end; throws one ValidationError listing every problem. */
export function checkSingleAws(spec: PgSingleSpec): void {
  const p = new Problems();
  checkCommonAws(spec, p);
  const a = spec.aws;
  if (spec.readReplicas > 0 && !spec.backup.enabled) {
    p.add("readReplicas", `\`readReplicas\` needs automated backups on the source (RDS creates replicas from them): set \`backup.enabled\` to true; got ${spec.readReplicas}`);
  }
  if (spec.readReplicas > 0 && a.manageMasterUserPassword) {
    p.add("aws.manageMasterUserPassword", "`aws.manageMasterUserPassword` cannot be used with `readReplicas` (RDS does not manage the master password of a replica source); got true");
  }
  if (a.blueGreenUpdate) {
    if (!spec.backup.enabled) p.add("aws.blueGreenUpdate", "`aws.blueGreenUpdate` needs automated backups (`backup.enabled` true: RDS blue/green deployments need a backup retention of at least 1 day); got true");
    if (spec.readReplicas > 0) p.add("aws.blueGreenUpdate", `\`aws.blueGreenUpdate\` cannot be used with \`readReplicas\` (RDS blue/green updates through pgplatform do not carry replicas); got true with ${spec.readReplicas} replica(s)`);
  }
  if (spec.lifecycle.state === "paused" && spec.readReplicas > 0) {
    p.add("lifecycle.state", `\`lifecycle.state\` \`paused\` is not possible with \`readReplicas\` (RDS cannot stop an instance that has read replicas); got "paused" with ${spec.readReplicas} replica(s)`);
  }
  p.throwIfAny(awsSubject("PgSingle", spec.name));
}

/** Checks a PgCluster against the aws back end; throws one ValidationError listing every problem. */
export function checkClusterAws(spec: PgClusterSpec): void {
  const p = new Problems();
  checkCommonAws(spec, p);
  const a = spec.aws;
  const klass = spec.compute.aws.instanceClass;
  if (a.availabilityZone !== undefined) p.add("aws.availabilityZone", `\`aws.availabilityZone\` applies to a PgSingle (a cluster spreads its members over the subnets' zones); got ${show(a.availabilityZone)}`);
  if (a.multiAz !== undefined) p.add("aws.multiAz", `\`aws.multiAz\` applies to a PgSingle (a PgCluster takes \`multiAz\`); got ${show(a.multiAz)}`);
  if (a.blueGreenUpdate) p.add("aws.blueGreenUpdate", "`aws.blueGreenUpdate` applies to a PgSingle (RDS blue/green updates are for instances; upgrade a cluster with BlueGreenUpgrade); got true");
  if (spec.lifecycle.state === "paused") {
    p.add("lifecycle.state", `\`lifecycle.state\` \`paused\` is not available for a PgCluster on the \`aws\` back end (@pulumi/aws 7 stops RDS instances only); got "paused"`);
  }
  if (spec.awsTopology === "aurora") {
    if (AURORA_UNSUPPORTED.test(klass)) p.add("compute.aws.instanceClass", `\`compute.aws.instanceClass\` \`${klass}\` is not offered by Aurora PostgreSQL (use \`db.t4g.medium\` or larger); got ${show(klass)}`);
    if (a.storage?.iops !== undefined) p.add("aws.storage.iops", `\`aws.storage.iops\` does not apply to Aurora (its storage scales by itself; use \`awsTopology\` \`multi_az_cluster\` for provisioned IOPS); got ${a.storage.iops}`);
  } else {
    if (spec.replicationMode === "async") {
      p.add(
        "replicationMode",
        "`replicationMode` cannot be `async` with `awsTopology` `multi_az_cluster` (an RDS Multi-AZ DB cluster always commits semi-synchronously, once 1 of its 2 standbys has the change; use `awsTopology` `aurora`); got \"async\"",
      );
    } else if (spec.syncStandbys !== 1) {
      p.add(
        "syncStandbys",
        `\`syncStandbys\` must be 1 with \`awsTopology\` \`multi_az_cluster\` (a commit waits for 1 of its ${MULTI_AZ_CLUSTER_STANDBYS} standbys, never both); got ${spec.syncStandbys}`,
      );
    }
    if (spec.network.publicAccess) p.add("network.publicAccess", "`network.publicAccess` is not available with `awsTopology` `multi_az_cluster` (@pulumi/aws 7 cannot make a Multi-AZ DB cluster public; use `awsTopology` `aurora`); got true");
    if (spec.readReplicas > 0) p.add("readReplicas", `\`readReplicas\` is not possible with \`awsTopology\` \`multi_az_cluster\` (its 2 standbys are its only readers; use \`awsTopology\` \`aurora\`); got ${spec.readReplicas}`);
  }
  checkShardedAws(spec, p);
  p.throwIfAny(awsSubject("PgCluster", spec.name));
}
