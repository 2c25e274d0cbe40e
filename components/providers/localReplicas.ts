/**
 * The dynamic provider that manages a local ReadReplicaSet (see components/backends/local/replicas):
 * on a pg_cluster, replicas as `nofailover` Patroni members; on a pg_single (`sourceKind: single`,
 * replicas/single.ts), pg_basebackup -R copies each running its own PostgreSQL; the set's HAProxy
 * with the lag policy as its health check, and PgBouncer when pooling is on. `read` reports each
 * replica's state, lag and whether it is in the read pool; `update` scales, changes the policy or
 * the pooler, and repairs dead processes. The set follows its source's `lifecycle.state`
 * (`sourceState`, replicas/pause.ts): stopped while the source is paused (PENDING), started again
 * when it is resumed; changes while paused are refused by `check`, naming each input.
 *
 * Serialized with the program: Node built-ins and pure local modules; `pg` is required inside.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocalReplicasSpec } from "../backends/local/replicas/spec";
import { createReplicas, destroyReplicas, inspectReplicas, updateReplicas } from "../backends/local/replicas/replicas";
import { createSingleReplicas, destroySingleReplicas, inspectSingleReplicas, updateSingleReplicas } from "../backends/local/replicas/single";
import { SetOps, followingSource, noCreateWhilePaused } from "../backends/local/replicas/pause";
import { UNKNOWN } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_REPLICAS_KIND = "pgplatform:local:replicas";

/** Inputs that make a new set when they change. */
export const LOCAL_REPLICAS_REPLACES = ["setId", "clusterId", "dataRoot", "sourceKind"] as const;

/** The inputs of a local replica set, as the provider sees them (plain values). */
export interface LocalReplicasInputs extends LocalReplicasSpec {
  kind: string;
  labels?: Record<string, string>;
}

type Outputs = LocalReplicasInputs & Record<string, any>;

function known(v: unknown): boolean {
  return v !== UNKNOWN && v !== undefined;
}

function specOf(p: any): LocalReplicasSpec {
  return {
    setId: p.setId,
    clusterId: p.clusterId,
    dataRoot: p.dataRoot,
    runAs: p.runAs || undefined,
    primaryPort: Number(p.primaryPort),
    superuser: p.superuser,
    superuserPassword: p.superuserPassword,
    databaseName: p.databaseName,
    username: p.username,
    replicas: Number(p.replicas),
    lagPolicy: p.lagPolicy ?? {},
    endpointStrategy: p.endpointStrategy,
    pooling: p.pooling,
    bindAddress: p.bindAddress,
    ...(p.sourceKind === "single" ? { sourceKind: "single" as const, binDir: p.binDir } : {}),
    // Absent (a set made before the input existed) means active.
    sourceState: p.sourceState === "paused" ? "paused" : "active",
  };
}

/** The set's lifecycle functions (Patroni members of a pg_cluster, or pg_basebackup copies of a pg_single), following the source's state. */
function opsOf(p: any): SetOps {
  if (p.sourceKind === "single") return followingSource({ create: createSingleReplicas, inspect: inspectSingleReplicas, update: updateSingleReplicas, destroy: (s) => destroySingleReplicas(s) });
  return followingSource({ create: createReplicas, inspect: inspectReplicas, update: updateReplicas, destroy: (s) => destroyReplicas(s.dataRoot, s.setId) });
}

/** Inputs a set cannot take while its source is paused (no replica runs to apply them to; a new set could not copy the source). */
const FIXED_WHILE_PAUSED = ["setId", "clusterId", "dataRoot", "sourceKind", "runAs", "databaseName", "username", "replicas", "lagPolicy", "endpointStrategy", "pooling", "bindAddress"] as const;

/**
 * Problems with a set whose source is paused, each naming the input: a set cannot be created then,
 * and an existing one takes no change but the superuser password (its pgpass file) and labels.
 * From paused to active with changes is allowed: the set is resumed first, then changed.
 */
export function pausedChangeProblems(olds: any, news: any): { property: string; reason: string }[] {
  if (news.sourceState !== "paused") return [];
  if (!olds?.setId) return [{ property: "sourceState", reason: noCreateWhilePaused(String(news.setId)) }];
  const norm = (v: unknown) => JSON.stringify(v ?? null);
  return FIXED_WHILE_PAUSED.filter((k) => known(news[k]) && norm(olds[k]) !== norm(news[k])).map((k) => ({
    property: k,
    reason: `\`${k}\` cannot change while the replica set's source is paused (\`lifecycle.state: paused\`: no replica runs to apply it to); resume the source first (\`lifecycle.state: active\`), in the same update or before`,
  }));
}

/** Problems with the inputs, each naming the input. */
export function replicasInputProblems(news: any): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  if (news.kind !== LOCAL_REPLICAS_KIND) out.push({ property: "kind", reason: `\`kind\` must be \`${LOCAL_REPLICAS_KIND}\`; got ${JSON.stringify(news.kind)}` });
  if (known(news.replicas) && !(Number.isInteger(news.replicas) && news.replicas >= 1)) out.push({ property: "replicas", reason: `\`replicas\` must be a whole number >= 1; got ${JSON.stringify(news.replicas)}` });
  if (known(news.lagPolicy) && news.lagPolicy.maxSeconds === undefined && news.lagPolicy.maxBytes === undefined) {
    out.push({ property: "lagPolicy", reason: "`lagPolicy` must give `maxSeconds`, `maxBytes` or both; got neither" });
  }
  if (known(news.endpointStrategy) && !["single", "per_replica"].includes(news.endpointStrategy)) {
    out.push({ property: "endpointStrategy", reason: `\`endpointStrategy\` must be \`single\` or \`per_replica\`; got ${JSON.stringify(news.endpointStrategy)}` });
  }
  return out;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const localReplicasProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    return { inputs: news, failures: [...replicasInputProblems(news), ...pausedChangeProblems(olds, news)] };
  },

  async diff(id: string, olds: Outputs, news: LocalReplicasInputs) {
    const replaces = LOCAL_REPLICAS_REPLACES.filter((k) => known(news[k]) && olds[k] !== news[k]);
    const changed: string[] = [];
    for (const k of ["runAs", "primaryPort", "superuser", "superuserPassword", "databaseName", "username", "replicas", "endpointStrategy", "bindAddress", "binDir"] as const) {
      if (known(news[k]) && (olds[k] ?? "") !== (news[k] ?? "")) changed.push(k);
    }
    for (const k of ["lagPolicy", "pooling", "labels"] as const) if (known(news[k]) && JSON.stringify(olds[k]) !== JSON.stringify(news[k])) changed.push(k);
    // Absent means active (sets made before the input existed).
    if ((news as any).sourceState !== UNKNOWN && (olds.sourceState === "paused") !== (news.sourceState === "paused")) changed.push("sourceState");
    if (Array.isArray(olds.drift) && olds.drift.length > 0) changed.push("drift");
    return { changes: replaces.length > 0 || changed.length > 0, replaces: [...replaces], deleteBeforeReplace: true };
  },

  async create(inputs: LocalReplicasInputs) {
    const state = await opsOf(inputs).create(specOf(inputs));
    return { id: inputs.setId, outs: { ...inputs, ...state } };
  },

  async read(id: string, props: Outputs) {
    const state = await opsOf(props).inspect(specOf(props));
    if (!state) return { id: "", props: {} };
    return { id, props: { ...props, ...state } };
  },

  async update(id: string, olds: Outputs, news: LocalReplicasInputs) {
    const state = await opsOf(news).update(specOf(olds), specOf(news));
    return { outs: { ...news, ...state } };
  },

  async delete(id: string, props: Outputs) {
    await opsOf(props).destroy(specOf(props));
  },
};

/** Inputs of a {@link LocalReplicas} resource. */
export interface LocalReplicasArgs {
  setId: pulumi.Input<string>;
  clusterId: pulumi.Input<string>;
  dataRoot: pulumi.Input<string>;
  runAs?: pulumi.Input<string>;
  primaryPort: pulumi.Input<number>;
  superuser: pulumi.Input<string>;
  superuserPassword: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  username: pulumi.Input<string>;
  replicas: pulumi.Input<number>;
  lagPolicy: pulumi.Input<LocalReplicasSpec["lagPolicy"]>;
  endpointStrategy: pulumi.Input<LocalReplicasSpec["endpointStrategy"]>;
  pooling: pulumi.Input<LocalReplicasSpec["pooling"]>;
  bindAddress: pulumi.Input<string>;
  /** `single`: pg_basebackup copies of the local pg_single `clusterId` (no Patroni). @default "cluster" */
  sourceKind?: pulumi.Input<"cluster" | "single">;
  /** The pg_single's server binaries (`sourceKind: single`). @default - none */
  binDir?: pulumi.Input<string>;
  /** The source's `lifecycle.state`; `paused` keeps every process of the set stopped, its data and ports kept. @default "active" */
  sourceState?: pulumi.Input<"active" | "paused">;
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A local replica set (type `pulumi-nodejs:dynamic/pgplatform:LocalReplicas`). */
export class LocalReplicas extends pulumi.dynamic.Resource {
  declare readonly host: pulumi.Output<string>;
  declare readonly readPort: pulumi.Output<number>;
  declare readonly poolerPort: pulumi.Output<number | undefined>;
  declare readonly layout: pulumi.Output<{ readPort: number; poolerPort?: number; members: { name: string; pgPort: number; restPort: number; endpointPort?: number }[] }>;
  declare readonly replicaStates: pulumi.Output<{ name: string; host: string; port: number; state: string; lagBytes?: number; inPool: boolean; endpointPort?: number }[]>;
  /** RUNNING when the read pool serves; PENDING while the source is paused (the set stopped as asked); FAILED otherwise. */
  declare readonly status: pulumi.Output<"RUNNING" | "PENDING" | "FAILED">;
  declare readonly drift: pulumi.Output<string[]>;
  declare readonly superuserPassword: pulumi.Output<string>;

  constructor(name: string, args: LocalReplicasArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { host: undefined, readPort: undefined, poolerPort: undefined, layout: undefined, replicaStates: undefined, status: undefined, drift: undefined, instanceDir: undefined };
    super(
      localReplicasProvider,
      name,
      { kind: LOCAL_REPLICAS_KIND, ...outputs, ...args },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["superuserPassword"] }),
      "pgplatform",
      "LocalReplicas",
    );
  }
}
