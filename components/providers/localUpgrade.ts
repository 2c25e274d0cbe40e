/**
 * The dynamic provider that runs a blue-green upgrade on the local back end
 * (`pulumi-nodejs:dynamic/pgplatform:LocalUpgrade`, input `kind: pgplatform:local:upgrade`): the
 * stable endpoint (PgBouncer), logical replication between the two servers, and the phase the
 * spec asks for (`prepare`, `cutover`, `finalize`, `rollback`), recorded in the catalogue as a
 * `migration` with its full log. `read` reports what runs (the endpoint, the side it points at,
 * the lag), `diff` asks for an update when the phase changed or the endpoint is down, `delete`
 * removes the endpoint and every replication object.
 *
 * Serialized with the program: Node built-ins and pure local modules only; `pg` is required
 * inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { DriverState, UpgradeJob, drive, inspect, remove, transitionProblem } from "../backends/local/upgrade/driver";
import { MigrationFacts } from "../backends/local/upgrade/record";
import { Phase, SideLogin } from "../backends/local/upgrade/types";
import type { CatalogInput } from "./catalogRecord";
import { known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_UPGRADE_KIND = "pgplatform:local:upgrade";

/** Inputs whose change makes a new upgrade (a new endpoint and new replication objects). */
export const LOCAL_UPGRADE_REPLACES = ["upgradeId", "dataRoot"] as const;

const PHASES = ["prepare", "cutover", "finalize", "rollback"];

/** The inputs of a local upgrade, as the provider sees them (plain values; passwords in clear inside the provider only). */
export interface LocalUpgradeInputs {
  kind: string;
  upgradeId: string;
  phase: "prepare" | "cutover" | "finalize" | "rollback";
  blue: SideLogin;
  green: SideLogin;
  dataRoot: string;
  runAs?: string;
  /** The endpoint's port; 0 or absent = a free port chosen at create and kept. */
  port?: number;
  consolePassword: string;
  tablesWithoutPrimaryKey: "replica_identity_full" | "refuse";
  maxWritePauseSeconds: number;
  prepareTimeoutSeconds: number;
  migration: MigrationFacts;
  catalog?: CatalogInput;
}

type Outputs = LocalUpgradeInputs & DriverState & { endpointRunning: boolean };

/** The driver's job for a set of inputs. */
function jobOf(p: LocalUpgradeInputs): UpgradeJob {
  return {
    plan: {
      id: p.upgradeId,
      blue: p.blue,
      green: p.green,
      tablesWithoutPrimaryKey: p.tablesWithoutPrimaryKey,
      maxWritePauseSeconds: p.maxWritePauseSeconds,
      prepareTimeoutSeconds: p.prepareTimeoutSeconds,
    },
    endpoint: {
      id: `${p.upgradeId}-endpoint`,
      dataRoot: p.dataRoot,
      runAs: p.runAs || undefined,
      port: typeof p.port === "number" && p.port > 0 ? p.port : undefined,
      database: p.blue.database,
      clientUser: p.blue.appUser,
      clientPassword: p.blue.appPassword,
      consolePassword: p.consolePassword,
    },
    catalog: p.catalog && known(p.catalog) ? p.catalog : undefined,
    migration: p.migration,
  };
}

function stateOf(o: Outputs): DriverState {
  return { appliedPhase: o.appliedPhase, activeSide: o.activeSide, status: o.status, log: o.log ?? [], progress: o.progress ?? {}, endpointPort: o.endpointPort, ...(o.lastSwitch ? { lastSwitch: o.lastSwitch } : {}) };
}

/** Check failures of an upgrade's inputs; unknown preview values are skipped. */
export function localUpgradeFailures(olds: any, news: any): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  if (news.kind !== LOCAL_UPGRADE_KIND) fail("kind", `\`kind\` must be \`${LOCAL_UPGRADE_KIND}\`; got ${JSON.stringify(news.kind)}`);
  if (known(news.phase) && !PHASES.includes(news.phase)) fail("phase", `\`phase\` must be one of ${PHASES.map((p) => `\`${p}\``).join(", ")}; got ${JSON.stringify(news.phase)}`);
  if (known(news.maxWritePauseSeconds) && !(Number.isInteger(news.maxWritePauseSeconds) && news.maxWritePauseSeconds >= 1)) {
    fail("maxWritePauseSeconds", `\`maxWritePauseSeconds\` must be a whole number of seconds of at least 1; got ${JSON.stringify(news.maxWritePauseSeconds)}`);
  }
  if (known(news.tablesWithoutPrimaryKey) && !["replica_identity_full", "refuse"].includes(news.tablesWithoutPrimaryKey)) {
    fail("tablesWithoutPrimaryKey", `\`tablesWithoutPrimaryKey\` must be \`replica_identity_full\` or \`refuse\`; got ${JSON.stringify(news.tablesWithoutPrimaryKey)}`);
  }
  if (known(news.phase) && PHASES.includes(news.phase)) {
    const from: Phase = olds?.appliedPhase ?? "none";
    const problem = transitionProblem(from, news.phase);
    if (problem) fail("phase", problem);
  }
  return failures;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const localUpgradeProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    return { inputs: news, failures: localUpgradeFailures(olds, news) };
  },

  async diff(id: string, olds: Outputs, news: LocalUpgradeInputs) {
    const replaces = LOCAL_UPGRADE_REPLACES.filter((k) => known(news[k]) && olds[k] !== news[k]);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const changed = (["phase", "blue", "green", "maxWritePauseSeconds", "tablesWithoutPrimaryKey", "consolePassword", "runAs"] as const).filter(
      (k) => known(news[k]) && !same(olds[k], news[k]),
    );
    // What read found: the endpoint down, or pointing at the wrong side, or the phase not reached.
    const drift = olds.endpointRunning === false || (known(news.phase) && olds.appliedPhase !== news.phase);
    return { changes: replaces.length > 0 || changed.length > 0 || drift, replaces: [...replaces], deleteBeforeReplace: true };
  },

  async create(inputs: LocalUpgradeInputs) {
    const state = await drive(jobOf(inputs), inputs.phase);
    return { id: inputs.upgradeId, outs: { ...inputs, ...state, endpointRunning: true } };
  },

  async read(id: string, props: Outputs) {
    const now = await inspect(jobOf(props), stateOf(props));
    return { id, props: { ...props, endpointRunning: now.running, activeSide: now.activeSide ?? props.activeSide, progress: now.progress } };
  },

  async update(id: string, olds: Outputs, news: LocalUpgradeInputs) {
    const state = await drive(jobOf({ ...news, port: olds.endpointPort }), news.phase, stateOf(olds));
    return { outs: { ...news, ...state, endpointRunning: true } };
  },

  async delete(id: string, props: Outputs) {
    await remove(jobOf(props), stateOf(props));
  },
};

/** A side's login whose members may be Outputs. */
export type SideLoginArgs = { [K in keyof SideLogin]: pulumi.Input<SideLogin[K]> };

/** Inputs of a {@link LocalUpgrade} resource. */
export interface LocalUpgradeArgs {
  /** Stable id of the upgrade (its migration record's id); a change replaces it. */
  upgradeId: pulumi.Input<string>;
  phase: pulumi.Input<"prepare" | "cutover" | "finalize" | "rollback">;
  /** The source (blue) server: superuser login and the application's database and login. Secret. */
  blue: pulumi.Input<SideLoginArgs>;
  /** The new (green) server, the same. Secret. */
  green: pulumi.Input<SideLoginArgs>;
  /** Where the endpoint's files live (`<dataRoot>/<upgradeId>-endpoint/`); a change replaces it. */
  dataRoot: pulumi.Input<string>;
  /** The service user the endpoint runs as when the program runs as root. */
  runAs?: pulumi.Input<string>;
  /** The endpoint's port. @default - a free port chosen at create and kept */
  port?: pulumi.Input<number>;
  /** PgBouncer console password. Secret. */
  consolePassword: pulumi.Input<string>;
  tablesWithoutPrimaryKey: pulumi.Input<"replica_identity_full" | "refuse">;
  maxWritePauseSeconds: pulumi.Input<number>;
  /** How long prepare waits for the initial copy and the catch-up, in seconds. */
  prepareTimeoutSeconds: pulumi.Input<number>;
  migration: pulumi.Input<MigrationFacts>;
  /** The catalogue the migration is recorded in; none = not recorded. Secret. */
  catalog?: pulumi.Input<CatalogInput>;
}

/** A blue-green upgrade between two local servers behind a stable PgBouncer endpoint. */
export class LocalUpgrade extends pulumi.dynamic.Resource {
  declare readonly endpointPort: pulumi.Output<number>;
  declare readonly activeSide: pulumi.Output<"blue" | "green">;
  declare readonly appliedPhase: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly progress: pulumi.Output<Record<string, unknown>>;
  declare readonly log: pulumi.Output<{ at: string; step: string; detail?: string }[]>;
  declare readonly endpointRunning: pulumi.Output<boolean>;

  constructor(name: string, args: LocalUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { endpointPort: undefined, activeSide: undefined, appliedPhase: undefined, status: undefined, progress: undefined, log: undefined, lastSwitch: undefined, endpointRunning: undefined };
    super(
      localUpgradeProvider,
      name,
      {
        kind: LOCAL_UPGRADE_KIND,
        ...outputs,
        ...args,
        blue: pulumi.secret(args.blue),
        green: pulumi.secret(args.green),
        consolePassword: pulumi.secret(args.consolePassword),
        ...(args.catalog ? { catalog: pulumi.secret(args.catalog) } : {}),
      },
      opts,
      "pgplatform",
      "LocalUpgrade",
    );
  }
}


