/**
 * Options of the `aws` back end (RDS, Aurora) on PgSingle and PgCluster: their zod shape, checks
 * and resolution. Owned by the AWS back end; other back ends never read them.
 *
 * The checks here need nothing but the options themselves (formats, AWS value sets, pairs that
 * exclude each other). Rules that weigh options against the plan, the tier or the topology live
 * in the back end's own checks (components/backends/aws/checks.ts).
 */
import { z } from "zod";
import { Problems, allowed, show } from "../errors";

/** Enhanced monitoring intervals RDS accepts, in seconds (0 = off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
/** Log types RDS for PostgreSQL exports to CloudWatch Logs. */
export const LOG_EXPORTS = ["postgresql", "upgrade"] as const;
/** Longest identifier pgplatform takes from `aws.identifier`: 63 minus the longest suffix it appends (`-rst-1a2b-5`, 12). */
export const MAX_BASE_IDENTIFIER = 51;

const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const IDENTIFIER = /^[a-z][a-z0-9-]*$/;
const ZONE_NAME = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;

/** Resolved `aws` options (all optional: the back end fills the defaults from the plan and tier, components/backends/aws/settings.ts). */
export interface AwsOptions {
  /**
   * VPC the database and its security group live in. Required on the `aws` back end.
   * @default - none: the `aws` back end refuses to run without it
   */
  vpcId?: string;
  /**
   * Private subnets, in at least two availability zones, for the DB subnet group. Required on the `aws` back end.
   * @default - none: the `aws` back end refuses to run without them
   */
  subnetIds?: string[];
  /**
   * Base of every RDS identifier (instance, cluster, members, replicas, proxy): lower case, a letter first, at most 51 characters.
   * @default - derived from the resource id (`<project>-<environment>-<name>-<hash>`, cut and hashed when longer than 51)
   */
  identifier?: string;
  /**
   * Pins a PgSingle's instance to one zone (not with `multiAz`).
   * @default - RDS picks a zone in the subnet group
   */
  availabilityZone?: string;
  /**
   * A PgSingle as an RDS Multi-AZ instance: a synchronous standby in another zone that takes over on failure and serves no reads.
   * @default false
   */
  multiAz?: boolean;
  /**
   * KMS key for storage encryption, Performance Insights, the managed master secret and the backup vault.
   * @default - the AWS-managed keys (`aws/rds`, `aws/backup`)
   */
  kmsKeyId?: string;
  /**
   * The master password lives in Secrets Manager, rotated by RDS, instead of a generated Pulumi secret (not with read replicas or blue/green).
   * @default false
   */
  manageMasterUserPassword?: boolean;
  /**
   * Apply changes now instead of in the maintenance window.
   * @default - true in a dev environment, false elsewhere
   */
  applyImmediately?: boolean;
  /**
   * Daily automated backup window, UTC `hh:mm-hh:mm`, at least 30 minutes, clear of the maintenance window.
   * @default - 30 minutes from the first run of the backup schedule (`03:00-03:30` daily, `00:00-00:30` hourly)
   */
  backupWindow?: string;
  /**
   * gp3 provisioned IOPS and throughput in MiB/s (RDS for PostgreSQL takes them from 400 GiB).
   * @default - the plan's IOPS and throughput from 400 GiB, the gp3 baseline (3000, 125) below
   */
  storage?: { iops?: number; throughputMbps?: number };
  /**
   * Performance Insights: on/off, retention in days (7, a multiple of 31, or 731), KMS key.
   * @default - on with 7 days' retention, except on `dev_single` and the classes that have none (`db.t4g.micro`, `db.t4g.small`, ...)
   */
  performanceInsights?: { enabled?: boolean; retentionDays?: number; kmsKeyId?: string };
  /**
   * Enhanced monitoring interval in seconds, one of 0, 1, 5, 10, 15, 30, 60 (0 = off).
   * @default - 0 on `dev_single`, 60 on the other plans
   */
  monitoringInterval?: number;
  /**
   * Role RDS publishes enhanced monitoring with.
   * @default - a role made for it, with `AmazonRDSEnhancedMonitoringRole`
   */
  monitoringRoleArn?: string;
  /**
   * Logs exported to CloudWatch Logs: `postgresql`, `upgrade`.
   * @default - `postgresql` and `upgrade`; `postgresql` on Aurora
   */
  logExports?: string[];
  /**
   * CloudWatch alarms (CPU, free storage, connections, replica lag) and where they notify: an SNS topic given or made here.
   * @default - on when `monitoring.enabled` outside dev, no topic; CPU 80%, free storage 10% of the plan's size, connections 80% of max_connections
   */
  alarms?: { enabled?: boolean; snsTopicArn?: string; createSnsTopic?: boolean; cpuPercent?: number; freeStoragePercent?: number; connectionsPercent?: number };
  /**
   * A Route53 CNAME (zone id, record name, TTL) that is the application's stable endpoint; needed by in-place restores, blue-green upgrades and one read endpoint over instance replicas.
   * @default - no record: the application uses the RDS endpoint (TTL 60 when given)
   */
  dns?: { zoneId: string; name: string; ttl?: number };
  /**
   * RDS blue/green deployment for a PgSingle: a `version` change goes through a green copy and a switchover.
   * @default false
   */
  blueGreenUpdate?: boolean;
  /**
   * `rds.logical_replication = 1` (publications for blue-green upgrades and change data capture; takes a reboot).
   * @default false
   */
  logicalReplication?: boolean;
  /**
   * `pg_cron` in `shared_preload_libraries` for scheduled vacuum/analyze, jobs in `cron.database_name` (the app database).
   * @default false
   */
  pgCron?: boolean;
  /**
   * The program reaches the database over the network (an in-VPC runner, a VPN) and runs SQL on it
   * over TLS as the master user: the application gets its own least-privilege login role
   * (`username`, owner of `databaseName`) while the master user (`aws.masterUsername`) stays the
   * admin connection; TenantDatabase and BlueGreenUpgrade `cutover`/`finalize` become available.
   * Choose it when the database is created: it names the master user, which RDS cannot rename.
   * @default false (the application connects as the master user; no SQL is run)
   */
  sqlAccess?: boolean;
  /**
   * The master user's name when `aws.sqlAccess` is on (the application's role is then `username`).
   * @default "pgadmin"
   */
  masterUsername?: string;
  /**
   * The CA bundle the program's SQL connections verify the server with (`verify-full`): PEM text, or
   * the path of a PEM file such as the RDS global bundle `global-bundle.pem` downloaded from
   * https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem.
   * @default - TLS `require`: encrypted, the certificate not verified
   */
  caBundle?: string;
}

/** zod shape of `aws` options. */
export function awsShape() {
  const int = () => z.number().int();
  return z
    .object({
      vpcId: z.string().min(1),
      subnetIds: z.array(z.string().min(1)),
      identifier: z.string(),
      availabilityZone: z.string(),
      multiAz: z.boolean(),
      kmsKeyId: z.string().min(1),
      manageMasterUserPassword: z.boolean(),
      applyImmediately: z.boolean(),
      backupWindow: z.string(),
      storage: z.object({ iops: int().min(1000).max(64000), throughputMbps: int().min(125).max(4000) }).partial().strict(),
      performanceInsights: z.object({ enabled: z.boolean(), retentionDays: int().min(7).max(731), kmsKeyId: z.string().min(1) }).partial().strict(),
      monitoringInterval: int(),
      monitoringRoleArn: z.string().min(1),
      logExports: z.array(z.string()),
      alarms: z
        .object({
          enabled: z.boolean(),
          snsTopicArn: z.string().min(1),
          createSnsTopic: z.boolean(),
          cpuPercent: int().min(1).max(100),
          freeStoragePercent: int().min(1).max(99),
          connectionsPercent: int().min(1).max(100),
        })
        .partial()
        .strict(),
      dns: z.object({ zoneId: z.string().min(1), name: z.string().min(1), ttl: int().min(5).max(86400).optional() }).strict(),
      blueGreenUpdate: z.boolean(),
      logicalReplication: z.boolean(),
      pgCron: z.boolean(),
      sqlAccess: z.boolean(),
      masterUsername: z.string(),
      caBundle: z.string().min(1),
    })
    .partial()
    .strict()
    .optional();
}

/** Minutes of a `hh:mm-hh:mm` window, or undefined when it is not one; wraps past midnight. */
export function windowMinutes(text: string): number | undefined {
  const m = WINDOW.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  return (to - from + 1440) % 1440;
}

/** The problems of an RDS identifier base: lower case, starts with a letter, no `--`, no trailing `-`, room for suffixes. */
export function identifierProblemsOf(field: string, value: string): string[] {
  const out: string[] = [];
  if (!IDENTIFIER.test(value)) out.push(`\`${field}\` must start with a lower-case letter and hold only lower-case letters, digits and \`-\` (an RDS identifier); got ${show(value)}`);
  if (value.includes("--")) out.push(`\`${field}\` must not contain \`--\` (an RDS identifier); got ${show(value)}`);
  if (value.endsWith("-")) out.push(`\`${field}\` must not end with \`-\` (an RDS identifier); got ${show(value)}`);
  if (value.length > MAX_BASE_IDENTIFIER) {
    out.push(
      `\`${field}\` must be at most ${MAX_BASE_IDENTIFIER} characters (RDS allows 63, and pgplatform appends up to 12 such as \`-rst-1a2b-5\`); got ${show(value)} (${value.length} characters)`,
    );
  }
  return out;
}

/** Checks `aws` options: only for the aws back end; formats and AWS value sets. */
export function checkAws(input: any, backend: string | undefined, p: Problems): void {
  const a = input.aws;
  if (!a || typeof a !== "object") return;
  if (backend !== undefined && backend !== "aws" && Object.keys(a).length > 0) {
    p.add("aws", `\`aws\` options apply to the \`aws\` back end only, and this db_resource uses \`${backend}\`; got ${show(a)}`);
    return;
  }
  if (typeof a.identifier === "string") for (const m of identifierProblemsOf("aws.identifier", a.identifier)) p.add("aws.identifier", m);
  if (Array.isArray(a.subnetIds) && a.subnetIds.length < 2) {
    p.add("aws.subnetIds", `\`aws.subnetIds\` must name at least 2 subnets in different availability zones (an RDS DB subnet group spans 2 zones or more); got ${show(a.subnetIds)}`);
  }
  if (typeof a.availabilityZone === "string" && !ZONE_NAME.test(a.availabilityZone)) {
    p.add("aws.availabilityZone", `\`aws.availabilityZone\` must be a zone name such as \`eu-west-1a\`; got ${show(a.availabilityZone)}`);
  }
  if (a.multiAz === true && typeof a.availabilityZone === "string") {
    p.add("aws.availabilityZone", `\`aws.availabilityZone\` cannot be set with \`aws.multiAz\` true (RDS places the standby in another zone itself); got ${show(a.availabilityZone)}`);
  }
  if (a.manageMasterUserPassword === true && a.blueGreenUpdate === true) {
    p.add("aws.blueGreenUpdate", "`aws.blueGreenUpdate` cannot be used with `aws.manageMasterUserPassword` (RDS blue/green deployments do not support a managed master password); got true");
  }
  if (typeof a.backupWindow === "string") {
    const minutes = windowMinutes(a.backupWindow);
    if (minutes === undefined) p.add("aws.backupWindow", `\`aws.backupWindow\` must look like \`03:00-03:30\` (24-hour UTC \`hh:mm-hh:mm\`); got ${show(a.backupWindow)}`);
    else if (minutes < 30) p.add("aws.backupWindow", `\`aws.backupWindow\` must be at least 30 minutes long (an RDS rule); got ${show(a.backupWindow)} (${minutes} minutes)`);
  }
  const s = a.storage;
  if (s && typeof s === "object" && Number.isInteger(s.throughputMbps) && Number.isInteger(s.iops) && s.throughputMbps / s.iops > 0.25) {
    p.add(
      "aws.storage.throughputMbps",
      `\`aws.storage.throughputMbps\` must be at most a quarter of \`aws.storage.iops\` (${s.iops / 4} for ${s.iops} IOPS, a gp3 rule); got ${s.throughputMbps}`,
    );
  }
  if (s && typeof s === "object" && Number.isInteger(s.throughputMbps) && s.iops === undefined) {
    p.add("aws.storage.throughputMbps", `\`aws.storage.throughputMbps\` needs \`aws.storage.iops\` (gp3 sets both together); got ${s.throughputMbps}`);
  }
  const pi = a.performanceInsights;
  if (pi && typeof pi === "object") {
    const days = pi.retentionDays;
    if (Number.isInteger(days) && days >= 7 && days <= 731 && !(days === 7 || days === 731 || days % 31 === 0)) {
      p.add("aws.performanceInsights.retentionDays", `\`aws.performanceInsights.retentionDays\` must be 7, a multiple of 31 (months, up to 713) or 731; got ${days}`);
    }
    if (pi.enabled === false && (pi.retentionDays !== undefined || pi.kmsKeyId !== undefined)) {
      p.add(
        "aws.performanceInsights.enabled",
        `\`aws.performanceInsights.enabled\` is false, so \`retentionDays\` and \`kmsKeyId\` would be ignored; remove them or enable it; got ${show(pi)}`,
      );
    }
  }
  if (Number.isInteger(a.monitoringInterval) && !(MONITORING_INTERVALS as readonly number[]).includes(a.monitoringInterval)) {
    p.add("aws.monitoringInterval", `\`aws.monitoringInterval\` must be one of ${allowed(MONITORING_INTERVALS)} seconds (0 = off); got ${a.monitoringInterval}`);
  }
  if (a.monitoringInterval === 0 && a.monitoringRoleArn !== undefined) {
    p.add("aws.monitoringRoleArn", `\`aws.monitoringRoleArn\` needs \`aws.monitoringInterval\` above 0 (enhanced monitoring is off); got ${show(a.monitoringRoleArn)}`);
  }
  if (Array.isArray(a.logExports)) {
    a.logExports.forEach((l: unknown, i: number) => {
      if (!(LOG_EXPORTS as readonly unknown[]).includes(l)) p.add(`aws.logExports[${i}]`, `\`aws.logExports[${i}]\` must be one of ${allowed(LOG_EXPORTS)}; got ${show(l)}`);
    });
  }
  checkSqlAccess(input, a, p);
  const al = a.alarms;
  if (al && typeof al === "object" && typeof al.snsTopicArn === "string" && al.createSnsTopic === true) {
    p.add("aws.alarms.createSnsTopic", `\`aws.alarms.createSnsTopic\` cannot be true with \`aws.alarms.snsTopicArn\` (alarms notify one topic); got true`);
  }
}

/** Names RDS keeps for itself, which a master user cannot take. */
export const RDS_RESERVED_USERS = ["rdsadmin", "rdsrepladmin", "rds_superuser", "rds_replication", "rds_iam", "postgres_fdw"] as const;

/** Checks `aws.sqlAccess`, `aws.masterUsername` and `aws.caBundle`. */
function checkSqlAccess(input: any, a: any, p: Problems): void {
  if (typeof a.masterUsername === "string") {
    const m = a.masterUsername;
    if (a.sqlAccess !== true) p.add("aws.masterUsername", `\`aws.masterUsername\` needs \`aws.sqlAccess: true\` (without it the master user is \`username\`); got ${show(m)}`);
    else if (!/^[a-z][a-z0-9_]{0,62}$/.test(m)) p.add("aws.masterUsername", `\`aws.masterUsername\` must be 1-63 of \`a-z\`, \`0-9\`, \`_\`, starting with a letter (an RDS master user name); got ${show(m)}`);
    else if ((RDS_RESERVED_USERS as readonly string[]).includes(m)) p.add("aws.masterUsername", `\`aws.masterUsername\` must not be one of ${allowed(RDS_RESERVED_USERS)} (RDS keeps them); got ${show(m)}`);
  }
  if (a.sqlAccess === true && (a.masterUsername ?? "pgadmin") === (input.username ?? "app")) {
    p.add("aws.masterUsername", `\`aws.masterUsername\` must differ from \`username\` with \`aws.sqlAccess\` (the application gets its own role, the master user stays the admin); got ${show(a.masterUsername ?? "pgadmin")}`);
  }
  if (typeof a.caBundle === "string" && !a.caBundle.includes("-----BEGIN CERTIFICATE-----")) {
    let text: string | undefined;
    try {
      text = require("fs").readFileSync(a.caBundle, "utf8");
    } catch (err: any) {
      p.add("aws.caBundle", `\`aws.caBundle\` must be PEM text or the path of a readable PEM file; ${show(a.caBundle)} could not be read (${err.code ?? err.message})`);
    }
    if (text !== undefined && !text.includes("-----BEGIN CERTIFICATE-----")) p.add("aws.caBundle", `\`aws.caBundle\` file ${show(a.caBundle)} holds no PEM certificate (\`-----BEGIN CERTIFICATE-----\`)`);
  }
}

/** Resolves `aws` options (copies; the back end fills the defaults). */
export function resolveAws(input: any): AwsOptions {
  return { ...input.aws };
}

/** `aws` args as the user writes them (see {@link AwsOptions}). */
export type AwsArgs = Partial<AwsOptions>;
