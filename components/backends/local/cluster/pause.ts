/**
 * Pausing and resuming a local cluster (`lifecycle.state: paused`). Pause: Patroni's maintenance
 * mode (`PATCH /config {"pause": true}`, so stopping the primary starts no failover), then HAProxy,
 * the primary, the standbys and etcd are stopped; data, ports and etcd's state are kept, and
 * `paused.json` remembers the leader and Patroni's history. Resume: etcd, the former leader's
 * PostgreSQL as it last ran (its `postmaster.opts`) and its Patroni, which takes the leader key of
 * a running primary without a promotion (no new timeline), then the other members' Patroni,
 * Patroni unpaused (the standbys start and follow), HAProxy. Pure Node (serialized by the provider).
 */
import * as fs from "fs";
import * as path from "path";
import { runningPostmaster } from "../process";
import { ServiceUser } from "../serviceUser";
import { daemonPid, startDaemon, stopDaemon, tail, waitUntil } from "./daemon";
import { FailoverEvent, patchConfig, readHistory, readView } from "./patroni";
import { memberPid, portOpen, startEtcd, startMember, stopMember } from "./processes";
import { callRest } from "./rest";
import { ClusterLayout, ClusterMember, LocalClusterSpec, clusterPaths, memberPaths } from "./spec";

/** What a paused cluster remembers: who led, and Patroni's history (no Patroni answers while paused). */
export interface PausedMarker {
  leader: string;
  history: FailoverEvent[];
}

function markerFile(dataRoot: string, resourceId: string): string {
  return path.join(clusterPaths(dataRoot, resourceId).dir, "paused.json");
}

/** The paused marker, or undefined when the cluster is not paused. */
export function pausedMarker(dataRoot: string, resourceId: string): PausedMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(markerFile(dataRoot, resourceId), "utf8"));
  } catch {
    return undefined;
  }
}

/** What of a paused cluster still runs, as drift sentences (empty when all is stopped, as asked). */
export function pausedDrift(spec: LocalClusterSpec, layout: ClusterLayout): string[] {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  const out: string[] = [];
  if (daemonPid(p.etcdPid, p.etcdData)) out.push("etcd running while paused");
  if (daemonPid(p.haproxyPid, p.haproxyCfg)) out.push("haproxy running while paused");
  out.push(...membersRunningWhilePaused(p.dir, layout.members, "member"));
  return out;
}

/** `<word> <name>: patroni|postgres running while paused` for each Patroni or postmaster of `members` (under `dir`) that runs. */
export function membersRunningWhilePaused(dir: string, members: readonly { name: string }[], word: string): string[] {
  const out: string[] = [];
  for (const m of members) {
    if (memberPid(dir, m.name) !== undefined) out.push(`${word} ${m.name}: patroni running while paused`);
    if (runningPostmaster(memberPaths(dir, m.name).dataDir)) out.push(`${word} ${m.name}: postgres running while paused`);
  }
  return out;
}

/** Asks every running member's Patroni until each reports maintenance mode (`GET /patroni` → `pause: true`). */
async function awaitPaused(members: readonly ClusterMember[], timeoutMs = 30_000): Promise<void> {
  await waitUntil("every member's Patroni to enter maintenance mode", timeoutMs, async () => {
    for (const m of members) {
      const r = await callRest(m.restPort, "GET", "/patroni", { timeoutMs: 2_000 }).catch(() => undefined);
      if (r && r.status === 200 && r.body?.pause !== true) return false;
    }
    return true;
  }, 200);
}

/**
 * Pauses a cluster: maintenance mode, then every process stopped (HAProxy, the primary, the
 * standbys, etcd). Idempotent: a cluster already stopped only has what still runs stopped.
 */
export async function pauseCluster(spec: LocalClusterSpec, layout: ClusterLayout): Promise<void> {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  const view = await readView(layout.members);
  const known = pausedMarker(spec.dataRoot, spec.resourceId);
  if (view) {
    const history = (await readHistory(layout.members)) ?? known?.history ?? [];
    const leader = view.leader ?? known?.leader ?? "";
    if (!view.paused) await patchConfig(layout.members, { pause: true }, spec.superuserPassword);
    await awaitPaused(layout.members);
    fs.writeFileSync(markerFile(spec.dataRoot, spec.resourceId), JSON.stringify({ leader, history }, null, 2) + "\n", { mode: 0o644 });
  } else if (!known) {
    // No Patroni answers (all stopped already): no leader to prefer at resume; Patroni elects one.
    fs.writeFileSync(markerFile(spec.dataRoot, spec.resourceId), JSON.stringify({ leader: "", history: [] }, null, 2) + "\n", { mode: 0o644 });
  }
  await stopDaemon(p.haproxyPid, p.haproxyCfg, "SIGTERM", 5_000);
  // The primary first (its shutdown checkpoint reaches the standbys), then the standbys: nothing is promoted in maintenance mode.
  const leader = pausedMarker(spec.dataRoot, spec.resourceId)?.leader;
  const ordered = [...layout.members].sort((a, b) => (a.name === leader ? -1 : b.name === leader ? 1 : 0));
  if (ordered[0]?.name === leader) await stopMember(p.dir, ordered.shift()!.name);
  await Promise.all(ordered.map((m) => stopMember(p.dir, m.name)));
  await stopDaemon(p.etcdPid, p.etcdData, "SIGTERM", 10_000);
}

/** The arguments PostgreSQL last ran with (`postmaster.opts`: the binary, then double-quoted arguments). */
function lastOptions(dataDir: string): { bin: string; args: string[] } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, "postmaster.opts"), "utf8").trim();
  } catch {
    return undefined;
  }
  const bin = text.split(/\s+/)[0];
  const args = [...text.slice(bin.length).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
  return bin && args.length > 0 ? { bin, args } : undefined;
}

/** Starts the former leader's PostgreSQL as a primary, as it last ran, when its data is a primary's (no standby.signal). */
async function startFormerPrimary(clusterDir: string, m: ClusterMember, user: ServiceUser): Promise<boolean> {
  const mp = memberPaths(clusterDir, m.name);
  if (!fs.existsSync(mp.dataDir) || fs.existsSync(path.join(mp.dataDir, "standby.signal"))) return false;
  if (runningPostmaster(mp.dataDir)) return true;
  const opts = lastOptions(mp.dataDir);
  if (!opts) return false;
  fs.rmSync(path.join(mp.dataDir, "postmaster.pid"), { force: true });
  const pidFile = path.join(mp.dir, "resume-postgres.pid");
  startDaemon({ bin: opts.bin, args: opts.args, logFile: path.join(mp.dir, "postgres-resume.log"), pidFile, marker: mp.dataDir, cwd: mp.dir }, user);
  fs.rmSync(pidFile, { force: true });
  await waitUntil(`member ${m.name}'s PostgreSQL to accept connections`, 60_000, () => portOpen(m.pgPort), 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${tail(path.join(mp.dir, "postgres-resume.log"))}`);
  });
  return true;
}

/**
 * Resumes a paused cluster up to a primary under Patroni with every member running (HAProxy is the
 * caller's: repairCluster starts it). The former leader leads again when its data allows.
 */
export async function resumeCluster(spec: LocalClusterSpec, layout: ClusterLayout, user: ServiceUser): Promise<void> {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  const marker = pausedMarker(spec.dataRoot, spec.resourceId);
  await startEtcd(spec.dataRoot, spec.resourceId, layout, user);
  const former = layout.members.find((m) => m.name === marker?.leader);
  if (former && (await startFormerPrimary(p.dir, former, user))) {
    if (!memberPid(p.dir, former.name)) startMember(p.dir, former, user);
    // In maintenance mode Patroni takes the leader key of a running primary as it is: no promotion, no new timeline.
    await waitUntil(`member ${former.name} to take the leader key again`, 60_000, async () => (await readView(layout.members))?.leader === former.name, 250).catch((err) => {
      throw new Error(`${err.message}\n${tail(memberPaths(p.dir, former.name).log)}`);
    });
  }
  for (const m of layout.members) if (!memberPid(p.dir, m.name)) startMember(p.dir, m, user);
  await waitUntil("a member's Patroni to answer", 60_000, async () => (await readView(layout.members)) !== undefined, 250);
  await patchConfig(layout.members, { pause: false }, spec.superuserPassword);
  await waitUntil("Patroni to leave maintenance mode", 30_000, async () => (await readView(layout.members))?.paused === false, 250);
  fs.rmSync(markerFile(spec.dataRoot, spec.resourceId), { force: true });
}
