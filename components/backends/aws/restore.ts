/**
 * Restore on AWS: always into a new instance or cluster, from a snapshot (`backupId`, a DB or
 * cluster snapshot identifier or ARN) or from the source's automated backups to a time or the
 * latest restorable time. RDS cannot stop at an LSN. In place = restored as new and the Route53
 * record (`aws.dns`) moved to it; the original stays as the safety copy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { masterUsernameOf } from "./sqlAccess";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { RenderedBackupSource } from "../backend";
import { AwsBackupHandle, AwsHandle } from "./handle";
import { AWS_CHILD, identifierOf } from "./names";

/** How a db_resource is restored: its create-only inputs and the names the restored data carries. */
export interface RestorePlan<A> {
  mode: "clone" | "in_place";
  /** What the restore stops at, for the restored copy's identifier. */
  key: string;
  args: A;
  /** The source's master user and database: the restored data has them. */
  username: string;
  databaseName: string;
}

/** Where the restored data comes from: the RDS identifier replayed, and the source's spec. */
interface RestoreSource {
  identifier: pulumi.Input<string>;
  spec: PgSingleSpec | PgClusterSpec;
}

/**
 * The db_resource whose backups are restored, or an error naming what is wrong: the BackupPolicy's
 * target for a clone, this db_resource itself for an in-place restore without `from`.
 */
function sourceOf(spec: PgSingleSpec | PgClusterSpec, from: RenderedBackupSource | undefined): RestoreSource {
  const target = spec.restore!.target;
  let source: PgSingleSpec | PgClusterSpec;
  let identifier: pulumi.Input<string>;
  if (!spec.restore!.from) {
    source = spec;
    identifier = spec.aws.identifier ?? identifierOf(spec.resourceId);
  } else {
    const h = from?.rendered.handle as AwsBackupHandle | undefined;
    if (!h || h.type !== "aws-backup") throw new Error(`${spec.kind === "pg_single" ? "PgSingle" : "PgCluster"} ${JSON.stringify(spec.name)}: \`restore.from\` was not rendered by the aws back end`);
    source = from!.target.spec;
    identifier = h.target.identifier;
  }
  if ((target.type === "latest" || target.type === "time") && !source.backup.enabled) {
    throw new Error(
      `${spec.kind === "pg_single" ? "PgSingle" : "PgCluster"} ${JSON.stringify(spec.name)}: \`restore\` to ${target.type === "latest" ? "the latest point" : "a time"} replays the automated backups of \`${source.resourceId}\`, which has \`backup.enabled\` false (restore a \`backupId\` snapshot instead)`,
    );
  }
  return { identifier, spec: source };
}

/** The restore inputs of an `rds.Instance`. */
export function instanceRestoreOf(spec: PgSingleSpec, from: RenderedBackupSource | undefined): RestorePlan<Partial<aws.rds.InstanceArgs>> {
  const source = sourceOf(spec, from);
  const t = spec.restore!.target;
  const args: Partial<aws.rds.InstanceArgs> =
    t.type === "backup"
      ? { snapshotIdentifier: t.backupId }
      : { restoreToPointInTime: { sourceDbInstanceIdentifier: source.identifier, ...(t.type === "time" ? { restoreTime: t.time } : { useLatestRestorableTime: true }) } };
  return { mode: spec.restore!.mode, key: JSON.stringify(t), args, username: masterUsernameOf(source.spec), databaseName: source.spec.databaseName };
}

/** The restore inputs of an `rds.Cluster` (Aurora or Multi-AZ DB cluster). */
export function clusterRestoreOf(spec: PgClusterSpec, from: RenderedBackupSource | undefined): RestorePlan<Partial<aws.rds.ClusterArgs>> {
  const source = sourceOf(spec, from);
  const t = spec.restore!.target;
  const args: Partial<aws.rds.ClusterArgs> =
    t.type === "backup"
      ? { snapshotIdentifier: t.backupId }
      : {
          restoreToPointInTime: {
            sourceClusterIdentifier: source.identifier,
            restoreType: "full-copy",
            ...(t.type === "time" ? { restoreToTime: t.time } : { useLatestRestorableTime: true }),
          },
        };
  return { mode: spec.restore!.mode, key: JSON.stringify(t), args, username: masterUsernameOf(source.spec), databaseName: source.spec.databaseName };
}

/** The Route53 CNAME that is a db_resource's stable endpoint, pointing at `target` (records take no tags). */
export function renderDnsRecord(
  scope: pulumi.ComponentResource,
  name: string,
  dns: { zoneId: string; name: string; ttl: number },
  target: pulumi.Input<string>,
  suffix: string = AWS_CHILD.dnsRecord,
): aws.route53.Record {
  return new aws.route53.Record(`${name}-${suffix}`, { zoneId: dns.zoneId, name: dns.name, type: "CNAME", ttl: dns.ttl, records: [target], allowOverwrite: true }, { parent: scope });
}
