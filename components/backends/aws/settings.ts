/**
 * The `aws` options with every default filled in from the spec (plan, tier, backup, lifecycle):
 * what the renderers read. One place decides each default, and docs/aws.md lists them.
 */
import { parseCron } from "../../model/cron";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { identifierOf } from "./names";

/** Instance classes Performance Insights does not run on (RDS documentation, "Performance Insights support"). */
export const PI_UNSUPPORTED_CLASSES = ["db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"];
/** Smallest gp3 volume, in GiB, on which RDS for PostgreSQL takes provisioned IOPS and throughput. */
export const GP3_PROVISIONED_MIN_GB = 400;
/** Alarm thresholds when `aws.alarms` does not set them. */
export const ALARM_DEFAULTS = { cpuPercent: 80, freeStoragePercent: 10, connectionsPercent: 80 } as const;
/** Performance Insights retention when enabled without one: the free tier. */
export const PI_DEFAULT_RETENTION_DAYS = 7;
/** Performance Insights retention of a sharded cluster when none is given: the least Aurora Limitless takes. */
export const PI_SHARDED_RETENTION_DAYS = 31;
/** Enhanced monitoring interval of every plan but `dev_single`. */
export const DEFAULT_MONITORING_INTERVAL = 60;

/** Resolved aws settings of one db_resource. */
export interface AwsSettings {
  identifier: string;
  vpcId: string;
  subnetIds: string[];
  multiAz: boolean;
  availabilityZone?: string;
  kmsKeyId?: string;
  manageMasterUserPassword: boolean;
  applyImmediately: boolean;
  backupWindow: string;
  iops?: number;
  throughputMbps?: number;
  performanceInsights: { enabled: boolean; retentionDays?: number; kmsKeyId?: string };
  monitoringInterval: number;
  monitoringRoleArn?: string;
  logExports: string[];
  alarms: { enabled: boolean; snsTopicArn?: string; createSnsTopic: boolean; cpuPercent: number; freeStoragePercent: number; connectionsPercent: number };
  dns?: { zoneId: string; name: string; ttl: number };
  blueGreenUpdate: boolean;
  logicalReplication: boolean;
  pgCron: boolean;
  /** A final snapshot is taken when the db_resource is deleted. */
  finalSnapshot: boolean;
  /** Automated backups go with the db_resource (false keeps them for their retention: soft delete and production). */
  deleteAutomatedBackups: boolean;
}

/** The daily backup window the backup cron starts: its first hour and minute, 30 minutes long. */
export function backupWindowOf(cron: string): string {
  const parsed = parseCron(cron);
  const h = parsed.ok ? parsed.cron.hour[0] : 3;
  const m = parsed.ok ? parsed.cron.minute[0] : 0;
  const pad = (n: number) => String(n).padStart(2, "0");
  const end = (h * 60 + m + 30) % 1440;
  return `${pad(h)}:${pad(m)}-${pad(Math.floor(end / 60))}:${pad(end % 60)}`;
}

/** Resolves the aws settings of `spec`. Only called after the checks passed, so vpc and subnets are there. */
export function settingsOf(spec: PgSingleSpec | PgClusterSpec): AwsSettings {
  const a = spec.aws;
  const production = spec.environmentTier === "production";
  const devPlan = spec.plan === "dev_single";
  const klass = spec.compute.aws.instanceClass;
  const piGiven = a.performanceInsights?.enabled;
  // A sharded cluster (Aurora Limitless) has no instance class and must keep Performance Insights for 31 days or more.
  const sharded = spec.kind === "pg_cluster" && spec.sharding !== undefined;
  const piEnabled = piGiven ?? (sharded || (!devPlan && !PI_UNSUPPORTED_CLASSES.includes(klass)));
  const provisioned = spec.storage.sizeGb >= GP3_PROVISIONED_MIN_GB;
  const iops = a.storage?.iops ?? (provisioned ? spec.storage.iops : undefined);
  const throughputMbps = a.storage?.throughputMbps ?? (provisioned && a.storage?.iops === undefined ? spec.storage.throughputMbps : undefined);
  const soft = spec.lifecycle.deletionPolicy === "soft";
  return {
    identifier: a.identifier ?? identifierOf(spec.resourceId),
    vpcId: a.vpcId!,
    subnetIds: [...(a.subnetIds ?? [])],
    multiAz: spec.kind === "pg_cluster" ? spec.multiAz : (a.multiAz ?? false),
    availabilityZone: a.availabilityZone,
    kmsKeyId: a.kmsKeyId,
    manageMasterUserPassword: a.manageMasterUserPassword ?? false,
    // `aws.applyImmediately` wins; else the back-end-neutral `lifecycle.applyImmediately`; else dev applies at once.
    applyImmediately: a.applyImmediately ?? spec.lifecycle.applyImmediately ?? spec.environmentTier === "dev",
    backupWindow: a.backupWindow ?? backupWindowOf(spec.backup.cron),
    iops,
    throughputMbps,
    performanceInsights: piEnabled
      ? { enabled: true, retentionDays: a.performanceInsights?.retentionDays ?? (sharded ? PI_SHARDED_RETENTION_DAYS : PI_DEFAULT_RETENTION_DAYS), kmsKeyId: a.performanceInsights?.kmsKeyId ?? a.kmsKeyId }
      : { enabled: false },
    monitoringInterval: a.monitoringInterval ?? (devPlan ? 0 : DEFAULT_MONITORING_INTERVAL),
    monitoringRoleArn: a.monitoringRoleArn,
    logExports: [...(a.logExports ?? (spec.kind === "pg_cluster" && spec.awsTopology === "aurora" ? ["postgresql"] : ["postgresql", "upgrade"]))],
    alarms: {
      enabled: a.alarms?.enabled ?? (spec.monitoring.enabled && spec.environmentTier !== "dev"),
      snsTopicArn: a.alarms?.snsTopicArn,
      createSnsTopic: a.alarms?.createSnsTopic ?? false,
      cpuPercent: a.alarms?.cpuPercent ?? ALARM_DEFAULTS.cpuPercent,
      freeStoragePercent: a.alarms?.freeStoragePercent ?? ALARM_DEFAULTS.freeStoragePercent,
      connectionsPercent: a.alarms?.connectionsPercent ?? ALARM_DEFAULTS.connectionsPercent,
    },
    dns: a.dns ? { zoneId: a.dns.zoneId, name: a.dns.name, ttl: a.dns.ttl ?? 60 } : undefined,
    blueGreenUpdate: a.blueGreenUpdate ?? false,
    logicalReplication: a.logicalReplication ?? false,
    // Scheduled maintenance runs as a pg_cron job: preload it when it is asked for.
    pgCron: a.pgCron ?? spec.maintenance?.vacuumAnalyze === true,
    finalSnapshot: production || soft || spec.lifecycle.deletionProtection,
    deleteAutomatedBackups: !(production || soft),
  };
}
