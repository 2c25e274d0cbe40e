/**
 * The lifecycle of one local pg_cluster: create (etcd, 1 + N Patroni members, HAProxy), inspect
 * (what really runs: dead processes, who is primary, lag, history), destroy. Update is in
 * `update.ts`. Used by the dynamic provider, the tests and the P4 bench. Pure Node + `pg` inside
 * functions, so the provider can be serialized.
 */
import * as fs from "fs";
import * as path from "path";
import { ensureAppObjects, withAdmin } from "../admin";
import { findServerBinaries } from "../binaries";
import { prepareDataRoot } from "../instance";
import { chownTree, freePort } from "../process";
import { ServiceUser, serviceUser } from "../serviceUser";
import { prepareClusterRestore } from "../restore/clusterRestore";
import { cancelPurge, pendingPurge, purgeExpired, refuseKept } from "../softDelete";
import { clusterHaproxy, clusterSocketDir, patroniConfig } from "./config";
import { daemonPid, tail, waitUntil, writeOwned } from "./daemon";
import { FailoverEvent, PatroniView, readHistory, readView } from "./patroni";
import { memberPid, startEtcd, startHaproxy, startMember, stopCluster } from "./processes";
import { pauseCluster, pausedDrift, pausedMarker } from "./pause";
import { pendingByMember, pendingNames, pendingValuesOf } from "./restarts";
import { statusOf } from "./rest";
import { ClusterLayout, ClusterMember, LocalClusterSpec, clusterPaths, memberPaths } from "./spec";

/** Tools Patroni needs besides the server: base backups for new members, pg_rewind for rejoins. */
const CLUSTER_TOOLS = ["pg_basebackup", "pg_rewind", "pg_controldata", "pg_ctl", "postgres", "initdb"];

/** A member of the topology, as pgplatform reports it. */
export interface ClusterMemberState {
  name: string;
  role: "primary" | "standby" | "replica";
  host: string;
  port: number;
  state: string;
  lagBytes?: number;
  timeline?: number;
  /** The member waits for a restart (Patroni's flag, or settings its PostgreSQL holds for one): see `pendingRestart`. */
  pendingRestart: boolean;
}

/** What a local cluster really is, as {@link inspectCluster} finds it. */
export interface LocalClusterState {
  host: string;
  writePort: number;
  readPort: number;
  etcdPort: number;
  /** Ports of every member, as chosen at create (and at scale-up). */
  layout: ClusterLayout;
  /** The member Patroni holds as leader now, or "" when none. */
  primary: string;
  members: ClusterMemberState[];
  /** Patroni's history of timeline changes (failovers and switchovers), oldest first. */
  history: FailoverEvent[];
  running: boolean;
  /** RUNNING with a primary behind HAProxy; PENDING while paused (stopped as asked); FAILED otherwise. */
  status: "RUNNING" | "PENDING" | "FAILED";
  /** What is not as it should be: dead processes, members not running, no primary. */
  drift: string[];
  /**
   * Settings written to the cluster's configuration whose new value waits for a restart of some
   * member (`pg_settings.pending_restart`), as the spec spells them: a change made outside the
   * maintenance window, applied by a run inside it. Not drift. Empty when none (and while paused).
   */
  pendingRestart: string[];
  /** The values written for the `pendingRestart` settings (live after the restart). */
  pendingValues: Record<string, string>;
  instanceDir: string;
  binDir: string;
}

/** The service user, the server binaries (which must include Patroni's tools) and the paths of a cluster. */
export function clusterContext(spec: Pick<LocalClusterSpec, "version" | "binarySearchPaths" | "runAs" | "dataRoot" | "resourceId">): { user: ServiceUser; binDir: string; paths: ReturnType<typeof clusterPaths> } {
  const bins = findServerBinaries(spec.version, spec.binarySearchPaths ?? []);
  const missing = CLUSTER_TOOLS.filter((t) => !fs.existsSync(path.join(bins.binDir, t)));
  if (missing.length > 0) {
    throw new Error(
      `\`version\` ${spec.version}: a PgCluster on the local back end runs under Patroni, which needs ${missing.join(", ")} of the same major; ` +
        `${bins.binDir} (${bins.source}) lacks them. Install Debian's \`postgresql-${spec.version}\` where it exists, or choose a \`version\` this machine has a full installation of (such as 15 on Debian 12)`,
    );
  }
  const user = serviceUser(spec.runAs);
  prepareDataRoot(spec.dataRoot, user);
  return { user, binDir: bins.binDir, paths: clusterPaths(spec.dataRoot, spec.resourceId) };
}

/** Free ports, all different from each other and from `taken`. */
export async function freePorts(n: number, taken: readonly number[] = []): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p) && !taken.includes(p)) out.push(p);
  }
  return out;
}

/** Every port a layout holds. */
export function portsOf(layout: ClusterLayout): number[] {
  return [...Object.values(layout.ports), ...layout.members.flatMap((m) => [m.pgPort, m.restPort])];
}

/** A new member named after the lowest free `nodeN`, on fresh ports. */
export async function newMember(layout: ClusterLayout): Promise<ClusterMember> {
  let i = 0;
  while (layout.members.some((m) => m.name === `node${i}`)) i++;
  const [pgPort, restPort] = await freePorts(2, portsOf(layout));
  return { name: `node${i}`, pgPort, restPort };
}

/** Writes a member's Patroni configuration (0600, owned by the service user; it holds passwords). */
export function writeMemberConfig(spec: LocalClusterSpec, layout: ClusterLayout, m: ClusterMember, binDir: string, user: ServiceUser): boolean {
  const mp = memberPaths(clusterPaths(spec.dataRoot, spec.resourceId).dir, m.name);
  if (!fs.existsSync(mp.dir)) {
    fs.mkdirSync(mp.dir, { recursive: true, mode: 0o700 });
    chownTree(mp.dir, user);
  }
  const text = patroniConfig(spec, layout, m, binDir);
  const before = fs.existsSync(mp.config) ? fs.readFileSync(mp.config, "utf8") : "";
  writeOwned(mp.config, text, user);
  return before !== text;
}

/** Creates the members' private socket directory (0700, the service user's) when the cluster has backup access. */
export function ensureSocketDir(spec: LocalClusterSpec, layout: ClusterLayout, user: ServiceUser): void {
  const socketDir = clusterSocketDir(spec);
  if (!socketDir) return;
  const socket = `${socketDir}/.s.PGSQL.${Math.max(...layout.members.map((m) => m.pgPort))}`;
  if (Buffer.byteLength(socket) > 107) throw new Error(`the cluster's socket path ${socket} is longer than the 107 bytes a Unix socket allows; choose a shorter \`local.dataRoot\``);
  fs.mkdirSync(path.dirname(socketDir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(socketDir, 0o700);
  chownTree(socketDir, user);
}

/** Writes HAProxy's configuration; true when it changed. */
export function writeHaproxyConfig(spec: LocalClusterSpec, layout: ClusterLayout, user: ServiceUser): boolean {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  const text = clusterHaproxy(spec, layout);
  const before = fs.existsSync(p.haproxyCfg) ? fs.readFileSync(p.haproxyCfg, "utf8") : "";
  writeOwned(p.haproxyCfg, text, user, 0o644);
  return before !== text;
}

/** (Re)starts HAProxy on the cluster's configuration. */
export function restartHaproxy(spec: LocalClusterSpec, layout: ClusterLayout, user: ServiceUser): Promise<void> {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  return startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, user, layout.ports.write);
}

/** Waits until Patroni reports a leader and every member in `names` running (streaming, for standbys). */
export async function awaitMembers(layout: ClusterLayout, names: readonly string[], timeoutMs = 120_000): Promise<PatroniView> {
  return waitUntil(`members ${names.join(", ")} to run under a leader`, timeoutMs, async () => {
    const view = await readView(layout.members);
    if (!view?.leader) return undefined;
    const ok = names.every((n) => view.members.some((m) => m.name === n && (m.state === "running" || m.state === "streaming") && (m.role === "leader" || m.lagBytes !== undefined)));
    return ok ? view : undefined;
  }, 250);
}

/** Waits until `sync` sync standbys are reported (sync mode only). */
export async function awaitSync(layout: ClusterLayout, sync: number, timeoutMs = 60_000): Promise<void> {
  if (sync <= 0) return;
  await waitUntil(`${sync} synchronous standby(s)`, timeoutMs, async () => {
    const view = await readView(layout.members);
    return (view?.members.filter((m) => m.role === "sync_standby").length ?? 0) >= sync;
  }, 250);
}

/** Runs `fn` as the superuser through the write endpoint, retrying while a new primary takes over. */
export async function withPrimary<T>(spec: LocalClusterSpec, layout: ClusterLayout, fn: (client: any) => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const login = { port: layout.ports.write, superuser: spec.superuser, password: spec.superuserPassword };
  return waitUntil("the write endpoint to take a superuser session", timeoutMs, () => withAdmin(login, async (c) => ({ v: await fn(c) })), 250).then((r) => r.v);
}

function readMarker(file: string): ClusterLayout | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")).layout;
  } catch {
    return undefined;
  }
}

/** Writes the marker: the cluster is fully created, with this layout. */
export function writeMarker(spec: LocalClusterSpec, layout: ClusterLayout): void {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  fs.writeFileSync(p.marker, JSON.stringify({ resourceId: spec.resourceId, version: spec.version, layout }, null, 2) + "\n", { mode: 0o644 });
}

/**
 * Creates and starts a cluster: etcd, every member (the first to take the initialize key
 * bootstraps, the others base-backup from it), HAProxy, then the application role and database.
 * Leftovers of an interrupted create are discarded first; a failed create leaves nothing behind.
 * Expired soft deletes on the data root are purged first; a soft-deleted server or cluster still
 * kept under this id refuses the create.
 */
export async function createCluster(given: LocalClusterSpec): Promise<LocalClusterState> {
  let spec = given;
  purgeExpired(spec.dataRoot);
  const { user, binDir, paths } = clusterContext(spec);
  refuseKept(spec.dataRoot, spec.resourceId, paths.dir, paths.marker, "cluster");
  if (fs.existsSync(paths.marker)) {
    throw new Error(`${paths.dir} already holds the pgplatform cluster \`${spec.resourceId}\`; delete it first, or give this db_resource another \`local.dataRoot\``);
  }
  await discard(spec.dataRoot, spec.resourceId);
  try {
    fs.mkdirSync(paths.members, { recursive: true, mode: 0o700 });
    fs.chmodSync(paths.dir, 0o700);
    chownTree(paths.dir, user);
    const [etcdClient, etcdPeer, write, read] = await freePorts(4);
    const layout: ClusterLayout = { ports: { etcdClient, etcdPeer, write, read }, members: [] };
    for (let i = 0; i <= spec.standbys; i++) layout.members.push(await newMember(layout));
    if (spec.restore) {
      // A clone: the first member is restored by Patroni's custom bootstrap (restore/clusterRestore.ts).
      const first = memberPaths(paths.dir, layout.members[0].name).dataDir;
      spec = { ...spec, bootstrap: await prepareClusterRestore(spec.restore, spec.dataRoot, spec.superuser, first, user) };
    }
    ensureSocketDir(spec, layout, user);
    for (const m of layout.members) writeMemberConfig(spec, layout, m, binDir, user);
    await startEtcd(spec.dataRoot, spec.resourceId, layout, user);
    // The first member bootstraps alone; the others then clone it (a bootstrap race costs a retry loop).
    startMember(paths.dir, layout.members[0], user);
    // A restore replays archived WAL first: it may take longer than an initdb.
    await waitUntil(`member ${layout.members[0].name} to become the primary`, spec.restore ? 600_000 : 90_000, async () => (await statusOf(layout.members[0].restPort, "/primary")) === 200, 200).catch((err) => {
      throw new Error(`${err.message}\n${tail(memberPaths(paths.dir, layout.members[0].name).log)}`);
    });
    for (const m of layout.members.slice(1)) startMember(paths.dir, m, user);
    await awaitMembers(layout, layout.members.map((m) => m.name));
    writeHaproxyConfig(spec, layout, user);
    await restartHaproxy(spec, layout, user);
    // A clone's restored data holds the source's application role and database: renamed to this cluster's.
    await withPrimary(spec, layout, (c) => ensureAppObjects(c, spec, spec.restore));
    await awaitSync(layout, spec.syncStandbys);
    writeMarker(spec, layout);
    if (spec.paused) await pauseCluster(spec, layout);
    return await inspectWith(spec, layout, binDir);
  } catch (err) {
    await discard(spec.dataRoot, spec.resourceId).catch(() => undefined);
    throw err;
  }
}

async function discard(dataRoot: string, resourceId: string): Promise<void> {
  const p = clusterPaths(dataRoot, resourceId);
  const socketDir = clusterSocketDir({ dataRoot, resourceId, backupAccess: true })!;
  if (!fs.existsSync(p.dir)) {
    fs.rmSync(socketDir, { recursive: true, force: true });
    return;
  }
  await stopCluster(dataRoot, resourceId, []);
  fs.rmSync(p.dir, { recursive: true, force: true });
  fs.rmSync(socketDir, { recursive: true, force: true });
}

/** The layout a cluster was created with, or undefined when its directory or marker is gone. */
export function layoutOf(dataRoot: string, resourceId: string): ClusterLayout | undefined {
  return readMarker(clusterPaths(dataRoot, resourceId).marker);
}

/** What really runs for `spec`, or undefined when the cluster's directory is gone or it is soft-deleted (kept for its purge). */
export async function inspectCluster(spec: LocalClusterSpec): Promise<LocalClusterState | undefined> {
  purgeExpired(spec.dataRoot);
  const layout = layoutOf(spec.dataRoot, spec.resourceId);
  if (!layout || pendingPurge(spec.dataRoot, "cluster", spec.resourceId)) return undefined;
  return inspectWith(spec, layout, clusterContext(spec).binDir);
}

/** Reads processes, Patroni's view and history of a cluster with a known layout. */
export async function inspectWith(spec: LocalClusterSpec, layout: ClusterLayout, binDir: string): Promise<LocalClusterState> {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  if (spec.paused) return inspectPaused(spec, layout, binDir);
  const drift: string[] = [];
  if (!daemonPid(p.etcdPid, p.etcdData)) drift.push("etcd stopped");
  if (!daemonPid(p.haproxyPid, p.haproxyCfg)) drift.push("haproxy stopped");
  const view: PatroniView | undefined = await readView(layout.members);
  const history = (await readHistory(layout.members)) ?? [];
  const pending = await pendingByMember(spec, layout, view);
  const members: ClusterMemberState[] = layout.members.map((m) => {
    const seen = view?.members.find((x) => x.name === m.name);
    const patroni = memberPid(p.dir, m.name) !== undefined;
    if (!patroni) drift.push(`member ${m.name}: patroni stopped`);
    else if (!seen || (seen.state !== "running" && seen.state !== "streaming")) drift.push(`member ${m.name}: postgres ${seen?.state ?? "not reported"}`);
    return {
      name: m.name,
      role: seen?.role === "leader" ? "primary" : "standby",
      host: "127.0.0.1",
      port: m.pgPort,
      state: !patroni ? "stopped" : (seen?.state ?? "unknown"),
      ...(seen?.lagBytes !== undefined ? { lagBytes: seen.lagBytes } : {}),
      ...(seen?.timeline !== undefined ? { timeline: seen.timeline } : {}),
      pendingRestart: pending.some((x) => x.name === m.name && (x.flagged || x.settings.length > 0)),
    };
  });
  const primary = view?.leader ?? "";
  if (!primary) drift.push("no primary");
  const running = drift.length === 0;
  return {
    host: "127.0.0.1",
    writePort: layout.ports.write,
    readPort: layout.ports.read,
    etcdPort: layout.ports.etcdClient,
    layout,
    primary,
    members,
    history,
    running,
    // A dead standby is drift to repair, not an outage: the endpoints still serve while there is a primary behind HAProxy.
    status: primary && !drift.includes("haproxy stopped") ? "RUNNING" : "FAILED",
    drift,
    pendingRestart: pendingNames(spec, pending),
    pendingValues: pendingValuesOf(spec, pendingNames(spec, pending)),
    instanceDir: p.dir,
    binDir,
  };
}

/**
 * A paused cluster: every member stopped as asked (PENDING), the leader and history remembered at
 * pause; anything still running is drift (FAILED), which the next update stops.
 */
function inspectPaused(spec: LocalClusterSpec, layout: ClusterLayout, binDir: string): LocalClusterState {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  const marker = pausedMarker(spec.dataRoot, spec.resourceId);
  const drift = pausedDrift(spec, layout);
  if (!marker) drift.push("not paused");
  return {
    host: "127.0.0.1",
    writePort: layout.ports.write,
    readPort: layout.ports.read,
    etcdPort: layout.ports.etcdClient,
    layout,
    primary: "",
    members: layout.members.map((m) => ({ name: m.name, role: m.name === marker?.leader ? ("primary" as const) : ("standby" as const), host: "127.0.0.1", port: m.pgPort, state: "stopped", pendingRestart: false })),
    history: marker?.history ?? [],
    running: false,
    status: drift.length === 0 ? "PENDING" : "FAILED",
    drift,
    pendingRestart: [],
    pendingValues: {},
    instanceDir: p.dir,
    binDir,
  };
}

/**
 * Stops every process of the cluster and removes its directory (a hard delete; soft delete is
 * softDelete.ts), then purges what expired on the data root. Idempotent.
 */
export async function destroyCluster(dataRoot: string, resourceId: string): Promise<void> {
  await discard(dataRoot, resourceId);
  cancelPurge(dataRoot, "cluster", resourceId);
  purgeExpired(dataRoot);
}
