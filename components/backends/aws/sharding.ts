/**
 * A sharded PgCluster on AWS: Aurora PostgreSQL Limitless Database. The `rds.Cluster` is made with
 * `clusterScalabilityType: "limitless"` and a `16.x-limitless` engine version, and holds no DB
 * instances: its compute is one `rds.ShardGroup` of routers and shards that scales between
 * `sharding.minAcu` and `sharding.maxAcu`. The application connects to the shard group's endpoint,
 * which spreads connections over the routers; a router sends each statement to the shards that
 * hold its rows.
 *
 * What AWS requires of such a cluster, and pgplatform therefore sets or refuses (Aurora User Guide,
 * "Aurora PostgreSQL Limitless Database requirements and considerations"): Aurora I/O-Optimized
 * storage, Performance Insights kept at least 31 days, enhanced monitoring (never interval 0), the
 * `postgresql` log exported to CloudWatch Logs, no engine mode; and it supports neither Secrets
 * Manager master passwords, RDS Proxy, read replicas, custom endpoints, AWS Backup, cloning,
 * blue/green deployments, nor being a replication source, and of the extensions not pg_cron.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DEFAULTS } from "../../model/defaults";
import { Problems, show } from "../../model/errors";
import { PgClusterSpec } from "../../model/spec";
import { Topology } from "../../outputs";
import { AlarmSpec } from "./monitoring";
import { AWS_CHILD, IDENTIFIER_SUFFIX, tagsOf } from "./names";
import { AwsSettings, PI_SHARDED_RETENTION_DAYS } from "./settings";

/** The Limitless engine version of each major a sharded cluster may run: the newest AWS offers. */
export const LIMITLESS_ENGINE_VERSIONS: Readonly<Record<string, string>> = { "16": "16.9-limitless" };
/** The least Performance Insights retention, in days, AWS takes for a Limitless cluster (and its default: settings.ts). */
export const LIMITLESS_PI_RETENTION_DAYS = PI_SHARDED_RETENTION_DAYS;
/** The only cluster storage configuration Limitless runs on: Aurora I/O-Optimized. */
export const LIMITLESS_STORAGE_TYPE = "aurora-iopt1";

/** The engine version of a sharded cluster of major `major`. */
export function limitlessEngineVersionOf(major: string): string {
  const v = LIMITLESS_ENGINE_VERSIONS[major];
  if (!v) throw new Error(`Aurora Limitless Database has no engine version for PostgreSQL ${major}`);
  return v;
}

/** What the aws back end refuses on a sharded PgCluster, each naming its field. */
export function checkShardedAws(spec: PgClusterSpec, p: Problems): void {
  const s = spec.sharding;
  if (!s) return;
  const a = spec.aws;
  if (a.manageMasterUserPassword) {
    p.add("aws.manageMasterUserPassword", "`aws.manageMasterUserPassword` is not possible with `sharding` (Aurora Limitless Database does not support master passwords kept in Secrets Manager); got true");
  }
  if (a.performanceInsights?.enabled === false) {
    p.add("aws.performanceInsights.enabled", "`aws.performanceInsights.enabled` cannot be false with `sharding` (Aurora Limitless Database requires Performance Insights); got false");
  }
  const retention = a.performanceInsights?.retentionDays;
  if (retention !== undefined && retention < LIMITLESS_PI_RETENTION_DAYS) {
    p.add(
      "aws.performanceInsights.retentionDays",
      `\`aws.performanceInsights.retentionDays\` must be at least ${LIMITLESS_PI_RETENTION_DAYS} with \`sharding\` (Aurora Limitless Database keeps Performance Insights for a month or more: 31, a multiple of 31, or 731); got ${retention}`,
    );
  }
  if (a.monitoringInterval === 0) {
    p.add("aws.monitoringInterval", "`aws.monitoringInterval` cannot be 0 with `sharding` (Aurora Limitless Database requires enhanced monitoring: 1, 5, 10, 15, 30 or 60); got 0");
  }
  if (a.logExports !== undefined && !a.logExports.includes("postgresql")) {
    p.add("aws.logExports", `\`aws.logExports\` must include \`postgresql\` with \`sharding\` (Aurora Limitless Database requires the PostgreSQL log in CloudWatch Logs); got ${show(a.logExports)}`);
  }
  if (a.sqlAccess) {
    p.add(
      "aws.sqlAccess",
      "`aws.sqlAccess` is not available with `sharding`: the application's own role takes over its database with `ALTER DATABASE`, which Aurora Limitless Database does not support (the application connects as the master user, `username`); got true",
    );
  }
  for (const [field, on] of [["aws.pgCron", a.pgCron], ["maintenance.vacuumAnalyze", spec.maintenance?.vacuumAnalyze]] as const) {
    if (on) p.add(field, `\`${field}\` is not available with \`sharding\` (its job runs on pg_cron, which is not among the extensions Aurora Limitless Database supports; autovacuum runs on every shard); got true`);
  }
  if (a.logicalReplication) {
    p.add("aws.logicalReplication", "`aws.logicalReplication` is not possible with `sharding` (an Aurora Limitless cluster cannot be a replication source); got true");
  }
  if (s.computeRedundancy === 2 && (a.subnetIds?.length ?? 0) < 3) {
    p.add(
      "aws.subnetIds",
      `\`aws.subnetIds\` needs subnets in at least 3 availability zones with \`sharding.computeRedundancy\` 2 (each shard keeps 2 compute standbys in zones other than its own); got ${a.subnetIds?.length ?? 0} subnet(s)`,
    );
  }
}

/** The cluster inputs a sharded cluster takes instead of an Aurora cluster's zones: Limitless mode, I/O-Optimized storage, cluster-level insights and monitoring. */
export function shardedClusterArgs(spec: PgClusterSpec, settings: AwsSettings, monitoringRoleArn?: pulumi.Input<string>): Partial<aws.rds.ClusterArgs> {
  const pi = settings.performanceInsights;
  return {
    engineVersion: limitlessEngineVersionOf(spec.version),
    // The provider's `provisioned` default is an engine mode, which Limitless refuses.
    engineMode: "",
    clusterScalabilityType: "limitless",
    storageType: LIMITLESS_STORAGE_TYPE,
    performanceInsightsEnabled: true,
    performanceInsightsRetentionPeriod: pi.retentionDays ?? LIMITLESS_PI_RETENTION_DAYS,
    ...(pi.kmsKeyId ? { performanceInsightsKmsKeyId: pi.kmsKeyId } : {}),
    monitoringInterval: settings.monitoringInterval,
    ...(monitoringRoleArn ? { monitoringRoleArn } : {}),
  };
}

/** The shard group's RDS identifier: the cluster's, suffixed (neither can change once the group exists). */
export function shardGroupIdentifierOf(clusterIdentifier: string): string {
  return `${clusterIdentifier}${IDENTIFIER_SUFFIX.shardGroup}`;
}

/** Renders the DB shard group of `cluster`: the sharded cluster's compute. */
export function renderShardGroup(
  scope: pulumi.ComponentResource,
  name: string,
  prefix: string,
  identifier: string,
  spec: PgClusterSpec,
  cluster: aws.rds.Cluster,
): aws.rds.ShardGroup {
  const s = spec.sharding!;
  return new aws.rds.ShardGroup(
    `${name}-${prefix}${AWS_CHILD.shardGroup}`,
    {
      dbShardGroupIdentifier: shardGroupIdentifierOf(identifier),
      dbClusterIdentifier: cluster.clusterIdentifier,
      maxAcu: s.maxAcu,
      ...(s.minAcu !== undefined ? { minAcu: s.minAcu } : {}),
      computeRedundancy: s.computeRedundancy,
      // A create-time choice: AWS cannot make a shard group public or private later.
      publiclyAccessible: spec.network.publicAccess,
      tags: tagsOf(spec),
    },
    // The cluster is deleted only after its shard group, which depends on it.
    { parent: scope, protect: spec.lifecycle.deletionProtection },
  );
}

/** The alarms of a sharded cluster: node CPU, shard-group capacity near `maxAcu`, and standby lag when shards have compute standbys. */
export function shardedAlarms(spec: PgClusterSpec, settings: AwsSettings, shardGroupId: pulumi.Input<string>): AlarmSpec[] {
  const a = settings.alarms;
  const s = spec.sharding!;
  const group = { DBShardGroupIdentifier: shardGroupId };
  const out: AlarmSpec[] = [
    {
      key: "cpu",
      metricName: "CPUUtilization",
      comparisonOperator: "GreaterThanThreshold",
      threshold: a.cpuPercent,
      dimensions: group,
      statistic: "Maximum",
      description: `CPU of a router or shard of ${spec.resourceId} above ${a.cpuPercent}% for 15 minutes`,
    },
    {
      key: "capacity",
      metricName: "DBShardGroupACUUtilization",
      comparisonOperator: "GreaterThanThreshold",
      threshold: a.cpuPercent,
      dimensions: group,
      description: `the shard group of ${spec.resourceId} above ${a.cpuPercent}% of its ${s.maxAcu} ACUs for 15 minutes (raise \`sharding.maxAcu\`)`,
    },
  ];
  if (s.computeRedundancy > 0) {
    out.push({
      key: "replica-lag",
      metricName: "AuroraReplicaLagMaximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: DEFAULTS.maxReplicaLagSeconds * 1000,
      dimensions: group,
      statistic: "Maximum",
      description: `a compute standby of ${spec.resourceId} more than ${DEFAULTS.maxReplicaLagSeconds} s behind its shard for 15 minutes`,
    });
  }
  return out;
}

/** What the metadata says a sharded cluster's compute is. */
export function shardedComputeOf(spec: PgClusterSpec): string {
  const s = spec.sharding!;
  return `Aurora Limitless, ${s.minAcu !== undefined ? `${s.minAcu}-${s.maxAcu}` : `up to ${s.maxAcu}`} ACU`;
}

/**
 * The topology of a sharded cluster: its one member is the shard group (AWS shows no router or
 * shard as a DB instance), and the routing hints say every statement goes through its routers.
 */
export function shardedTopologyOf(spec: PgClusterSpec, settings: AwsSettings, shardGroup: aws.rds.ShardGroup, port: pulumi.Input<number>): pulumi.Output<Topology> {
  const s = spec.sharding!;
  return pulumi.all([shardGroup.dbShardGroupIdentifier, shardGroup.endpoint, port]).apply(([id, host, p]): Topology => ({
    primary: id,
    members: [{ name: id, role: "primary", host, port: p, state: "available" }],
    routing: {
      writes:
        `${host}:${p} (sharded: the DB shard group's endpoint spreads connections over its routers, which send each statement to the shards holding its rows; ` +
        `create sharded tables with \`rds_aurora.limitless_create_table_mode\`${settings.dns ? `; through ${settings.dns.name}` : ""})`,
      reads: `${host}:${p} (the same routers serve reads, on up to ${s.maxAcu} ACUs; a shard has ${s.computeRedundancy} compute standby(s), which serve no reads)`,
    },
  }));
}
