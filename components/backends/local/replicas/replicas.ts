/**
 * The lifecycle of a local ReadReplicaSet on a pg_cluster: create (replicas join the source's
 * Patroni cluster as `nofailover` members and stream from its primary; HAProxy enforces the lag
 * policy; PgBouncer pools when asked), inspect (each replica's state, lag and whether it is in
 * the read pool), update (scale, policy, pooling, repair), destroy. Pure Node + `pg` inside functions.
 */
import * as fs from "fs";
import { withAdmin } from "../admin";
import { chownTree } from "../process";
import { ServiceUser, serviceUser } from "../serviceUser";
import { freePorts } from "../cluster/cluster";
import { daemonPid, startDaemon, stopDaemon, tail, waitUntil, writeOwned } from "../cluster/daemon";
import { readView } from "../cluster/patroni";
import { memberPid, portOpen, startHaproxy, startMember, stopMember, toolPath } from "../cluster/processes";
import { clusterPaths, memberPaths } from "../cluster/spec";
import { lagCheckScript, pgbouncerIni, pgbouncerUsers, pgpassLine, replicaPatroniConfig, replicasHaproxy } from "./config";
import { LocalReplicasSpec, ReplicaMember, ReplicasLayout, replicasPaths } from "./spec";

/** One replica as {@link inspectReplicas} finds it. */
export interface ReplicaState {
  name: string;
  host: string;
  port: number;
  /** Patroni's state of its PostgreSQL (`running`, `streaming`, `stopped`, ...). */
  state: string;
  /** Bytes behind the leader as Patroni reports them. */
  lagBytes?: number;
  /** Whether HAProxy has it in the read pool now (within the lag policy). */
  inPool: boolean;
  endpointPort?: number;
}

/** What a replica set really is. */
export interface LocalReplicasState {
  host: string;
  readPort: number;
  poolerPort?: number;
  layout: ReplicasLayout;
  replicaStates: ReplicaState[];
  /** RUNNING when the read pool serves; PENDING while the source is paused and the set stopped as asked; FAILED otherwise. */
  status: "RUNNING" | "PENDING" | "FAILED";
  drift: string[];
  instanceDir: string;
}

/** The parsed Patroni configuration of a live member of the source cluster (the template of every replica). */
function sourceConfig(spec: LocalReplicasSpec): any {
  const dir = clusterPaths(spec.dataRoot, spec.clusterId).members;
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const n of names) {
    const file = memberPaths(clusterPaths(spec.dataRoot, spec.clusterId).dir, n).config;
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  }
  throw new Error(`the source pg_cluster \`${spec.clusterId}\` has no member under ${dir}; create the PgCluster first (a ReadReplicaSet joins its Patroni cluster)`);
}

/** HAProxy's view of its servers: `<proxy>/<server>` → status (`UP`, `DOWN`, ...), from the stats socket. */
export function haproxyServers(socketPath: string): Promise<Record<string, string>> {
  const net = require("net");
  return new Promise((resolve) => {
    let text = "";
    const s = net.connect({ path: socketPath });
    s.setTimeout(2_000, () => s.destroy());
    s.on("connect", () => s.write("show stat\n"));
    s.on("data", (d: Buffer) => (text += d));
    s.on("error", () => resolve({}));
    s.on("close", () => {
      const out: Record<string, string> = {};
      for (const line of text.split("\n")) {
        const f = line.split(",");
        if (f.length > 17 && !line.startsWith("#") && f[1] !== "FRONTEND" && f[1] !== "BACKEND") out[`${f[0]}/${f[1]}`] = f[17];
      }
      resolve(out);
    });
  });
}

function writeMember(spec: LocalReplicasSpec, m: ReplicaMember, template: any, user: ServiceUser): void {
  const mp = memberPaths(replicasPaths(spec.dataRoot, spec.setId).dir, m.name);
  if (!fs.existsSync(mp.dir)) {
    fs.mkdirSync(mp.dir, { recursive: true, mode: 0o700 });
    chownTree(mp.dir, user);
  }
  writeOwned(mp.config, replicaPatroniConfig(template, spec, m), user);
}

/** A new replica on fresh ports, named after the set (Patroni member names are unique per cluster). */
async function newReplica(spec: LocalReplicasSpec, layout: ReplicasLayout): Promise<ReplicaMember> {
  const taken = [layout.readPort, ...(layout.poolerPort ? [layout.poolerPort] : []), ...layout.members.flatMap((m) => [m.pgPort, m.restPort, m.endpointPort ?? 0])];
  let i = 0;
  while (layout.members.some((m) => m.name === `${spec.setId}-r${i}`)) i++;
  const [pgPort, restPort, endpointPort] = await freePorts(3, taken);
  return { name: `${spec.setId}-r${i}`, pgPort, restPort, ...(spec.endpointStrategy === "per_replica" ? { endpointPort } : {}) };
}

/** Waits until every replica in `names` streams (Patroni reports it running with a known lag). */
async function awaitReplicas(members: readonly ReplicaMember[], timeoutMs = 120_000): Promise<void> {
  if (members.length === 0) return;
  await waitUntil(`replicas ${members.map((m) => m.name).join(", ")} to stream`, timeoutMs, async () => {
    const view = await readView(members);
    return view && members.every((m) => view.members.some((x) => x.name === m.name && (x.state === "running" || x.state === "streaming") && x.lagBytes !== undefined));
  }, 250);
}

/** Writes every file of the set but the replicas' own; returns which of HAProxy's and PgBouncer's changed. */
export async function writeFiles(spec: LocalReplicasSpec, layout: ReplicasLayout, user: ServiceUser): Promise<{ haproxy: boolean; pgbouncer: boolean }> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const changed = (file: string, text: string, mode: number) => {
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    writeOwned(file, text, user, mode);
    return before !== text;
  };
  writeOwned(p.pgpass, pgpassLine(spec), user, 0o600);
  const script = changed(p.lagCheck, lagCheckScript(spec, toolPath("psql", "postgresql-client")), 0o700);
  const haproxy = changed(p.haproxyCfg, replicasHaproxy(spec, layout), 0o644) || script;
  let pgbouncer = false;
  if (spec.pooling.enabled) {
    const verifier = await withAdmin({ port: spec.primaryPort, superuser: spec.superuser, password: spec.superuserPassword }, async (c) => (await c.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [spec.username])).rows[0]?.rolpassword);
    if (typeof verifier !== "string" || !verifier.startsWith("SCRAM-SHA-256$")) throw new Error(`the role \`${spec.username}\` has no SCRAM-SHA-256 password on the source, so PgBouncer cannot log it in`);
    pgbouncer = changed(p.pgbouncerUsers, pgbouncerUsers(spec.username, verifier), 0o600);
    pgbouncer = changed(p.pgbouncerIni, pgbouncerIni(spec, layout), 0o600) || pgbouncer;
  }
  return { haproxy, pgbouncer };
}

export async function startPgbouncer(spec: LocalReplicasSpec, layout: ReplicasLayout, user: ServiceUser): Promise<void> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
  startDaemon({ bin: toolPath("pgbouncer", "pgbouncer"), args: [p.pgbouncerIni], logFile: p.pgbouncerLog, pidFile: p.pgbouncerPid, marker: p.pgbouncerIni, cwd: p.dir }, user);
  await waitUntil(`PgBouncer to listen on ${layout.poolerPort}`, 15_000, () => portOpen(layout.poolerPort!)).catch((err) => {
    throw new Error(`${err.message}\n${tail(p.pgbouncerLog)}`);
  });
}

export function readLayout(spec: Pick<LocalReplicasSpec, "dataRoot" | "setId">): ReplicasLayout | undefined {
  try {
    return JSON.parse(fs.readFileSync(replicasPaths(spec.dataRoot, spec.setId).marker, "utf8")).layout;
  } catch {
    return undefined;
  }
}

export function writeMarker(spec: LocalReplicasSpec, layout: ReplicasLayout): void {
  fs.writeFileSync(replicasPaths(spec.dataRoot, spec.setId).marker, JSON.stringify({ setId: spec.setId, clusterId: spec.clusterId, layout }, null, 2) + "\n", { mode: 0o644 });
}

/** Creates the set; a failed create leaves nothing behind. */
export async function createReplicas(spec: LocalReplicasSpec): Promise<LocalReplicasState> {
  const user = serviceUser(spec.runAs);
  const p = replicasPaths(spec.dataRoot, spec.setId);
  if (fs.existsSync(p.marker)) throw new Error(`${p.dir} already holds the pgplatform replica set \`${spec.setId}\`; delete it first`);
  await destroyReplicas(spec.dataRoot, spec.setId);
  try {
    const template = sourceConfig(spec);
    fs.mkdirSync(p.members, { recursive: true, mode: 0o700 });
    fs.chmodSync(p.dir, 0o700);
    chownTree(p.dir, user);
    const [readPort, poolerPort] = await freePorts(2);
    const layout: ReplicasLayout = { readPort, ...(spec.pooling.enabled ? { poolerPort } : {}), members: [] };
    for (let i = 0; i < spec.replicas; i++) layout.members.push(await newReplica(spec, layout));
    for (const m of layout.members) {
      writeMember(spec, m, template, user);
      startMember(p.dir, m, user);
    }
    await awaitReplicas(layout.members);
    await writeFiles(spec, layout, user);
    await startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, user, layout.readPort);
    if (spec.pooling.enabled) await startPgbouncer(spec, layout, user);
    writeMarker(spec, layout);
    return await inspectWith(spec, layout);
  } catch (err) {
    await destroyReplicas(spec.dataRoot, spec.setId).catch(() => undefined);
    throw err;
  }
}

/** What really runs for the set, or undefined when its directory is gone. */
export async function inspectReplicas(spec: LocalReplicasSpec): Promise<LocalReplicasState | undefined> {
  const layout = readLayout(spec);
  return layout ? inspectWith(spec, layout) : undefined;
}

/** What one replica is, as its kind of set reads it: its state, its lag, and the drift it shows (if any). */
export interface ReplicaProbe {
  state: string;
  lagBytes?: number;
  drift?: string;
}

/**
 * What a replica set really is, whatever its source: the read pool (HAProxy) and pooler drift, each
 * replica as `probe` reads it, whether it is in the pool, and the set's status. Shared by the replicas
 * of a cluster (Patroni members) and of a single (pg_basebackup copies).
 */
export async function inspectSet(spec: LocalReplicasSpec, layout: ReplicasLayout, probe: (m: ReplicaMember) => Promise<ReplicaProbe>): Promise<LocalReplicasState> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const drift: string[] = [];
  const haproxyUp = daemonPid(p.haproxyPid, p.haproxyCfg) !== undefined;
  if (!haproxyUp) drift.push("haproxy stopped");
  if (spec.pooling.enabled && !daemonPid(p.pgbouncerPid, p.pgbouncerIni)) drift.push("pgbouncer stopped");
  const pool = haproxyUp ? await haproxyServers(p.haproxySocket) : {};
  const replicaStates: ReplicaState[] = [];
  for (const m of layout.members) {
    const seen = await probe(m);
    if (seen.drift) drift.push(seen.drift);
    replicaStates.push({
      name: m.name,
      host: "127.0.0.1",
      port: m.pgPort,
      state: seen.state,
      ...(seen.lagBytes !== undefined ? { lagBytes: seen.lagBytes } : {}),
      inPool: pool[`replicas/${m.name}`]?.startsWith("UP") ?? false,
      ...(m.endpointPort ? { endpointPort: m.endpointPort } : {}),
    });
  }
  const serving = haproxyUp && replicaStates.some((r) => r.inPool);
  return {
    host: "127.0.0.1",
    readPort: layout.readPort,
    ...(layout.poolerPort ? { poolerPort: layout.poolerPort } : {}),
    layout,
    replicaStates,
    status: serving ? "RUNNING" : "FAILED",
    drift,
    instanceDir: p.dir,
  };
}

async function inspectWith(spec: LocalReplicasSpec, layout: ReplicasLayout): Promise<LocalReplicasState> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const view = await readView(layout.members);
  return inspectSet(spec, layout, async (m) => {
    const seen = view?.members.find((x) => x.name === m.name);
    const alive = memberPid(p.dir, m.name) !== undefined;
    const drift = !alive
      ? `replica ${m.name}: patroni stopped`
      : !seen || (seen.state !== "running" && seen.state !== "streaming")
        ? `replica ${m.name}: postgres ${seen?.state ?? "not reported"}`
        : undefined;
    return { state: alive ? (seen?.state ?? "unknown") : "stopped", ...(seen?.lagBytes !== undefined ? { lagBytes: seen.lagBytes } : {}), ...(drift ? { drift } : {}) };
  });
}

/** Brings the set from `old` to `spec`: repairs dead processes, scales, rewrites the lag policy and the pooler. */
export async function updateReplicas(old: LocalReplicasSpec, spec: LocalReplicasSpec): Promise<LocalReplicasState> {
  const user = serviceUser(spec.runAs);
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const layout = readLayout(spec);
  if (!layout) throw new Error(`the local replica set \`${spec.setId}\` is gone from ${p.dir}; run \`pulumi refresh\` so it is created again`);
  const template = sourceConfig(spec);
  while (layout.members.length > spec.replicas) {
    const m = layout.members.pop()!;
    await stopMember(p.dir, m.name);
    fs.rmSync(memberPaths(p.dir, m.name).dir, { recursive: true, force: true });
  }
  while (layout.members.length < spec.replicas) layout.members.push(await newReplica(spec, layout));
  for (const m of layout.members) {
    if (spec.endpointStrategy === "per_replica" && !m.endpointPort) m.endpointPort = (await freePorts(1, [layout.readPort, ...layout.members.map((x) => x.endpointPort ?? 0)]))[0];
    if (spec.endpointStrategy === "single") delete m.endpointPort;
    writeMember(spec, m, template, user);
    startMember(p.dir, m, user);
  }
  if (spec.pooling.enabled && !layout.poolerPort) layout.poolerPort = (await freePorts(1, [layout.readPort]))[0];
  if (!spec.pooling.enabled) {
    delete layout.poolerPort;
    await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
  }
  writeMarker(spec, layout);
  await awaitReplicas(layout.members);
  const changed = await writeFiles(spec, layout, user);
  if (changed.haproxy || !daemonPid(p.haproxyPid, p.haproxyCfg)) await startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, user, layout.readPort);
  if (spec.pooling.enabled && (changed.pgbouncer || !daemonPid(p.pgbouncerPid, p.pgbouncerIni))) await startPgbouncer(spec, layout, user);
  return inspectWith(spec, layout);
}

/** Stops every process of the set and removes its directory. Idempotent. */
export async function destroyReplicas(dataRoot: string, setId: string): Promise<void> {
  const p = replicasPaths(dataRoot, setId);
  if (!fs.existsSync(p.dir)) return;
  await stopDaemon(p.haproxyPid, p.haproxyCfg, "SIGTERM", 5_000);
  await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
  const names = fs.existsSync(p.members) ? fs.readdirSync(p.members) : [];
  await Promise.all(names.map((n) => stopMember(p.dir, n)));
  fs.rmSync(p.dir, { recursive: true, force: true });
}
