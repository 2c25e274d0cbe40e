/**
 * Moves a local upgrade from the phase it is in to the phase the spec asks for, and reports what
 * runs: the upgrade provider's create, update, read and delete are thin calls into this module.
 *
 * Transitions (anything else is refused by {@link transitionProblem}):
 *   none     → prepare | cutover (prepare, then cutover)
 *   prepare  → prepare (checked and caught up again) | cutover | rollback (replication removed)
 *   cutover  → cutover | rollback (switch back, no write lost) | finalize
 *   rollback → rollback | prepare | cutover (a fresh copy first)
 *   finalize → finalize
 */
import { EndpointSpec, destroyEndpoint, endpointPid, endpointTargetPort, startEndpoint } from "./endpoint";
import { prepare, progressOf, teardownReplication } from "./prepare";
import { MigrationFacts, recordedLog, writeMigration } from "./record";
import { thawApp } from "./sql";
import { SwitchCalledOff, cutover, finalize, rollbackAfterCutover, targetOf } from "./switch";
import { LogEntry, MigrationStatus, Phase, Side, UpgradePlan, UpgradeState, entry } from "./types";
import type { CatalogInput } from "../../../providers/catalogRecord";

/** Everything the driver needs for one upgrade. */
export interface UpgradeJob {
  plan: UpgradePlan;
  endpoint: EndpointSpec;
  catalog?: CatalogInput;
  migration: MigrationFacts;
}

/** The state after a run, with the endpoint's port. */
export interface DriverState extends UpgradeState {
  endpointPort: number;
  lastSwitch?: Record<string, unknown>;
}

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

const STATUS_OF: Record<Phase, MigrationStatus> = { none: "PENDING", prepare: "IN_PROGRESS", cutover: "IN_PROGRESS", rollback: "ROLLED_BACK", finalize: "DONE" };

/** Runs the upgrade from `was` (undefined for a new one) to phase `want`. Logs and records every step; throws after recording a failure. */
export async function drive(job: UpgradeJob, want: Phase, was?: DriverState): Promise<DriverState> {
  const from: Phase = was?.appliedPhase ?? "none";
  const problem = transitionProblem(from, want);
  if (problem) throw new Error(problem);
  const log: LogEntry[] = [...((await recordedLog(job.catalog, job.plan.id).catch(() => undefined)) ?? was?.log ?? [])];
  let side: Side = was?.activeSide ?? "blue";
  let phase: Phase = from;
  let lastSwitch = was?.lastSwitch;
  const port = await startEndpoint(job.endpoint, targetOf(side === "blue" ? job.plan.blue : job.plan.green), was?.endpointPort || undefined);
  const record = (status: MigrationStatus, extra: Record<string, unknown> = {}) =>
    writeMigration(job.catalog, job.plan.id, job.migration, { status, phase, log, detail: { activeSide: side, endpoint: `127.0.0.1:${port}`, ...(lastSwitch ? { lastSwitch } : {}), ...extra } });
  try {
    if (from === "none") log.push(entry("started", `${job.migration.migrationType} ${job.migration.fromVersion} to ${job.migration.toVersion}; stable endpoint 127.0.0.1:${port}`));
    if (want !== from || want === "prepare") await record(from === want ? STATUS_OF[from] : "IN_PROGRESS");
    if (want === "prepare" || (want === "cutover" && (from === "none" || from === "rollback"))) {
      if (from === "rollback") log.push(entry("prepare_again", "green is copied afresh"));
      await prepare(job.plan, log);
      phase = "prepare";
      await record("IN_PROGRESS");
    }
    if (want === "cutover" && phase === "prepare") {
      const r = await cutover(job.plan, job.endpoint, port, log);
      side = "green";
      phase = "cutover";
      lastSwitch = { to: "green", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "cutover") {
      const r = await rollbackAfterCutover(job.plan, job.endpoint, port, log);
      side = "blue";
      phase = "rollback";
      lastSwitch = { to: "blue", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "prepare") {
      await teardownReplication(job.plan, log);
      log.push(entry("rolled_back", "no cut-over had happened; blue serves and green is left as it is"));
      phase = "rollback";
    } else if (want === "finalize" && from === "cutover") {
      await finalize(job.plan, log);
      phase = "finalize";
    }
    const progress = phase === "prepare" || phase === "cutover" ? await progressOf(job.plan) : {};
    const status = STATUS_OF[phase];
    if (want !== from || want === "prepare") await record(status, { progress });
    return { appliedPhase: phase, activeSide: side, status, log, progress, endpointPort: port, ...(lastSwitch ? { lastSwitch } : {}) };
  } catch (err) {
    const calledOff = err instanceof SwitchCalledOff;
    if (!calledOff) log.push(entry("failed", (err as Error).message));
    if (from === "none") {
      // A failed create leaves nothing behind: Pulumi does not keep the resource, so nothing would remove a slot that holds WAL.
      await teardownReplication(job.plan, log, { bestEffort: true }).catch(() => undefined);
      await destroyEndpoint(job.endpoint.dataRoot, job.endpoint.id).catch(() => undefined);
      await thawApp(job.plan.blue).catch(() => undefined);
    }
    await record(calledOff && from !== "none" ? "IN_PROGRESS" : "FAILED").catch(() => undefined);
    throw err;
  }
}

/** What runs now: the endpoint's pid and which side it points at; `undefined` side when it does not run. */
export async function inspect(job: UpgradeJob, was: DriverState): Promise<{ running: boolean; activeSide?: Side; progress: Record<string, unknown> }> {
  if (!endpointPid(job.endpoint.dataRoot, job.endpoint.id)) return { running: false, progress: was.progress };
  const port = await endpointTargetPort(was.endpointPort, job.endpoint.consolePassword, job.endpoint.database).catch(() => undefined);
  const activeSide = port === job.plan.green.port ? "green" : port === job.plan.blue.port ? "blue" : undefined;
  const progress = was.appliedPhase === "prepare" || was.appliedPhase === "cutover" ? await progressOf(job.plan).catch(() => was.progress) : was.progress;
  return { running: true, activeSide, progress };
}

/**
 * Removes the upgrade: replication objects (best effort: a side may be gone), the endpoint, and
 * the read-only mark on whichever side it left serving; the record is marked DELETED.
 */
export async function remove(job: UpgradeJob, was: DriverState): Promise<void> {
  const log = [...was.log];
  await teardownReplication(job.plan, log, { bestEffort: true });
  await destroyEndpoint(job.endpoint.dataRoot, job.endpoint.id);
  if (was.appliedPhase !== "finalize") await thawApp(was.activeSide === "green" ? job.plan.green : job.plan.blue).catch(() => undefined);
  log.push(entry("removed", "the stable endpoint is gone: connect to the db_resources directly"));
  await writeMigration(job.catalog, job.plan.id, job.migration, { status: was.status, phase: was.appliedPhase, log, detail: { activeSide: was.activeSide }, lifecycle: "DELETED" }).catch(() => undefined);
}
