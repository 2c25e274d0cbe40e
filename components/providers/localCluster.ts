/**
 * The dynamic provider that manages one local pg_cluster: etcd, 1 + N PostgreSQL nodes under
 * Patroni and HAProxy with a write and a read port, all on 127.0.0.1 (see
 * components/backends/local/cluster). `read` reports what really runs (dead members, who is
 * primary, lag, Patroni's history); `update` repairs that drift and applies changes in place;
 * with a `catalog` input the failover history is recorded in the catalogue. `delete` is hard
 * (everything removed) or, with `deletionPolicy: soft`, stops the cluster and keeps its directory
 * for `softDeleteRetentionDays` (components/backends/local/cluster/softDelete.ts).
 *
 * Serialized with the program: Node built-ins and pure local modules; `pg` is required inside.
 */
import * as pulumi from "@pulumi/pulumi";
import { createCluster, destroyCluster, inspectCluster } from "../backends/local/cluster/cluster";
import { recordFailovers } from "../backends/local/cluster/failovers";
import { clusterRestartAllowedNow } from "../backends/local/cluster/restarts";
import { LocalClusterSpec, PatroniTiming, timingProblems } from "../backends/local/cluster/spec";
import { softDeleteCluster } from "../backends/local/cluster/softDelete";
import { updateCluster } from "../backends/local/cluster/update";
import { sameSetting } from "../backends/local/config";
import { changeProblems } from "../model/change";
import type { CatalogInput } from "./catalogRecord";
import { UNKNOWN } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_CLUSTER_KIND = "pgplatform:local:cluster";

/** Inputs that force a new cluster (a new directory, new data) when they change. */
export const LOCAL_CLUSTER_REPLACES = ["resourceId", "dataRoot", "superuser"] as const;

/** The inputs of a local cluster, as the provider sees them (plain values). */
export interface LocalClusterInputs extends LocalClusterSpec {
  kind: string;
  /** The db_resource kind, for validateChange (`pg_cluster`). */
  resourceKind: string;
  storageGb: number;
  /** `soft`: delete stops the cluster and keeps its directory for `softDeleteRetentionDays`. @default "hard" */
  deletionPolicy?: "hard" | "soft";
  /** @default 7 */
  softDeleteRetentionDays?: number;
  /** Where failover records go; none recorded without it. @default - no records */
  catalog?: CatalogInput;
  labels?: Record<string, string>;
}

type Outputs = LocalClusterInputs & Record<string, any>;

function known(v: unknown): boolean {
  return v !== UNKNOWN && v !== undefined;
}

function specOf(p: any): LocalClusterSpec {
  return {
    resourceId: p.resourceId,
    version: String(p.version),
    dataRoot: p.dataRoot,
    runAs: p.runAs || undefined,
    allowedCidrs: p.allowedCidrs,
    superuser: p.superuser,
    superuserPassword: p.superuserPassword,
    replicationPassword: p.replicationPassword,
    databaseName: p.databaseName,
    username: p.username,
    password: p.password,
    parameters: p.parameters ?? {},
    standbys: Number(p.standbys),
    syncStandbys: Number(p.syncStandbys ?? 0),
    timing: p.timing,
    binarySearchPaths: p.binarySearchPaths ?? [],
    ...(p.bootstrap ? { bootstrap: p.bootstrap } : {}),
    ...(p.archiveCommand ? { archiveCommand: p.archiveCommand } : {}),
    ...(p.restoreCommand ? { restoreCommand: p.restoreCommand } : {}),
    ...(p.backupAccess === true ? { backupAccess: true } : {}),
    ...(p.restore ? { restore: p.restore } : {}),
    ...(p.paused === true ? { paused: true } : {}),
    // Unknown during a preview: judged as no window (a restart allowed) there, and for real at `up`.
    ...(typeof p.maintenanceWindow === "string" && p.maintenanceWindow !== "" && p.maintenanceWindow !== UNKNOWN ? { maintenanceWindow: p.maintenanceWindow } : {}),
    ...(p.applyImmediately === true ? { applyImmediately: true } : {}),
  };
}

/** Inputs a paused cluster cannot take until it is resumed (it runs nothing to apply them to). */
const FIXED_WHILE_PAUSED = [
  "version", "runAs", "allowedCidrs", "superuserPassword", "replicationPassword", "databaseName", "username", "password", "parameters",
  "standbys", "syncStandbys", "timing", "storageGb", "archiveCommand", "restoreCommand", "backupAccess",
] as const;

/** Problems with changing a cluster that is paused and stays paused, each naming the input. */
export function pausedChangeProblems(olds: any, news: any): { property: string; reason: string }[] {
  if (olds?.paused !== true || news.paused !== true) return [];
  const norm = (v: unknown) => JSON.stringify(v ?? null);
  return FIXED_WHILE_PAUSED.filter((k) => known(news[k]) && norm(olds[k]) !== norm(news[k])).map((k) => ({
    property: k,
    reason: `\`${k}\` cannot change while the cluster is paused (\`lifecycle.state: paused\`: nothing runs to apply it to); resume it first (\`lifecycle.state: active\`), in the same update or before`,
  }));
}

/** Problems with the HA inputs, each naming the input. */
export function clusterInputProblems(news: any): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (known(news.standbys) && !int(news.standbys)) out.push({ property: "standbys", reason: `\`standbys\` must be a whole number >= 0; got ${JSON.stringify(news.standbys)}` });
  if (known(news.syncStandbys) && known(news.standbys) && int(news.standbys) && (!int(news.syncStandbys) || news.syncStandbys > news.standbys)) {
    out.push({ property: "syncStandbys", reason: `\`syncStandbys\` must be between 0 and \`standbys\` (${news.standbys}); got ${JSON.stringify(news.syncStandbys)}` });
  }
  if (known(news.timing)) for (const reason of timingProblems(news.timing)) out.push({ property: "timing", reason });
  if (known(news.deletionPolicy) && news.deletionPolicy !== "hard" && news.deletionPolicy !== "soft") {
    out.push({ property: "deletionPolicy", reason: `\`deletionPolicy\` must be \`hard\` or \`soft\`; got ${JSON.stringify(news.deletionPolicy)}` });
  }
  const days = news.softDeleteRetentionDays;
  if (known(days) && (!Number.isInteger(days) || days < 1 || days > 365)) {
    out.push({ property: "softDeleteRetentionDays", reason: `\`softDeleteRetentionDays\` must be a whole number of days from 1 to 365; got ${JSON.stringify(days)}` });
  }
  return out;
}

async function withRecords(inputs: any, state: any): Promise<Record<string, any>> {
  if (!inputs.catalog || !Array.isArray(state.history)) return { ...state, failoversRecorded: -1 };
  const n = await recordFailovers(inputs.catalog, inputs.resourceId, state.history);
  // -1: the db_resource is not in the catalogue yet; the next refresh or update records the history.
  return { ...state, failoversRecorded: n ?? -1 };
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const localClusterProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (news.kind !== LOCAL_CLUSTER_KIND) failures.push({ property: "kind", reason: `\`kind\` must be \`${LOCAL_CLUSTER_KIND}\`; got ${JSON.stringify(news.kind)}` });
    failures.push(...clusterInputProblems(news));
    if (olds && olds.resourceId) {
      const was = { kind: olds.resourceKind, version: String(olds.version), storageGb: Number(olds.storageGb) };
      const now = {
        kind: known(news.resourceKind) ? news.resourceKind : was.kind,
        version: known(news.version) ? String(news.version) : was.version,
        storageGb: known(news.storageGb) ? Number(news.storageGb) : was.storageGb,
      };
      for (const p of changeProblems(was, now)) failures.push({ property: p.path === "storage.sizeGb" ? "storageGb" : p.path === "kind" ? "resourceKind" : p.path, reason: p.message });
      if (Number(now.version) > Number(was.version)) {
        failures.push({ property: "version", reason: `\`version\` cannot change in place from \`${was.version}\` to \`${now.version}\` on a local PgCluster; upgrade with BlueGreenUpgrade instead` });
      }
      failures.push(...pausedChangeProblems(olds, news));
    }
    return { inputs: news, failures };
  },

  async diff(id: string, olds: Outputs, news: LocalClusterInputs) {
    const replaces = LOCAL_CLUSTER_REPLACES.filter((k) => known(news[k]) && olds[k] !== news[k]);
    const changed: string[] = [];
    const scalar = [
      "version", "runAs", "superuserPassword", "replicationPassword", "databaseName", "username", "password", "storageGb", "standbys", "syncStandbys", "archiveCommand", "restoreCommand",
      "backupAccess", "maintenanceWindow", "deletionPolicy", "softDeleteRetentionDays",
    ] as const;
    for (const k of scalar) if (known(news[k]) && (olds[k] ?? "") !== (news[k] ?? "")) changed.push(k);
    for (const k of ["allowedCidrs", "timing", "catalog", "labels"] as const) if (known(news[k]) && JSON.stringify(olds[k]) !== JSON.stringify(news[k])) changed.push(k);
    // Absent means active (the input is only given when paused).
    if ((news as any).paused !== UNKNOWN && (olds.paused === true) !== (news.paused === true)) changed.push("paused");
    if ((news as any).applyImmediately !== UNKNOWN && (olds.applyImmediately === true) !== (news.applyImmediately === true)) changed.push("applyImmediately");
    if (known(news.parameters)) {
      const keys = new Set([...Object.keys(olds.parameters ?? {}), ...Object.keys(news.parameters ?? {})]);
      if ([...keys].some((k) => !sameSetting(olds.parameters?.[k], news.parameters?.[k]))) changed.push("parameters");
    }
    // Drift that read found (a dead member, etcd or HAProxy down) is repaired by an update.
    if (Array.isArray(olds.drift) && olds.drift.length > 0) changed.push("drift");
    // A restart left pending outside the maintenance window (not drift) is due once a run falls inside it (or `applyImmediately`).
    const pending = (Array.isArray(olds.pendingRestart) && olds.pendingRestart.length > 0) || (Array.isArray(olds.members) && olds.members.some((m: any) => m?.pendingRestart === true));
    if (pending && clusterRestartAllowedNow(specOf({ ...olds, ...news }))) changed.push("pendingRestart");
    return { changes: replaces.length > 0 || changed.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
  },

  async create(inputs: LocalClusterInputs) {
    const state = await createCluster(specOf(inputs));
    return { id: inputs.resourceId, outs: { ...inputs, ...(await withRecords(inputs, state)) } };
  },

  async read(id: string, props: Outputs) {
    const state = await inspectCluster(specOf(props));
    if (!state) return { id: "", props: {} };
    return { id, props: { ...props, ...(await withRecords(props, state)) } };
  },

  async update(id: string, olds: Outputs, news: LocalClusterInputs) {
    const state = await updateCluster(specOf(olds), specOf(news));
    return { outs: { ...news, ...(await withRecords(news, state)) } };
  },

  async delete(id: string, props: Outputs) {
    if (props.deletionPolicy === "soft") await softDeleteCluster(specOf(props), typeof props.softDeleteRetentionDays === "number" ? props.softDeleteRetentionDays : 7);
    else await destroyCluster(props.dataRoot, props.resourceId);
  },
};

/** Inputs of a {@link LocalCluster} resource. */
export interface LocalClusterArgs {
  resourceId: pulumi.Input<string>;
  resourceKind: pulumi.Input<string>;
  version: pulumi.Input<string>;
  dataRoot: pulumi.Input<string>;
  runAs?: pulumi.Input<string>;
  allowedCidrs: pulumi.Input<pulumi.Input<string>[]>;
  superuser: pulumi.Input<string>;
  superuserPassword: pulumi.Input<string>;
  replicationPassword: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
  parameters: pulumi.Input<Record<string, pulumi.Input<string>>>;
  standbys: pulumi.Input<number>;
  syncStandbys: pulumi.Input<number>;
  timing: pulumi.Input<PatroniTiming>;
  storageGb: pulumi.Input<number>;
  binarySearchPaths?: pulumi.Input<pulumi.Input<string>[]>;
  /** Restore hook (see LocalClusterHandle). @default - initdb */
  bootstrap?: pulumi.Input<LocalClusterSpec["bootstrap"]>;
  /** WAL archiving hook. @default - no archiving */
  archiveCommand?: pulumi.Input<string>;
  /** WAL fetch hook for every node. @default - none */
  restoreCommand?: pulumi.Input<string>;
  /** A private Unix socket with peer login for the superuser on every member (what pgBackRest needs). @default false */
  backupAccess?: pulumi.Input<boolean>;
  /** A clone: the first member is restored from this repository at create (later changes are ignored). @default - initdb */
  restore?: pulumi.Input<NonNullable<LocalClusterSpec["restore"]>>;
  /** Keep the cluster stopped, its data and ports kept (`lifecycle.state: paused`). @default false */
  paused?: pulumi.Input<boolean>;
  /**
   * The db_resource's `lifecycle.maintenanceWindow` (`ddd:hh:mm-ddd:hh:mm`, UTC): a changed parameter that needs a
   * restart is written at once, and the members restart (standbys first, the primary last) only inside it;
   * outside it the restart waits and the setting is listed in `pendingRestart`.
   * @default - none: such a change restarts the members at once
   */
  maintenanceWindow?: pulumi.Input<string>;
  /** Restart the members for a changed parameter at once, even outside `maintenanceWindow`. @default false */
  applyImmediately?: pulumi.Input<boolean>;
  /**
   * `soft`: delete stops every process (Patroni's maintenance mode first, as a pause) and keeps the cluster's
   * directory (every member's data, etcd's data, configurations, ports) for `softDeleteRetentionDays`; a later
   * create, refresh or delete on the data root then purges it. `hard`: delete removes it all.
   * @default "hard"
   */
  deletionPolicy?: pulumi.Input<"hard" | "soft">;
  /** Days a soft-deleted cluster is kept (1 to 365). @default 7 */
  softDeleteRetentionDays?: pulumi.Input<number>;
  /** Where failover records go (a secret). @default - no failover records */
  catalog?: pulumi.Input<CatalogInput>;
  /** The db_resource's labels, so policies can judge this primitive on its own. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** One local Patroni cluster behind HAProxy (type `pulumi-nodejs:dynamic/pgplatform:LocalCluster`). */
export class LocalCluster extends pulumi.dynamic.Resource {
  declare readonly resourceId: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  declare readonly writePort: pulumi.Output<number>;
  declare readonly readPort: pulumi.Output<number>;
  declare readonly etcdPort: pulumi.Output<number>;
  declare readonly layout: pulumi.Output<{ ports: Record<string, number>; members: { name: string; pgPort: number; restPort: number }[] }>;
  declare readonly primary: pulumi.Output<string>;
  declare readonly members: pulumi.Output<{ name: string; role: "primary" | "standby"; host: string; port: number; state: string; lagBytes?: number; timeline?: number; pendingRestart: boolean }[]>;
  declare readonly history: pulumi.Output<{ timeline: number; lsn: string; reason: string; at?: string; newLeader?: string }[]>;
  /** RUNNING with a primary behind HAProxy; PENDING while paused (stopped as asked); FAILED otherwise. */
  declare readonly status: pulumi.Output<"RUNNING" | "PENDING" | "FAILED">;
  declare readonly running: pulumi.Output<boolean>;
  declare readonly drift: pulumi.Output<string[]>;
  /** Parameters written but waiting for a restart of some member (in the maintenance window); empty when none. Not drift. */
  declare readonly pendingRestart: pulumi.Output<string[]>;
  /** The values written for the `pendingRestart` parameters (live after the restart). */
  declare readonly pendingValues: pulumi.Output<Record<string, string>>;
  declare readonly failoversRecorded: pulumi.Output<number>;
  declare readonly superuserPassword: pulumi.Output<string>;
  declare readonly replicationPassword: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: LocalClusterArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      host: undefined, writePort: undefined, readPort: undefined, etcdPort: undefined, layout: undefined, primary: undefined, members: undefined,
      history: undefined, status: undefined, running: undefined, drift: undefined, pendingRestart: undefined, pendingValues: undefined, failoversRecorded: undefined,
      instanceDir: undefined, binDir: undefined,
    };
    super(
      localClusterProvider,
      name,
      { kind: LOCAL_CLUSTER_KIND, ...outputs, ...args, ...(args.catalog ? { catalog: pulumi.secret(args.catalog) } : {}) },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["superuserPassword", "replicationPassword", "password"] }),
      "pgplatform",
      "LocalCluster",
    );
  }
}
