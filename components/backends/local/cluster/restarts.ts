/**
 * Restarts of a local cluster's members for changed parameters, confined to the maintenance window
 * (`lifecycle.maintenanceWindow`, as a local PgSingle's). A parameter that needs a restart is
 * written into Patroni's dynamic configuration at once; each member's PostgreSQL then holds it as
 * `pending_restart` (pg_settings) and Patroni flags the member. The members restart, standbys first
 * and the primary last, only when that is allowed now: inside the window, with `applyImmediately`,
 * for a member started or added by this very update (nothing served with its old values), or for a
 * setting that cannot wait (where the member listens). Otherwise the restart stays pending and is
 * reported (`pendingRestart`) until a run inside the window. Every member of the cluster's Patroni
 * scope takes the configuration, so the replicas a ReadReplicaSet adds to it (`nofailover`) wait
 * and restart with the standbys.
 *
 * Patroni 3.0.2 reports only a member's `pending_restart` flag (no reason): which parameters wait
 * is read from each member's own `pg_settings`.
 */
import { withAdmin } from "../admin";
import { sameSetting } from "../config";
import { inWindow, maintenanceNow } from "../maintenance/window";
import { clusterParameters } from "./config";
import { waitUntil } from "./daemon";
import { PatroniView, memberAction, readView } from "./patroni";
import { ClusterLayout, ClusterMember, LocalClusterSpec } from "./spec";

/** Settings whose pending restart never waits for the window: where a member listens and its private socket. */
export const NEVER_DEFERRED: readonly string[] = ["listen_addresses", "port", "unix_socket_directories", "unix_socket_permissions"];

/** Whether a restart that a parameter change needs may happen now (always, without a window). */
export function clusterRestartAllowedNow(spec: Pick<LocalClusterSpec, "maintenanceWindow" | "applyImmediately">, now: Date = maintenanceNow()): boolean {
  return spec.applyImmediately === true || !spec.maintenanceWindow || inWindow(spec.maintenanceWindow, now);
}

/** One member's pending restart: Patroni's flag and the settings its PostgreSQL holds for a restart (lower case). */
export interface MemberPending {
  name: string;
  /** Its PostgreSQL and REST ports on 127.0.0.1. */
  pgPort: number;
  restPort: number;
  leader: boolean;
  /** Patroni's `pending_restart` flag for the member. */
  flagged: boolean;
  /** `pg_settings` rows with `pending_restart`, lower-case names, sorted. */
  settings: string[];
}

/** The settings member `m` holds for a restart, or undefined when its PostgreSQL cannot be asked. */
async function pendingSettingsOf(spec: LocalClusterSpec, m: Pick<ClusterMember, "pgPort">): Promise<string[] | undefined> {
  try {
    const login = { port: m.pgPort, superuser: spec.superuser, password: spec.superuserPassword };
    const rows = await withAdmin(login, async (c) => (await c.query("SELECT lower(name) AS name FROM pg_settings WHERE pending_restart ORDER BY 1")).rows);
    return rows.map((r: any) => String(r.name));
  } catch {
    return undefined;
  }
}

/**
 * Every running member's pending restart, as Patroni (`view`) and the member's PostgreSQL report it:
 * the cluster's own members (ports from `layout`) and any other member of its scope (ports from Patroni).
 */
export async function pendingByMember(spec: LocalClusterSpec, layout: ClusterLayout, view: PatroniView | undefined): Promise<MemberPending[]> {
  const out: MemberPending[] = [];
  for (const seen of view?.members ?? []) {
    if (seen.state !== "running" && seen.state !== "streaming") continue;
    const own = layout.members.find((m) => m.name === seen.name);
    const ports = own ?? (seen.port && seen.restPort ? { pgPort: seen.port, restPort: seen.restPort } : undefined);
    if (!ports) continue;
    const settings = (await pendingSettingsOf(spec, ports)) ?? [];
    out.push({ name: seen.name, pgPort: ports.pgPort, restPort: ports.restPort, leader: seen.role === "leader", flagged: seen.pendingRestart, settings });
  }
  return out;
}

/** The `pendingRestart` output: the settings any member waits to restart for, spelled as the spec spells them, sorted. */
export function pendingNames(spec: LocalClusterSpec, pending: readonly MemberPending[]): string[] {
  const byLower = new Map(Object.keys(clusterParameters(spec)).map((k) => [k.toLowerCase(), k]));
  const names = new Set(pending.flatMap((p) => p.settings).map((s) => byLower.get(s) ?? s));
  return [...names].sort();
}

/** The `pendingValues` output: the values written for the pending settings the spec sets. */
export function pendingValuesOf(spec: LocalClusterSpec, names: readonly string[]): Record<string, string> {
  const params = clusterParameters(spec);
  const out: Record<string, string> = {};
  for (const k of names) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

/**
 * Waits (up to `timeoutMs`) until every running member runs `expected` or holds it for a restart:
 * Patroni applies a new configuration on its next HA loop, each member on its own. Gives up quietly
 * (a member that lags is restarted, if due, by the next run).
 */
export async function awaitApplied(spec: LocalClusterSpec, layout: ClusterLayout, expected: Record<string, string>, timeoutMs = 20_000): Promise<void> {
  const keys = Object.keys(expected);
  if (keys.length === 0) return;
  const applied = async (m: ClusterMember): Promise<boolean> => {
    const login = { port: m.pgPort, superuser: spec.superuser, password: spec.superuserPassword };
    const rows = await withAdmin(login, async (c) => (await c.query("SELECT name, current_setting(name) AS v, pending_restart AS p FROM pg_settings WHERE lower(name) = ANY($1)", [keys.map((k) => k.toLowerCase())])).rows);
    return keys.every((k) => rows.some((r: any) => r.name.toLowerCase() === k.toLowerCase() && (r.p === true || sameSetting(r.v, expected[k]))));
  };
  await waitUntil("every member to take the new configuration", timeoutMs, async () => {
    const view = await readView(layout.members);
    const running = layout.members.filter((m) => view?.members.some((x) => x.name === m.name && (x.state === "running" || x.state === "streaming")));
    for (const m of running) if (!(await applied(m))) return false;
    return true;
  }, 250).catch(() => undefined);
}

/** Which members restart now: every pending one when allowed, else the fresh ones and those a setting that cannot wait holds. */
export function restartsDue(pending: readonly MemberPending[], allowedNow: boolean, fresh: readonly string[]): MemberPending[] {
  const due = pending.filter((p) => (p.flagged || p.settings.length > 0) && (allowedNow || fresh.includes(p.name) || p.settings.some((s) => NEVER_DEFERRED.includes(s))));
  // Standbys first, the primary last: a standby must never run lower limits (max_connections, ...) than its primary.
  return [...due].sort((a, b) => Number(a.leader) - Number(b.leader) || a.name.localeCompare(b.name, "en", { numeric: true }));
}

/**
 * Restarts the members whose restart is due (see {@link restartsDue}), one at a time, each back
 * and serving before the next; returns their names in the order restarted.
 */
export async function restartDue(spec: LocalClusterSpec, layout: ClusterLayout, fresh: readonly string[], now: Date = maintenanceNow()): Promise<string[]> {
  const pending = await pendingByMember(spec, layout, await readView(layout.members));
  const due = restartsDue(pending, clusterRestartAllowedNow(spec, now), fresh);
  for (const p of due) {
    const member = { name: p.name, pgPort: p.pgPort, restPort: p.restPort };
    // Unconditional: Patroni sets its flag a second after PostgreSQL's, and its conditional restart would refuse meanwhile.
    await memberAction(member, "/restart", spec.superuserPassword, {});
    await waitUntil(`member ${p.name} to run again after its restart`, 120_000, async () => {
      const view = await readView(layout.members);
      const seen = view?.members.find((x) => x.name === p.name);
      return !!view?.leader && !!seen && (seen.state === "running" || seen.state === "streaming") && (seen.role === "leader" || seen.lagBytes !== undefined);
    }, 250);
  }
  return due.map((p) => p.name);
}
