/**
 * A local replica set follows its source's `lifecycle.state` (`sourceState`). Pulumi updates the
 * source before the set (the set depends on it), so:
 * - pause: the source stops first (a cluster in Patroni's maintenance mode with etcd stopped, or a
 *   single stopped with pg_ctl), then the set's HAProxy, PgBouncer and every replica (a cluster
 *   replica's Patroni and its PostgreSQL, which a paused Patroni leaves running; a single's replica
 *   with pg_ctl). Data directories, the single's slots (it writes nothing while stopped), the layout
 *   and every port are kept. Between the two, the replicas run without an upstream: a standby only
 *   retries its WAL receiver, which breaks nothing.
 * - resume: the source is running again when the set updates; the set is started as it was (the
 *   ordinary update of an unchanged spec), then waited for until every replica streams and the read
 *   pool serves, as at create; a change asked in the same update is applied after that.
 * - delete while paused: a paused single still holds the set's slots (they would keep its WAL
 *   forever), so it is started for the drop and stopped again, as its own provider does to update a
 *   paused server.
 * Pure Node (serialized by the provider).
 */
import * as fs from "fs";
import * as path from "path";
import { instancePaths, startServer, stopServer } from "../instance";
import { runningPostmaster } from "../process";
import { serviceUser } from "../serviceUser";
import { daemonPid, stopDaemon, waitUntil, writeOwned } from "../cluster/daemon";
import { membersRunningWhilePaused } from "../cluster/pause";
import { stopMember } from "../cluster/processes";
import { pgpassLine } from "./config";
import { LocalReplicasState, readLayout } from "./replicas";
import { destroySingleReplicas, replicaPaths, slotPrefix } from "./single";
import { LocalReplicasSpec, ReplicasLayout, replicasPaths } from "./spec";

/** True when the set's source is paused (so the set is kept stopped). */
export function sourcePaused(spec: Pick<LocalReplicasSpec, "sourceState">): boolean {
  return spec.sourceState === "paused";
}

/** Why a set cannot be created on a paused source. */
export function noCreateWhilePaused(setId: string): string {
  return `the local replica set \`${setId}\` cannot be created while its source is paused (\`lifecycle.state: paused\`: nothing runs to copy or stream from); resume the source first (\`lifecycle.state: active\`)`;
}

/** What of a paused set still runs, as drift sentences (empty when everything is stopped, as asked). */
export function pausedSetDrift(spec: LocalReplicasSpec, layout: ReplicasLayout): string[] {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const out: string[] = [];
  if (daemonPid(p.haproxyPid, p.haproxyCfg)) out.push("haproxy running while paused");
  if (daemonPid(p.pgbouncerPid, p.pgbouncerIni)) out.push("pgbouncer running while paused");
  // A replica of a single has no Patroni (no pid file): only its postmaster can run.
  out.push(...membersRunningWhilePaused(p.dir, layout.members, "replica"));
  return out;
}

/** Stops every process of the set (HAProxy, PgBouncer, then the replicas concurrently); keeps everything on disk. Idempotent. */
export async function pauseSet(spec: LocalReplicasSpec, layout: ReplicasLayout): Promise<void> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  await stopDaemon(p.haproxyPid, p.haproxyCfg, "SIGTERM", 5_000);
  await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
  // A cluster replica: Patroni, then the postmaster a paused Patroni leaves behind (fast shutdown). A single's: pg_ctl's fast shutdown.
  await Promise.all(layout.members.map((m) => (spec.sourceKind === "single" ? stopServer(replicaPaths(spec, m.name)) : stopMember(p.dir, m.name))));
}

/** A paused set as read finds it: every replica stopped (PENDING), or what still runs as drift (FAILED). Ports kept. */
export function inspectPausedSet(spec: LocalReplicasSpec, layout: ReplicasLayout): LocalReplicasState {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const drift = pausedSetDrift(spec, layout);
  return {
    host: "127.0.0.1",
    readPort: layout.readPort,
    ...(layout.poolerPort ? { poolerPort: layout.poolerPort } : {}),
    layout,
    replicaStates: layout.members.map((m) => ({
      name: m.name,
      host: "127.0.0.1",
      port: m.pgPort,
      state: drift.some((d) => d.startsWith(`replica ${m.name}:`)) ? "running while paused" : "stopped",
      inPool: false,
      ...(m.endpointPort ? { endpointPort: m.endpointPort } : {}),
    })),
    status: drift.length === 0 ? "PENDING" : "FAILED",
    drift,
    instanceDir: p.dir,
  };
}

/**
 * Drops the set's slots on its paused (stopped) single, which the delete could not reach: only when
 * the single's `pg_replslot` holds one; the single is started for the drop and stopped again.
 */
async function dropSlotsOnPausedSingle(spec: LocalReplicasSpec): Promise<void> {
  const single = instancePaths(spec.dataRoot, spec.clusterId);
  let left: string[];
  try {
    left = fs.readdirSync(path.join(single.dataDir, "pg_replslot")).filter((n) => n.startsWith(slotPrefix(spec.setId)));
  } catch {
    return; // the single is gone: no slot to keep WAL
  }
  if (left.length === 0 || runningPostmaster(single.dataDir) || !spec.binDir || !fs.existsSync(path.join(spec.binDir, "pg_ctl"))) return;
  await startServer(spec.binDir, single, serviceUser(spec.runAs));
  try {
    await destroySingleReplicas(spec);
  } finally {
    await stopServer(single);
  }
}

/** The lifecycle functions of one kind of set (replicas of a cluster, or of a single). */
export interface SetOps {
  create(spec: LocalReplicasSpec): Promise<LocalReplicasState>;
  inspect(spec: LocalReplicasSpec): Promise<LocalReplicasState | undefined>;
  update(old: LocalReplicasSpec, spec: LocalReplicasSpec): Promise<LocalReplicasState>;
  destroy(spec: LocalReplicasSpec): Promise<void>;
}

function active(spec: LocalReplicasSpec): LocalReplicasSpec {
  return { ...spec, sourceState: "active" };
}

/** Waits until every replica streams and the read pool serves (no drift, RUNNING), as create leaves the set. */
async function awaitServing(ops: SetOps, spec: LocalReplicasSpec, timeoutMs = 90_000): Promise<LocalReplicasState> {
  let last: LocalReplicasState | undefined;
  return waitUntil("the resumed replica set to stream and serve reads", timeoutMs, async () => {
    last = await ops.inspect(spec);
    return last && last.status === "RUNNING" && last.drift.length === 0 ? last : undefined;
  }, 250).catch((err: Error) => {
    throw new Error(`${err.message} (last seen: status ${last?.status ?? "unknown"}${last?.drift.length ? `, ${last.drift.join("; ")}` : ""})`);
  });
}

/**
 * `ops` made to follow the source's state: while paused, read reports the stopped set and update
 * stops what runs (the pgpass file follows a password change, nothing else changes: the provider's
 * check refuses the rest); from paused to active, update resumes the set as it was, then applies
 * the new spec.
 */
export function followingSource(ops: SetOps): SetOps {
  return {
    async create(spec) {
      if (sourcePaused(spec)) throw new Error(noCreateWhilePaused(spec.setId));
      return ops.create(spec);
    },
    async inspect(spec) {
      if (!sourcePaused(spec)) return ops.inspect(spec);
      const layout = readLayout(spec);
      return layout ? inspectPausedSet(spec, layout) : undefined;
    },
    async update(old, spec) {
      if (sourcePaused(spec)) {
        const p = replicasPaths(spec.dataRoot, spec.setId);
        const layout = readLayout(spec);
        if (!layout) throw new Error(`the local replica set \`${spec.setId}\` is gone from ${p.dir}; run \`pulumi refresh\` so it is created again`);
        writeOwned(p.pgpass, pgpassLine(spec), serviceUser(spec.runAs), 0o600);
        await pauseSet(spec, layout);
        return inspectPausedSet(spec, layout);
      }
      if (sourcePaused(old)) {
        await ops.update(active(old), active(old));
        const resumed = await awaitServing(ops, active(old));
        if (JSON.stringify(active(old)) === JSON.stringify(active(spec))) return resumed;
      }
      return ops.update(active(old), spec);
    },
    async destroy(spec) {
      await ops.destroy(spec);
      if (spec.sourceKind === "single" && sourcePaused(spec)) await dropSlotsOnPausedSingle(spec);
    },
  };
}
