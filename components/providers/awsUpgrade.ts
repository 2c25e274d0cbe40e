/**
 * The dynamic provider that runs a blue-green upgrade by logical replication on the aws back end
 * (`pulumi-nodejs:dynamic/pgplatform:AwsUpgrade`, input `kind: pgplatform:aws:upgrade`) over the
 * program's TLS SQL connections to both RDS endpoints as their master users (`aws.sqlAccess`).
 * It runs the phase the spec asks for (components/backends/aws/upgradeRun.ts) and reports
 * `activeSide`, which the stable Route53 record follows; `diff` asks for an update when the phase
 * changed, `delete` removes the replication objects. Serialized with the program: Node built-ins
 * and pure modules only; `pg` is required inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { transitionProblem } from "../backends/upgradePhases";
import { MigrationFacts } from "../backends/local/upgrade/record";
import { Phase } from "../backends/local/upgrade/types";
import { AwsRunState, AwsUpgradeJob, driveAws, removeAws } from "../backends/aws/upgradeRun";
import { AwsUpgradeSide } from "../backends/aws/upgradeDriver";
import type { CatalogInput } from "./catalogRecord";
import { known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const AWS_UPGRADE_KIND = "pgplatform:aws:upgrade";

const PHASES = ["prepare", "cutover", "finalize", "rollback"];

/** The inputs as the provider sees them (plain values; passwords in clear inside the provider only). */
export interface AwsUpgradeInputs {
  kind: string;
  upgradeId: string;
  phase: "prepare" | "cutover" | "finalize" | "rollback";
  blue: AwsUpgradeSide;
  green: AwsUpgradeSide;
  stableEndpoint: string;
  tablesWithoutPrimaryKey: "replica_identity_full" | "refuse";
  maxWritePauseSeconds: number;
  prepareTimeoutSeconds: number;
  migration: MigrationFacts;
  catalog?: CatalogInput;
}

type Outputs = AwsUpgradeInputs & AwsRunState;

function jobOf(p: AwsUpgradeInputs): AwsUpgradeJob {
  return {
    plan: { id: p.upgradeId, blue: p.blue, green: p.green, tablesWithoutPrimaryKey: p.tablesWithoutPrimaryKey, maxWritePauseSeconds: p.maxWritePauseSeconds, prepareTimeoutSeconds: p.prepareTimeoutSeconds },
    stableEndpoint: p.stableEndpoint,
    catalog: p.catalog && known(p.catalog) ? p.catalog : undefined,
    migration: p.migration,
  };
}

function stateOf(o: Outputs): AwsRunState {
  return { appliedPhase: o.appliedPhase, activeSide: o.activeSide, status: o.status, log: o.log ?? [], progress: o.progress ?? {}, ...(o.lastSwitch ? { lastSwitch: o.lastSwitch } : {}) };
}

/** Check failures of the inputs; unknown preview values are skipped. */
export function awsUpgradeFailures(olds: any, news: any): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  if (news.kind !== AWS_UPGRADE_KIND) fail("kind", `\`kind\` must be \`${AWS_UPGRADE_KIND}\`; got ${JSON.stringify(news.kind)}`);
  if (known(news.phase) && !PHASES.includes(news.phase)) fail("phase", `\`phase\` must be one of ${PHASES.map((p) => `\`${p}\``).join(", ")}; got ${JSON.stringify(news.phase)}`);
  if (known(news.maxWritePauseSeconds) && !(Number.isInteger(news.maxWritePauseSeconds) && news.maxWritePauseSeconds >= 1)) {
    fail("maxWritePauseSeconds", `\`maxWritePauseSeconds\` must be a whole number of seconds of at least 1; got ${JSON.stringify(news.maxWritePauseSeconds)}`);
  }
  if (known(news.phase) && PHASES.includes(news.phase)) {
    const problem = transitionProblem((olds?.appliedPhase ?? "none") as Phase, news.phase);
    if (problem) fail("phase", problem);
  }
  return failures;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const awsUpgradeProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    return { inputs: news, failures: awsUpgradeFailures(olds, news) };
  },

  async diff(id: string, olds: Outputs, news: AwsUpgradeInputs) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const replaces = known(news.upgradeId) && olds.upgradeId !== news.upgradeId ? ["upgradeId"] : [];
    const changed = (["phase", "blue", "green", "maxWritePauseSeconds", "tablesWithoutPrimaryKey", "stableEndpoint"] as const).filter((k) => known(news[k]) && !same(olds[k], news[k]));
    const drift = known(news.phase) && olds.appliedPhase !== news.phase;
    return { changes: replaces.length > 0 || changed.length > 0 || drift, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: AwsUpgradeInputs) {
    const state = await driveAws(jobOf(inputs), inputs.phase);
    return { id: inputs.upgradeId, outs: { ...inputs, ...state } };
  },

  async update(id: string, olds: Outputs, news: AwsUpgradeInputs) {
    const state = await driveAws(jobOf(news), news.phase, stateOf(olds));
    return { outs: { ...news, ...state } };
  },

  async delete(id: string, props: Outputs) {
    await removeAws(jobOf(props), stateOf(props));
  },
};

/** A side whose members may be Outputs. */
export type AwsUpgradeSideArgs = { [K in keyof AwsUpgradeSide]: pulumi.Input<AwsUpgradeSide[K]> };

/** Inputs of an {@link AwsUpgrade} resource. */
export interface AwsUpgradeArgs {
  /** Stable id of the upgrade (its migration record's id, and the replication objects' names); a change replaces it. */
  upgradeId: pulumi.Input<string>;
  phase: pulumi.Input<"prepare" | "cutover" | "finalize" | "rollback">;
  /** Blue: its master user's TLS connection, the application's database, login and password. Secret. */
  blue: pulumi.Input<AwsUpgradeSideArgs>;
  /** Green, the same (the application's password is blue's). Secret. */
  green: pulumi.Input<AwsUpgradeSideArgs>;
  /** The stable Route53 name, for the log and the record. */
  stableEndpoint: pulumi.Input<string>;
  tablesWithoutPrimaryKey: pulumi.Input<"replica_identity_full" | "refuse">;
  /** The longest write freeze a switch may take, in seconds; past it the switch is called off. */
  maxWritePauseSeconds: pulumi.Input<number>;
  /** How long prepare waits for the initial copy and the catch-up, in seconds. */
  prepareTimeoutSeconds: pulumi.Input<number>;
  migration: pulumi.Input<MigrationFacts>;
  /** The catalogue the migration is recorded in. @default - not recorded */
  catalog?: pulumi.Input<CatalogInput>;
}

/** A blue-green upgrade between two RDS db_resources, fed by logical replication. */
export class AwsUpgrade extends pulumi.dynamic.Resource {
  declare readonly activeSide: pulumi.Output<"blue" | "green">;
  declare readonly appliedPhase: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly progress: pulumi.Output<Record<string, unknown>>;
  declare readonly log: pulumi.Output<{ at: string; step: string; detail?: string }[]>;

  constructor(name: string, args: AwsUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { activeSide: undefined, appliedPhase: undefined, status: undefined, progress: undefined, log: undefined, lastSwitch: undefined };
    super(
      awsUpgradeProvider,
      name,
      { kind: AWS_UPGRADE_KIND, ...outputs, ...args, blue: pulumi.secret(args.blue), green: pulumi.secret(args.green), ...(args.catalog ? { catalog: pulumi.secret(args.catalog) } : {}) },
      opts,
      "pgplatform",
      "AwsUpgrade",
    );
  }
}
