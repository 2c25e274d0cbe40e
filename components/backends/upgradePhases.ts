/**
 * The phase machine of a blue-green upgrade, shared by the back ends that drive one themselves
 * (local: PgBouncer as the stable endpoint; aws: a Route53 record over logical replication). A back
 * end gives the steps ({@link PhaseSteps}); {@link drivePhases} decides which run for a move from
 * the phase the upgrade is in to the phase the spec asks for, logs them and writes the catalogue's
 * `migration` record as it goes, so a failed or called-off step is on record even when `pulumi up`
 * fails.
 *
 * Transitions (anything else is refused by {@link transitionProblem}):
 *   none     → prepare | cutover (prepare, then cutover)
 *   prepare  → prepare (checked and caught up again) | cutover | rollback (replication removed)
 *   cutover  → cutover | rollback (switch back, no write lost) | finalize
 *   rollback → rollback | prepare | cutover (a fresh copy first)
 *   finalize → finalize
 *
 * Pure: serialized with the upgrade providers.
 */
import { MigrationFacts, recordedLog, writeMigration } from "./local/upgrade/record";
import { LogEntry, MigrationStatus, Phase, Side, entry } from "./local/upgrade/types";
import type { CatalogInput } from "../providers/catalogRecord";

/** Why `to` cannot follow `from`, or undefined when it can. */
export function transitionProblem(from: Phase, to: Phase): string | undefined {
  if (from === to) return undefined;
  const allowed: Record<Phase, Phase[]> = {
    none: ["prepare", "cutover"],
    prepare: ["cutover", "rollback"],
    cutover: ["rollback", "finalize"],
    rollback: ["prepare", "cutover"],
    finalize: [],
  };
  if (allowed[from].includes(to)) return undefined;
  if (from === "finalize") return `\`phase\` cannot leave \`finalize\`: the upgrade is final (green serves, blue is retired); got ${JSON.stringify(to)}`;
  if (to === "finalize") return `\`phase\` \`finalize\` needs a cut-over first (the upgrade is at \`${from}\`: set \`phase: "cutover"\` and run \`pulumi up\`); got "finalize"`;
  if (to === "rollback") return "`phase` `rollback` needs a prepared upgrade (nothing was prepared yet: remove the BlueGreenUpgrade instead); got \"rollback\"";
  return `\`phase\` cannot go from \`${from}\` to \`${to}\`; got ${JSON.stringify(to)}`;
}

/** The catalogue's status of an upgrade at each phase. */
export const STATUS_OF_PHASE: Readonly<Record<Phase, MigrationStatus>> = { none: "PENDING", prepare: "IN_PROGRESS", cutover: "IN_PROGRESS", rollback: "ROLLED_BACK", finalize: "DONE" };

/** What one back end does at each step; each appends what it did to `log`. */
export interface PhaseSteps {
  /** The upgrade's catalogue id. */
  id: string;
  catalog?: CatalogInput;
  migration: MigrationFacts;
  /** The stable endpoint, as the log and the record name it. */
  endpoint: string;
  /** Copies the schema, starts replication and waits for green to catch up. */
  prepare(log: LogEntry[]): Promise<unknown>;
  /** Switches the stable endpoint to green; what it answers goes into `lastSwitch`. */
  cutover(log: LogEntry[]): Promise<object>;
  /** Switches back to blue after a cut-over, losing no write; what it answers goes into `lastSwitch`. */
  rollbackAfterCutover(log: LogEntry[]): Promise<object>;
  /** Removes the replication of an upgrade that never cut over. */
  teardown(log: LogEntry[]): Promise<unknown>;
  /** Retires blue. */
  finalize(log: LogEntry[]): Promise<unknown>;
  /** Replication progress while prepared or cut over. */
  progress(): Promise<Record<string, unknown>>;
  /** Undoes what a failed first run left (nothing would remove it: Pulumi keeps no resource). */
  cleanUpFailedCreate(log: LogEntry[]): Promise<void>;
  /** True for the back end's "switch called off" error: the step changed nothing and the upgrade stays in progress. */
  calledOff(err: unknown): boolean;
}

/** What the providers keep between runs. */
export interface PhaseState {
  appliedPhase: Phase;
  activeSide: Side;
  status: MigrationStatus;
  log: LogEntry[];
  progress: Record<string, unknown>;
  lastSwitch?: Record<string, unknown>;
}

/** Runs the upgrade from `was` (undefined for a new one) to phase `want`. Logs and records every step; throws after recording a failure. */
export async function drivePhases(steps: PhaseSteps, want: Phase, was?: PhaseState): Promise<PhaseState> {
  const from: Phase = was?.appliedPhase ?? "none";
  const problem = transitionProblem(from, want);
  if (problem) throw new Error(problem);
  const log: LogEntry[] = [...((await recordedLog(steps.catalog, steps.id).catch(() => undefined)) ?? was?.log ?? [])];
  let side: Side = was?.activeSide ?? "blue";
  let phase: Phase = from;
  let lastSwitch = was?.lastSwitch;
  const record = (status: MigrationStatus, extra: Record<string, unknown> = {}) =>
    writeMigration(steps.catalog, steps.id, steps.migration, { status, phase, log, detail: { activeSide: side, endpoint: steps.endpoint, ...(lastSwitch ? { lastSwitch } : {}), ...extra } });
  try {
    if (from === "none") log.push(entry("started", `${steps.migration.migrationType} ${steps.migration.fromVersion} to ${steps.migration.toVersion}; stable endpoint ${steps.endpoint}`));
    if (want !== from || want === "prepare") await record(from === want ? STATUS_OF_PHASE[from] : "IN_PROGRESS");
    if (want === "prepare" || (want === "cutover" && (from === "none" || from === "rollback"))) {
      if (from === "rollback") log.push(entry("prepare_again", "green is copied afresh"));
      await steps.prepare(log);
      phase = "prepare";
      await record("IN_PROGRESS");
    }
    if (want === "cutover" && phase === "prepare") {
      const r = await steps.cutover(log);
      side = "green";
      phase = "cutover";
      lastSwitch = { to: "green", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "cutover") {
      const r = await steps.rollbackAfterCutover(log);
      side = "blue";
      phase = "rollback";
      lastSwitch = { to: "blue", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "prepare") {
      await steps.teardown(log);
      log.push(entry("rolled_back", "no cut-over had happened; blue serves and green is left as it is"));
      phase = "rollback";
    } else if (want === "finalize" && from === "cutover") {
      await steps.finalize(log);
      phase = "finalize";
    }
    const progress = phase === "prepare" || phase === "cutover" ? await steps.progress() : {};
    const status = STATUS_OF_PHASE[phase];
    if (want !== from || want === "prepare") await record(status, { progress });
    return { appliedPhase: phase, activeSide: side, status, log, progress, ...(lastSwitch ? { lastSwitch } : {}) };
  } catch (err) {
    const calledOff = steps.calledOff(err);
    if (!calledOff) log.push(entry("failed", (err as Error).message));
    if (from === "none") await steps.cleanUpFailedCreate(log).catch(() => undefined);
    await record(calledOff && from !== "none" ? "IN_PROGRESS" : "FAILED").catch(() => undefined);
    throw err;
  }
}

/** Marks the upgrade's record DELETED with `log` (best effort: the catalogue may be gone first). */
export async function recordRemoved(steps: Pick<PhaseSteps, "id" | "catalog" | "migration">, was: PhaseState, log: LogEntry[]): Promise<void> {
  await writeMigration(steps.catalog, steps.id, steps.migration, { status: was.status, phase: was.appliedPhase, log, detail: { activeSide: was.activeSide }, lifecycle: "DELETED" }).catch(() => undefined);
}
