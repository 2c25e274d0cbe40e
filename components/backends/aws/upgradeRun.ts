/**
 * Drives an aws blue-green upgrade with the shared phase machine (../upgradePhases.ts): the steps are
 * this back end's prepare, cut-over (the Route53 record follows), rollback and finalize. The upgrade
 * provider's create, update and delete are thin calls into this. Pure: serialized with the provider.
 */
import { MigrationFacts } from "../local/upgrade/record";
import { Phase, entry } from "../local/upgrade/types";
import { PhaseState, PhaseSteps, drivePhases, recordRemoved } from "../upgradePhases";
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
export type AwsRunState = PhaseState;

/** The aws steps of `job`. */
function awsStepsOf(job: AwsUpgradeJob): PhaseSteps {
  const { plan } = job;
  return {
    id: plan.id,
    catalog: job.catalog,
    migration: job.migration,
    endpoint: job.stableEndpoint,
    prepare: (log) => prepareAws(plan, log),
    cutover: (log) => cutoverAws(plan, log),
    rollbackAfterCutover: (log) => rollbackAws(plan, log),
    teardown: (log) => teardownAws(plan, log),
    finalize: (log) => finalizeAws(plan, log),
    progress: () => progressAws(plan),
    cleanUpFailedCreate: async (log) => {
      // A slot left on blue would hold WAL.
      await teardownAws(plan, log).catch(() => undefined);
      await thawApp(plan.blue).catch(() => undefined);
    },
    calledOff: (err) => err instanceof AwsSwitchCalledOff,
  };
}

/** Runs the upgrade from `was` (undefined for a new one) to phase `want`; throws after recording a failure. */
export function driveAws(job: AwsUpgradeJob, want: Phase, was?: AwsRunState): Promise<AwsRunState> {
  return drivePhases(awsStepsOf(job), want, was);
}

/** Removes the upgrade: replication objects (best effort), the read-only mark on the side it left serving; the record is marked DELETED. */
export async function removeAws(job: AwsUpgradeJob, was: AwsRunState): Promise<void> {
  const log = [...was.log];
  await teardownAws(job.plan, log).catch((err) => log.push(entry("replication_removed", `with errors: ${(err as Error).message}`)));
  if (was.appliedPhase !== "finalize") await thawApp(was.activeSide === "green" ? job.plan.green : job.plan.blue).catch(() => undefined);
  log.push(entry("removed", "the upgrade is gone; the stable record is removed with it"));
  await recordRemoved({ id: job.plan.id, catalog: job.catalog, migration: job.migration }, was, log);
}
