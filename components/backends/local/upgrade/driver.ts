/**
 * Drives a local upgrade with the shared phase machine (../../upgradePhases.ts): the stable
 * endpoint is a PgBouncer started here (or found running) before any step; the steps are this
 * back end's prepare, cut-over, rollback and finalize. The upgrade provider's create, update, read
 * and delete are thin calls into this module.
 */
import { EndpointSpec, destroyEndpoint, endpointPid, endpointTargetPort, startEndpoint } from "./endpoint";
import { prepare, progressOf, teardownReplication } from "./prepare";
import { MigrationFacts } from "./record";
import { thawApp } from "./sql";
import { SwitchCalledOff, cutover, finalize, rollbackAfterCutover, targetOf } from "./switch";
import { Phase, Side, UpgradePlan, UpgradeState, entry } from "./types";
import { PhaseSteps, drivePhases, recordRemoved } from "../../upgradePhases";
import type { CatalogInput } from "../../../providers/catalogRecord";

export { transitionProblem } from "../../upgradePhases";

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

/** The local steps of `job`, with the stable endpoint listening on `port`. */
function stepsOf(job: UpgradeJob, port: number): PhaseSteps {
  const { plan, endpoint } = job;
  return {
    id: plan.id,
    catalog: job.catalog,
    migration: job.migration,
    endpoint: `127.0.0.1:${port}`,
    prepare: (log) => prepare(plan, log),
    cutover: (log) => cutover(plan, endpoint, port, log),
    rollbackAfterCutover: (log) => rollbackAfterCutover(plan, endpoint, port, log),
    teardown: (log) => teardownReplication(plan, log),
    finalize: (log) => finalize(plan, log),
    progress: () => progressOf(plan),
    cleanUpFailedCreate: async (log) => {
      // A slot left on blue would hold WAL; an endpoint left running would hold its port.
      await teardownReplication(plan, log, { bestEffort: true }).catch(() => undefined);
      await destroyEndpoint(endpoint.dataRoot, endpoint.id).catch(() => undefined);
      await thawApp(plan.blue).catch(() => undefined);
    },
    calledOff: (err) => err instanceof SwitchCalledOff,
  };
}

/** Runs the upgrade from `was` (undefined for a new one) to phase `want`. Logs and records every step; throws after recording a failure. */
export async function drive(job: UpgradeJob, want: Phase, was?: DriverState): Promise<DriverState> {
  const side: Side = was?.activeSide ?? "blue";
  const port = await startEndpoint(job.endpoint, targetOf(side === "blue" ? job.plan.blue : job.plan.green), was?.endpointPort || undefined);
  const state = await drivePhases(stepsOf(job, port), want, was);
  return { ...state, endpointPort: port };
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
  await recordRemoved({ id: job.plan.id, catalog: job.catalog, migration: job.migration }, was, log);
}
