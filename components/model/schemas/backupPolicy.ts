/**
 * BackupPolicy args: shape, cross-field checks and resolution into a {@link BackupPolicySpec}.
 */
import { z } from "zod";
import { firesMoreThanDaily, normalizeCron, parseCron } from "../cron";
import { DEFAULTS, LIMITS } from "../defaults";
import { Problems, show } from "../errors";
import { BACKUP_CRON, BackupSchedule } from "../plans";
import { BackupPolicySpec, DbResourceRef, RestoreSpec } from "../spec";
import { parseWith, subjectOf } from "./parse";
import { checkRef, linkOf, refShape } from "./refs";
import { ISO_TIME, LSN } from "./restore";

/** What the BackupPolicy parse takes besides the args: the facts of its target. */
export interface BackupPolicyContext {
  /** The target db_resource, as the component read it from `args.target`; undefined when it is not one. */
  target?: DbResourceRef;
}

/** S3 bucket names: 3 to 63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** zod shape of BackupPolicy args. */
export function backupPolicySchema() {
  const int = () => z.number().int();
  return z
    .object({
      target: refShape(),
      schedule: z.string().optional(),
      retentionDays: int().min(1).max(LIMITS.backupRetentionDays).optional(),
      pitr: z.boolean().optional(),
      fullBackupEvery: z.enum(["day", "week"]).optional(),
      incrementalType: z.enum(["incremental", "differential"]).optional(),
      location: z.object({ path: z.string(), bucket: z.string(), prefix: z.string() }).partial().strict().optional(),
      backupNow: z.string().min(1).optional(),
      restoreInPlace: z
        .object({ backupId: z.string().min(1), targetTime: z.string(), targetLsn: z.string(), confirm: z.boolean() })
        .partial()
        .strict()
        .optional(),
    })
    .strict();
}

/** True for the named schedules `hourly` and `daily`. */
function isNamedSchedule(v: unknown): v is BackupSchedule {
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(BACKUP_CRON, v);
}

/** Checks a schedule given as text: a named schedule or a valid 5-field cron. */
function checkSchedule(schedule: unknown, p: Problems): void {
  if (typeof schedule !== "string" || isNamedSchedule(schedule)) return;
  if (/^[A-Za-z@][\w-]*$/.test(schedule.trim())) {
    p.add("schedule", `\`schedule\` must be \`hourly\`, \`daily\` or a 5-field cron such as \`0 3 * * 0\` (UTC); got ${show(schedule)}`);
    return;
  }
  const cron = parseCron(schedule);
  if (!cron.ok) {
    p.add("schedule", `\`schedule\` is not \`hourly\`, \`daily\` or a valid 5-field cron: ${cron.faults.join("; ")}; got ${show(schedule)}`);
  }
}

/** Checks where backups go against the back end. */
function checkLocation(location: any, backend: string | undefined, p: Problems): void {
  if (!location || typeof location !== "object") return;
  const { path, bucket, prefix } = location;
  if (typeof path === "string") {
    if (!path.startsWith("/")) p.add("location.path", `\`location.path\` must be an absolute path; got ${show(path)}`);
    if (backend !== undefined && backend !== "local") {
      p.add(
        "location.path",
        `\`location.path\` applies to the \`local\` back end only, and the target uses \`${backend}\` (use \`location.bucket\`); got ${show(path)}`,
      );
    }
  }
  if (typeof bucket === "string") {
    if (!BUCKET.test(bucket)) {
      p.add(
        "location.bucket",
        `\`location.bucket\` must be a bucket name: 3 to 63 lower-case letters, digits, \`.\` or \`-\`, starting and ending with a letter or digit; got ${show(bucket)}`,
      );
    }
    if (backend === "local") {
      p.add(
        "location.bucket",
        `\`location.bucket\` applies to the \`aws\` and \`kubernetes\` back ends, and the target uses \`local\` (use \`location.path\`); got ${show(bucket)}`,
      );
    }
  }
  if (typeof prefix === "string") {
    if (bucket === undefined) p.add("location.prefix", `\`location.prefix\` needs \`location.bucket\` (it is a key prefix inside the bucket); got ${show(prefix)}`);
    else if (prefix.startsWith("/")) p.add("location.prefix", `\`location.prefix\` must not start with \`/\` (it is a key prefix inside the bucket); got ${show(prefix)}`);
  }
}

/** Checks `restoreInPlace`: the explicit yes, at most one target, a valid time or LSN, PITR for a time or LSN. */
function checkRestoreInPlace(input: any, pitr: boolean | undefined, p: Problems): void {
  const r = input.restoreInPlace;
  if (!r || typeof r !== "object") return;
  if (r.confirm !== true) {
    p.add("restoreInPlace.confirm", "`restoreInPlace.confirm` must be `true`: an in-place restore replaces the data of the target (a safety backup is taken first)");
  }
  const targets = (["backupId", "targetTime", "targetLsn"] as const).filter((k) => r[k] !== undefined);
  if (targets.length > 1) {
    p.add(`restoreInPlace.${targets[1]}`, `\`restoreInPlace\` takes at most one of \`backupId\`, \`targetTime\`, \`targetLsn\`; got ${targets.map((t) => `\`${t}\``).join(" and ")}`);
  }
  if (typeof r.targetTime === "string") {
    if (!ISO_TIME.test(r.targetTime) || Number.isNaN(Date.parse(r.targetTime))) {
      p.add("restoreInPlace.targetTime", `\`restoreInPlace.targetTime\` must be an ISO 8601 time with a zone, such as \`2026-11-26T10:15:00Z\`; got ${show(r.targetTime)}`);
    } else if (Date.parse(r.targetTime) > Date.now()) {
      p.add("restoreInPlace.targetTime", `\`restoreInPlace.targetTime\` must not be in the future; got ${show(r.targetTime)}`);
    }
  }
  if (typeof r.targetLsn === "string" && !LSN.test(r.targetLsn)) {
    p.add("restoreInPlace.targetLsn", `\`restoreInPlace.targetLsn\` must be an LSN such as \`0/3000060\`; got ${show(r.targetLsn)}`);
  }
  if ((r.targetTime !== undefined || r.targetLsn !== undefined) && pitr === false) {
    const which = r.targetTime !== undefined ? "targetTime" : "targetLsn";
    p.add(`restoreInPlace.${which}`, `\`restoreInPlace.${which}\` needs point-in-time recovery, and this BackupPolicy has \`pitr\` off (restore a \`backupId\` or the latest backup instead)`);
  }
}

/** The restore target `restoreInPlace` names; the latest point when it names none. */
function restoreTargetOf(r: { backupId?: string; targetTime?: string; targetLsn?: string }): RestoreSpec["target"] {
  if (r.backupId !== undefined) return { type: "backup", backupId: r.backupId };
  if (r.targetTime !== undefined) return { type: "time", time: new Date(r.targetTime).toISOString() };
  if (r.targetLsn !== undefined) return { type: "lsn", lsn: r.targetLsn.toUpperCase() };
  return { type: "latest" };
}

/**
 * Parses BackupPolicy args into a fully resolved Spec, or throws ONE ValidationError listing every
 * problem with its field, the value received and what is allowed.
 */
export function parseBackupPolicyArgs(name: string, args: unknown, ctx: BackupPolicyContext = {}): BackupPolicySpec {
  return parseWith(
    subjectOf("BackupPolicy", name),
    backupPolicySchema(),
    args,
    (input, p) => {
      const target = checkRef(input, "target", ctx.target, p);
      checkSchedule(input.schedule, p);
      const backend = target?.ref.backend;
      const days = input.retentionDays;
      if (backend === "aws" && Number.isInteger(days) && days > LIMITS.awsBackupRetentionDays && days <= LIMITS.backupRetentionDays) {
        p.add(
          "retentionDays",
          `\`retentionDays\` must be between 1 and ${LIMITS.awsBackupRetentionDays} on the \`aws\` back end (RDS keeps automated backups for at most ${LIMITS.awsBackupRetentionDays} days); got ${days}`,
        );
      }
      checkLocation(input.location, backend, p);
      checkRestoreInPlace(input, input.pitr ?? target?.plan.backup.pitr, p);
      return target;
    },
    (input, target) => {
      const { ref, plan } = target!;
      const schedule: string = input.schedule ?? plan.backup.schedule;
      const cron = isNamedSchedule(schedule) ? BACKUP_CRON[schedule] : normalizeCron(schedule);
      const parsed = parseCron(cron);
      const frequent = parsed.ok && firesMoreThanDaily(parsed.cron);
      const location: BackupPolicySpec["location"] = {};
      for (const key of ["path", "bucket", "prefix"] as const) if (input.location?.[key] !== undefined) location[key] = input.location[key];
      return {
        kind: "backup_policy",
        name,
        target: linkOf(ref),
        backend: ref.backend,
        schedule,
        cron,
        retentionDays: input.retentionDays ?? plan.backup.retentionDays,
        pitr: input.pitr ?? plan.backup.pitr,
        fullBackupEvery: input.fullBackupEvery ?? (frequent ? DEFAULTS.fullBackupEvery.subDaily : DEFAULTS.fullBackupEvery.daily),
        incrementalType: input.incrementalType ?? DEFAULTS.incrementalType,
        location,
        ...(input.backupNow !== undefined ? { backupNow: input.backupNow } : {}),
        ...(input.restoreInPlace ? { restoreInPlace: { target: restoreTargetOf(input.restoreInPlace), confirm: true as const } } : {}),
      };
    },
  );
}
