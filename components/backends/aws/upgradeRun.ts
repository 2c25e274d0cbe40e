/**
 * Moves an aws blue-green upgrade from the phase it is in to the phase the spec asks for (the same
 * transitions as the local back end's, see `transitionProblem`), logs every step and writes the
 * catalogue's `migration` record as it goes, so a failed or called-off step is on record even when
 * `pulumi up` fails. The upgrade provider's create, update and delete are thin calls into this.
 * Pure: serialized with the provider.
 */
import { transitionProblem } from "../local/upgrade/driver";
import { MigrationFacts, recordedLog, writeMigration } from "../local/upgrade/record";
import { LogEntry, MigrationStatus, Phase, Side, entry } from "../local/upgrade/types";
import type { CatalogInput } from "../../providers/catalogRecord";
import { AwsSwitchCalledOff, AwsUpgradePlan, cutoverAws, finalizeAws, prepareAws, progressAws, rollbackAws, teardownAws, thawApp } from "./upgradeDriver";

/** Everything a run needs. */
export interface AwsUpgradeJob {
  plan: AwsUpgradePlan;
  /** The stable endpoint's name (for the log and the record). */
  stableEndpoint: string;
  catalog?: CatalogInput;
  migration: MigrationFacts;
}

/** What the provider keeps between phases. */
export interface AwsRunState {
  appliedPhase: Phase;
  activeSide: Side;
  status: MigrationStatus;
  log: LogEntry[];
  progress: Record<string, unknown>;
  lastSwitch?: Record<string, unknown>;
}

const STATUS_OF: Record<Phase, MigrationStatus> = { none: "PENDING", prepare: "IN_PROGRESS", cutover: "IN_PROGRESS", rollback: "ROLLED_BACK", finalize: "DONE" };

/** Runs the upgrade from `was` (undefined for a new one) to phase `want`; throws after recording a failure. */
export async function driveAws(job: AwsUpgradeJob, want: Phase, was?: AwsRunState): Promise<AwsRunState> {
  const from: Phase = was?.appliedPhase ?? "none";
  const problem = transitionProblem(from, want);
  if (problem) throw new Error(problem);
  const log: LogEntry[] = [...((await recordedLog(job.catalog, job.plan.id).catch(() => undefined)) ?? was?.log ?? [])];
  let side: Side = was?.activeSide ?? "blue";
  let phase: Phase = from;
  let lastSwitch = was?.lastSwitch;
  const record = (status: MigrationStatus, extra: Record<string, unknown> = {}) =>
    writeMigration(job.catalog, job.plan.id, job.migration, { status, phase, log, detail: { activeSide: side, endpoint: job.stableEndpoint, ...(lastSwitch ? { lastSwitch } : {}), ...extra } });
  try {
    if (from === "none") log.push(entry("started", `${job.migration.migrationType} ${job.migration.fromVersion} to ${job.migration.toVersion}; stable endpoint ${job.stableEndpoint}`));
    if (want !== from || want === "prepare") await record(from === want ? STATUS_OF[from] : "IN_PROGRESS");
    if (want === "prepare" || (want === "cutover" && (from === "none" || from === "rollback"))) {
      if (from === "rollback") log.push(entry("prepare_again", "green is copied afresh"));
      await prepareAws(job.plan, log);
      phase = "prepare";
      await record("IN_PROGRESS");
    }
    if (want === "cutover" && phase === "prepare") {
      const r = await cutoverAws(job.plan, log);
      side = "green";
      phase = "cutover";
      lastSwitch = { to: "green", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "cutover") {
      const r = await rollbackAws(job.plan, log);
      side = "blue";
      phase = "rollback";
      lastSwitch = { to: "blue", ...r, at: new Date().toISOString() };
    } else if (want === "rollback" && from === "prepare") {
      await teardownAws(job.plan, log);
      log.push(entry("rolled_back", "no cut-over had happened; blue serves and green is left as it is"));
      phase = "rollback";
    } else if (want === "finalize" && from === "cutover") {
      await finalizeAws(job.plan, log);
      phase = "finalize";
    }
    const progress = phase === "prepare" || phase === "cutover" ? await progressAws(job.plan) : {};
    const status = STATUS_OF[phase];
    if (want !== from || want === "prepare") await record(status, { progress });
    return { appliedPhase: phase, activeSide: side, status, log, progress, ...(lastSwitch ? { lastSwitch } : {}) };
  } catch (err) {
    const calledOff = err instanceof AwsSwitchCalledOff;
    if (!calledOff) log.push(entry("failed", (err as Error).message));
    if (from === "none") {
      // A failed create leaves nothing behind: Pulumi does not keep the resource, and a slot left on blue holds WAL.
      await teardownAws(job.plan, log).catch(() => undefined);
      await thawApp(job.plan.blue).catch(() => undefined);
    }
    await record(calledOff && from !== "none" ? "IN_PROGRESS" : "FAILED").catch(() => undefined);
    throw err;
  }
}

/** Removes the upgrade: replication objects (best effort), the read-only mark on the side it left serving; the record is marked DELETED. */
export async function removeAws(job: AwsUpgradeJob, was: AwsRunState): Promise<void> {
  const log = [...was.log];
  await teardownAws(job.plan, log).catch((err) => log.push(entry("replication_removed", `with errors: ${(err as Error).message}`)));
  if (was.appliedPhase !== "finalize") await thawApp(was.activeSide === "green" ? job.plan.green : job.plan.blue).catch(() => undefined);
  log.push(entry("removed", "the upgrade is gone; the stable record is removed with it"));
  await writeMigration(job.catalog, job.plan.id, job.migration, { status: was.status, phase: was.appliedPhase, log, detail: { activeSide: was.activeSide }, lifecycle: "DELETED" }).catch(() => undefined);
}
