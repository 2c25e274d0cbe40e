/**
 * BackupPolicy: when a db_resource is backed up, for how long, where to, and whether it keeps WAL
 * for point-in-time recovery. A PgSingle or PgCluster restores from it with `restore.from`.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupRecord, RenderedBackupPolicy, RenderedSource, backendFor } from "./backends/backend";
import { DbResourceComponent, isDbResource, refOf, sourceOf } from "./dbResource";
import { parseBackupPolicyArgs } from "./model/schemas/backupPolicy";
import { BackupPolicySpec } from "./model/spec";
import { ResourceStatus } from "./outputs";

/** Arguments of a {@link BackupPolicy}. */
export interface BackupPolicyArgs {
  /** The PgSingle or PgCluster to back up. */
  target: DbResourceComponent;
  /**
   * `hourly`, `daily` or a 5-field cron (UTC).
   * @default - the target plan's schedule
   */
  schedule?: string;
  /**
   * Days backups (and WAL for PITR) are kept (1-35 on `aws`).
   * @default - the target plan's retention
   */
  retentionDays?: number;
  /**
   * Keep WAL so the target can be restored to any time or LSN within the retention.
   * @default - the target plan's
   */
  pitr?: boolean;
  /**
   * How often a full backup is taken; the others hold changes only.
   * @default "week" for schedules that fire more than daily, else "day"
   */
  fullBackupEvery?: "day" | "week";
  /**
   * What the backups between two full ones hold: changes since the previous backup (`incremental`) or since the last full (`differential`).
   * @default "incremental"
   */
  incrementalType?: "incremental" | "differential";
  /**
   * Where backups go: `path` on `local`, `bucket` (+ `prefix`) on `aws` and `kubernetes`.
   * @default - the back end's default
   */
  location?: { path?: string; bucket?: string; prefix?: string };
  /**
   * A token: set it to a new value (a date, a ticket number) and the next `pulumi up` takes a backup
   * now, of the type the schedule would take (full when none is recent, else `incrementalType`).
   * @default - no on-demand backup
   */
  backupNow?: string;
  /**
   * Restore the target's own data in place from this policy's backups: a safety backup is taken
   * first, then the target is stopped, restored to `backupId`, `targetTime` (ISO 8601 with a zone)
   * or `targetLsn` (at most one; none = the latest point) and started on the same port with the same
   * passwords. Needs `confirm: true`. It happens once, when first set or when the target point
   * changes; remove it once done. (A clone from these backups is a new PgSingle with `restore`.)
   * @default - no in-place restore
   */
  restoreInPlace?: { backupId?: string; targetTime?: string; targetLsn?: string; confirm: boolean };
}

/** The type token of {@link BackupPolicy}. */
export const BACKUP_POLICY_TYPE = "pgplatform:index:BackupPolicy";

/**
 * Scheduled backups of a db_resource, with retention and PITR.
 *
 * ```ts
 * const backups = new BackupPolicy("orders-backups", { target: db, schedule: "daily", retentionDays: 14, pitr: true });
 * export const next = backups.nextSchedule;
 * ```
 */
export class BackupPolicy extends pulumi.ComponentResource {
  readonly spec: BackupPolicySpec;
  /** The next scheduled backup, ISO 8601 UTC. */
  readonly nextSchedule: pulumi.Output<string>;
  /** When the last successful backup finished, where the back end can tell. */
  readonly lastSuccessful: pulumi.Output<string | undefined>;
  /** The backups the repository holds, where the back end can list them. */
  readonly backups: pulumi.Output<BackupRecord[]>;
  readonly status: pulumi.Output<ResourceStatus>;
  /** @internal */
  readonly rendered: RenderedBackupPolicy;
  /** @internal The db_resource it backs up. */
  readonly targetSource: RenderedSource;

  constructor(name: string, args: BackupPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = parseBackupPolicyArgs(name, args, { target: refOf(args?.target) });
    if (!isDbResource(args.target)) throw new Error(`BackupPolicy ${JSON.stringify(name)}: \`target\` must be a PgSingle or PgCluster`);
    const target = sourceOf(args.target);
    const backend = backendFor(spec.backend);
    backend.checkBackup(spec, target);
    super(BACKUP_POLICY_TYPE, name, args, opts);
    this.spec = spec;
    this.targetSource = target;
    const rendered = backend.renderBackup(this, spec, target);
    this.rendered = rendered;
    this.nextSchedule = rendered.nextSchedule;
    this.lastSuccessful = rendered.lastSuccessful;
    this.backups = rendered.backups;
    this.status = rendered.status;
    this.registerOutputs({
      nextSchedule: this.nextSchedule,
      lastSuccessful: this.lastSuccessful,
      backups: this.backups,
      status: this.status,
      facts: { kind: spec.kind, target: spec.target, backend: spec.backend, cron: spec.cron, retentionDays: spec.retentionDays, pitr: spec.pitr },
    });
  }
}
