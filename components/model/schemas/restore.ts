/**
 * `restore` on PgSingle and PgCluster: make the db_resource from backups at the latest point, a
 * chosen backup, a time or an LSN: a new clone from a BackupPolicy's backups (`from`), or in place
 * from this db_resource's own backups (`mode: "in_place"`, no `from`: a BackupPolicy cannot target
 * the db_resource that names it in its own args).
 *
 * The BackupPolicy arrives twice, as everywhere a component refers to another: in the args as the
 * object itself (`restore.from`, passed through untouched), and in the parse context as the facts
 * the component read from it.
 */
import { z } from "zod";
import { Problems, show } from "../errors";
import { ResourceKind } from "../plans";
import { DbResourceLink, RestoreSpec } from "../spec";
import { Major } from "../versions";

/** What the parse is told about `restore.from`, read from the BackupPolicy object. */
export interface RestoreSourceRef {
  /** The policy's Pulumi name. */
  policyName: string;
  /** The db_resource the policy backs up. */
  target: DbResourceLink & { version: Major };
  /** Whether the policy keeps WAL for point-in-time recovery. */
  pitr: boolean;
}

/** An ISO 8601 time with an explicit zone (`Z` or `+hh:mm`). */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A PostgreSQL LSN: two hexadecimal halves, `16/B374D848`. */
export const LSN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;

/** zod shape of `restore`. */
export function restoreShape() {
  return z
    .object({
      from: z.any().optional(),
      mode: z.enum(["clone", "in_place"]).optional(),
      backupId: z.string().min(1).optional(),
      targetTime: z.string().optional(),
      targetLsn: z.string().optional(),
      confirm: z.boolean().optional(),
    })
    .strict()
    .optional();
}

/**
 * Checks `restore` against the BackupPolicy it names and the db_resource being made.
 * `self` is what the db_resource being parsed will be.
 */
export function checkRestore(
  input: any,
  from: RestoreSourceRef | undefined,
  self: { kind: ResourceKind; backend?: string; version?: Major; resourceId: string; backupEnabled?: boolean; pitr?: boolean },
  p: Problems,
): void {
  const r = input.restore;
  if (!r || typeof r !== "object") return;
  const mode = r.mode ?? "clone";
  const own = (r.from === undefined || r.from === null) && mode === "in_place";
  if (r.from === undefined || r.from === null) {
    if (mode === "clone") p.add("restore.from", "`restore.from` is required for `mode: \"clone\"`: the BackupPolicy whose backups to restore (an in-place restore reads this db_resource's own backups)");
  } else if (!from) {
    const ctor = typeof r.from === "object" ? (r.from as object).constructor?.name : undefined;
    p.add("restore.from", `\`restore.from\` must be a BackupPolicy; got ${ctor && ctor !== "Object" ? `an instance of \`${ctor}\`` : show(r.from)}`);
  }
  const targets = (["backupId", "targetTime", "targetLsn"] as const).filter((k) => r[k] !== undefined);
  if (targets.length > 1) {
    p.add(`restore.${targets[1]}`, `\`restore\` takes at most one of \`backupId\`, \`targetTime\`, \`targetLsn\`; got ${targets.map((t) => `\`${t}\``).join(" and ")}`);
  }
  if (typeof r.targetTime === "string") {
    if (!ISO_TIME.test(r.targetTime) || Number.isNaN(Date.parse(r.targetTime))) {
      p.add("restore.targetTime", `\`restore.targetTime\` must be an ISO 8601 time with a zone, such as \`2026-11-26T10:15:00Z\`; got ${show(r.targetTime)}`);
    } else if (Date.parse(r.targetTime) > Date.now()) {
      p.add("restore.targetTime", `\`restore.targetTime\` must not be in the future; got ${show(r.targetTime)}`);
    }
  }
  if (typeof r.targetLsn === "string" && !LSN.test(r.targetLsn)) {
    p.add("restore.targetLsn", `\`restore.targetLsn\` must be an LSN such as \`0/3000060\`; got ${show(r.targetLsn)}`);
  }
  if (mode === "in_place" && r.confirm !== true) {
    p.add(
      "restore.confirm",
      "`restore.confirm` must be `true` for `restore.mode` `in_place`: an in-place restore replaces the data of this db_resource (a safety backup is taken first)",
    );
  }
  const which = r.targetTime !== undefined ? "targetTime" : r.targetLsn !== undefined ? "targetLsn" : undefined;
  if (own) {
    // On the local back end a db_resource's backups are its BackupPolicy's pgBackRest repository, not
    // its `backup` settings (which only describe the plan there): the restore checks that repository
    // at `up` and names what is missing.
    if (self.backend === "local") return;
    if (self.backupEnabled === false) {
      p.add("restore.mode", "`restore.mode` `in_place` restores this db_resource from its own backups, and its `backup.enabled` is false (turn backups on first, or restore a clone from a BackupPolicy)");
    } else if (which && self.pitr === false) {
      p.add(`restore.${which}`, `\`restore.${which}\` needs point-in-time recovery, and this db_resource has \`backup.pitr\` off (restore a \`backupId\` or the latest backup instead)`);
    }
    return;
  }
  if (!from) return;
  if (which && !from.pitr) {
    p.add(`restore.${which}`, `\`restore.${which}\` needs point-in-time recovery, and BackupPolicy ${JSON.stringify(from.policyName)} has \`pitr\` off (restore a \`backupId\` or the latest backup instead)`);
  }
  if (self.backend !== undefined && from.target.backend !== self.backend) {
    p.add("restore.from", `\`restore.from\` must back up a db_resource on the same back end (\`${self.backend}\`); BackupPolicy ${JSON.stringify(from.policyName)} is on \`${from.target.backend}\``);
  }
  if (self.version !== undefined && from.target.version !== self.version) {
    p.add(
      "restore.from",
      `\`restore.from\` backs up PostgreSQL ${from.target.version}, and this db_resource runs ${self.version}: a restore keeps the major (set \`version: "${from.target.version}"\`, then upgrade with BlueGreenUpgrade)`,
    );
  }
  if (from.target.kind !== self.kind) {
    p.add("restore.from", `\`restore.from\` backs up a ${from.target.kind}, and this db_resource is a ${self.kind}: restore into the same kind, then migrate with BlueGreenUpgrade`);
  }
  if (mode === "in_place" && from.target.resourceId !== self.resourceId) {
    p.add("restore.mode", `\`restore.mode\` \`in_place\` restores a db_resource from its own backups, and BackupPolicy ${JSON.stringify(from.policyName)} backs up \`${from.target.resourceId}\` (leave \`from\` out, or use \`mode: "clone"\`)`);
  }
  if (mode === "clone" && from.target.resourceId === self.resourceId) {
    p.add("restore.mode", "`restore.mode` `clone` makes a new db_resource, and `restore.from` backs up this very one (use `mode: \"in_place\"` with `confirm: true`)");
  }
}

/** Resolves `restore`; undefined when not given. Only called when {@link checkRestore} found no problem. */
export function resolveRestore(input: any, from: RestoreSourceRef | undefined): RestoreSpec | undefined {
  const r = input.restore;
  if (!r) return undefined;
  const target: RestoreSpec["target"] =
    r.backupId !== undefined
      ? { type: "backup", backupId: r.backupId }
      : r.targetTime !== undefined
        ? { type: "time", time: new Date(r.targetTime).toISOString() }
        : r.targetLsn !== undefined
          ? { type: "lsn", lsn: r.targetLsn.toUpperCase() }
          : { type: "latest" };
  const out: RestoreSpec = { mode: r.mode ?? "clone", target, confirm: r.confirm === true };
  if (from) out.from = { ...from.target, policyName: from.policyName, pitr: from.pitr };
  return out;
}
