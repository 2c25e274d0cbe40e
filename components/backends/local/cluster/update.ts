/**
 * Brings a running local cluster from one spec to another, and repairs drift on the way: dead
 * daemons are started again (a killed member rejoins, rewound by Patroni), standbys are added or
 * removed (HAProxy reloaded), parameters, timing and sync mode go through Patroni's dynamic
 * configuration, passwords and pg_hba are rewritten and reloaded, and the application role and
 * database follow the spec. Members with a pending restart are restarted, standbys first, only
 * when restarts.ts allows it now (the maintenance window, `applyImmediately`, a member this update
 * started or added, a setting that cannot wait); otherwise the restart stays pending and reported.
 * A paused cluster is resumed first (pause.ts) and a cluster asked paused is paused last.
 */
import * as fs from "fs";
import { ensureAppObjects, setPassword } from "../admin";
import { sameSetting } from "../config";
import { ServiceUser } from "../serviceUser";
import {
  LocalClusterState,
  awaitMembers,
  awaitSync,
  clusterContext,
  ensureSocketDir,
  inspectWith,
  layoutOf,
  newMember,
  restartHaproxy,
  withPrimary,
  writeHaproxyConfig,
  writeMarker,
  writeMemberConfig,
} from "./cluster";
import { clusterParameters, dynamicConfig } from "./config";
import { listenAddresses } from "../config";
import { daemonPid, waitUntil } from "./daemon";
import { pauseCluster, pausedMarker, resumeCluster } from "./pause";
import { memberAction, patchConfig, readView } from "./patroni";
import { startEtcd, startMember, stopMember } from "./processes";
import { awaitApplied, restartDue } from "./restarts";
import { ClusterLayout, LocalClusterSpec, REPLICATION_USER, clusterPaths, memberPaths } from "./spec";

/** Starts whatever of the cluster is not running (etcd, members, HAProxy); returns the members it started. */
export async function repairCluster(spec: LocalClusterSpec, layout: ClusterLayout, user: ServiceUser): Promise<string[]> {
  const p = clusterPaths(spec.dataRoot, spec.resourceId);
  await startEtcd(spec.dataRoot, spec.resourceId, layout, user);
  const started: string[] = [];
  for (const m of layout.members) {
    if (daemonPid(memberPaths(p.dir, m.name).pid, memberPaths(p.dir, m.name).config)) continue;
    startMember(p.dir, m, user);
    started.push(m.name);
  }
  if (!daemonPid(p.haproxyPid, p.haproxyCfg)) await restartHaproxy(spec, layout, user);
  return started;
}

/** Removes the member `name`: stops it and deletes its directory (Patroni drops its key and slot). */
async function removeMember(spec: LocalClusterSpec, name: string): Promise<void> {
  const dir = clusterPaths(spec.dataRoot, spec.resourceId).dir;
  await stopMember(dir, name);
  fs.rmSync(memberPaths(dir, name).dir, { recursive: true, force: true });
}

/** The dynamic-configuration patch from `old` to `spec`: changed settings, removed parameters as null. */
export function configPatch(old: LocalClusterSpec, spec: LocalClusterSpec): Record<string, unknown> | undefined {
  const before = dynamicConfig(old) as any;
  const after = dynamicConfig(spec) as any;
  const patch: Record<string, unknown> = {};
  for (const k of ["ttl", "loop_wait", "retry_timeout", "synchronous_mode", "synchronous_node_count"]) if (before[k] !== after[k]) patch[k] = after[k];
  const oldParams = clusterParameters(old);
  const newParams = clusterParameters(spec);
  const params: Record<string, string | null> = {};
  for (const k of new Set([...Object.keys(oldParams), ...Object.keys(newParams)])) {
    if (!sameSetting(oldParams[k], newParams[k])) params[k] = newParams[k] ?? null;
  }
  if (Object.keys(params).length > 0) patch.postgresql = { parameters: params };
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** The settings of `patch` (and where members listen, when their files changed) whose new values can be checked on each member. */
function expectedSettings(patch: Record<string, unknown> | undefined, spec: LocalClusterSpec, filesChanged: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const params = ((patch?.postgresql as any)?.parameters ?? {}) as Record<string, string | null>;
  for (const [k, v] of Object.entries(params)) if (v !== null) out[k] = v;
  if (filesChanged) out.listen_addresses = listenAddresses(spec.allowedCidrs);
  return out;
}

/** Brings the cluster from `old` to `spec` (same resource id and data root). */
export async function updateCluster(old: LocalClusterSpec, spec: LocalClusterSpec): Promise<LocalClusterState> {
  const { user, binDir, paths } = clusterContext(spec);
  const layout = layoutOf(spec.dataRoot, spec.resourceId);
  if (!layout) throw new Error(`the local cluster \`${spec.resourceId}\` is gone from ${paths.dir}; run \`pulumi refresh\` so it is created again`);
  // Paused and staying paused: only what still runs is stopped (the provider refuses other changes while paused).
  if (old.paused && spec.paused) {
    await pauseCluster(spec, layout);
    return inspectWith(spec, layout, binDir);
  }
  // Resuming (or a pause that stopped half-way): back up as it was, then the changes below apply as to a running cluster.
  if (old.paused || pausedMarker(spec.dataRoot, spec.resourceId)) {
    await resumeCluster(old, layout, user);
    await awaitMembers(layout, layout.members.map((m) => m.name));
    if (!daemonPid(paths.haproxyPid, paths.haproxyCfg)) await restartHaproxy(old, layout, user);
  }
  // Passwords first, while every member still logs in with the old ones.
  const superuserChanged = old.superuserPassword !== spec.superuserPassword;
  if (superuserChanged || old.replicationPassword !== spec.replicationPassword) {
    await withPrimary(old, layout, async (c) => {
      if (superuserChanged) await setPassword(c, spec.superuser, spec.superuserPassword);
      if (old.replicationPassword !== spec.replicationPassword) await setPassword(c, REPLICATION_USER, spec.replicationPassword);
    });
  }
  ensureSocketDir(spec, layout, user);
  const rewritten = layout.members.filter((m) => writeMemberConfig(spec, layout, m, binDir, user));
  const started = await repairCluster(spec, layout, user);
  for (const m of rewritten.filter((x) => !started.includes(x.name))) {
    // A reload makes Patroni re-read its file (pg_hba, credentials); the REST password it checks is the old one until then.
    await memberAction(m, "/reload", old.superuserPassword).catch(() => memberAction(m, "/reload", spec.superuserPassword));
  }
  await awaitMembers(layout, layout.members.map((m) => m.name));

  // Scale: add members on fresh ports, or remove standbys (never the primary), highest names first.
  const wanted = spec.standbys + 1;
  let membersChanged = false;
  const added: string[] = [];
  while (layout.members.length < wanted) {
    const m = await newMember(layout);
    layout.members.push(m);
    added.push(m.name);
    writeMemberConfig(spec, layout, m, binDir, user);
    startMember(paths.dir, m, user);
    membersChanged = true;
  }
  if (layout.members.length > wanted) {
    const view = await readView(layout.members);
    const removable = layout.members.filter((m) => m.name !== view?.leader).sort((a, b) => b.name.localeCompare(a.name, "en", { numeric: true }));
    for (const m of removable.slice(0, layout.members.length - wanted)) {
      await removeMember(spec, m.name);
      layout.members = layout.members.filter((x) => x.name !== m.name);
    }
    membersChanged = true;
  }
  if (membersChanged) {
    writeMarker(spec, layout);
    await awaitMembers(layout, layout.members.map((m) => m.name));
    if (writeHaproxyConfig(spec, layout, user)) await restartHaproxy(spec, layout, user);
  } else if (writeHaproxyConfig(spec, layout, user)) await restartHaproxy(spec, layout, user);

  const patch = configPatch(old, spec);
  if (patch) await patchConfig(layout.members, patch, spec.superuserPassword);
  if (patch || rewritten.length > 0) {
    // Patroni applies a configuration change on its next HA loop; give every member that long to take (or flag) it.
    await new Promise((r) => setTimeout(r, (Math.max(old.timing.loopWait, spec.timing.loopWait) * 2 + 1) * 1000));
    await awaitApplied(spec, layout, expectedSettings(patch, spec, rewritten.length > 0));
  }
  // A restart left pending by an earlier run (outside the window) is due as well once it is allowed.
  if ((await restartDue(spec, layout, [...started, ...added])).length > 0) await awaitMembers(layout, layout.members.map((m) => m.name));
  await withPrimary(spec, layout, (c) => ensureAppObjects(c, spec, old));
  await awaitSync(layout, spec.syncStandbys);
  await waitUntil("HAProxy's write pool to reach the primary", 30_000, () => withPrimary(spec, layout, async (c) => (await c.query("SELECT pg_is_in_recovery() AS r")).rows[0].r === false));
  if (spec.paused) await pauseCluster(spec, layout);
  return inspectWith(spec, layout, binDir);
}
