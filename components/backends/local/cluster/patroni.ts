/**
 * What a local cluster's Patroni REST API tells and does: who is primary, each member's state and
 * lag (`/cluster`), the failover history (`/history`), dynamic configuration (`PATCH /config`),
 * restarts and reloads. Unsafe calls carry the REST user's credentials.
 */
import { callRest } from "./rest";
import { ClusterMember, REST_USER } from "./spec";

/** One member as `/cluster` reports it. */
export interface PatroniMember {
  name: string;
  /** `leader`, `sync_standby` or `replica` (Patroni's words). */
  role: string;
  state: string;
  host?: string;
  port?: number;
  /** The port of the member's REST API (from its `api_url`). */
  restPort?: number;
  timeline?: number;
  /** Bytes behind the leader, or undefined when Patroni cannot tell. */
  lagBytes?: number;
  pendingRestart: boolean;
  nofailover: boolean;
}

/** The cluster as one live member's Patroni sees it. */
export interface PatroniView {
  members: PatroniMember[];
  leader?: string;
  paused: boolean;
}

/** One entry of Patroni's history: a timeline that ended, where, why, when, and who led next. */
export interface FailoverEvent {
  /** The timeline that ended (the new leader runs on `timeline + 1`). */
  timeline: number;
  /** Where it ended, as an LSN (`0/3000060`). */
  lsn: string;
  reason: string;
  at?: string;
  newLeader?: string;
}

/** An LSN from Patroni's integer form. */
export function lsnOf(n: number): string {
  const hi = Math.floor(n / 2 ** 32);
  const lo = n - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** The first member whose REST API answers `GET path` with 200, and the body; undefined when none does. */
async function askAny(members: readonly ClusterMember[], urlPath: string): Promise<any | undefined> {
  for (const m of members) {
    try {
      const r = await callRest(m.restPort, "GET", urlPath, { timeoutMs: 2_000 });
      if (r.status === 200) return r.body;
    } catch {
      /* next member */
    }
  }
  return undefined;
}

/** The cluster as Patroni sees it, or undefined when no member's Patroni answers. */
export async function readView(members: readonly ClusterMember[]): Promise<PatroniView | undefined> {
  const body = await askAny(members, "/cluster");
  if (!body || !Array.isArray(body.members)) return undefined;
  const out: PatroniMember[] = body.members.map((m: any) => ({
    name: String(m.name),
    role: String(m.role),
    state: String(m.state),
    host: m.host,
    port: m.port,
    ...(/:(\d+)\//.test(String(m.api_url ?? "")) ? { restPort: Number(/:(\d+)\//.exec(String(m.api_url))![1]) } : {}),
    timeline: typeof m.timeline === "number" ? m.timeline : undefined,
    lagBytes: typeof m.lag === "number" ? m.lag : m.role === "leader" ? 0 : undefined,
    pendingRestart: m.pending_restart === true,
    nofailover: m.tags?.nofailover === true,
  }));
  return { members: out, leader: out.find((m) => m.role === "leader")?.name, paused: body.pause === true };
}

/** Patroni's failover history (oldest first), or undefined when no member answers. */
export async function readHistory(members: readonly ClusterMember[]): Promise<FailoverEvent[] | undefined> {
  const body = await askAny(members, "/history");
  if (!Array.isArray(body)) return undefined;
  return body.map((e: any[]) => ({
    timeline: Number(e[0]),
    lsn: typeof e[1] === "number" ? lsnOf(e[1]) : String(e[1]),
    reason: String(e[2] ?? ""),
    ...(e[3] ? { at: new Date(e[3]).toISOString() } : {}),
    ...(e[4] ? { newLeader: String(e[4]) } : {}),
  }));
}

/** PATCHes Patroni's dynamic configuration through the first member that takes it. */
export async function patchConfig(members: readonly ClusterMember[], patch: Record<string, unknown>, password: string): Promise<void> {
  let last = "no member answered";
  for (const m of members) {
    try {
      const r = await callRest(m.restPort, "PATCH", "/config", { body: patch, auth: { username: REST_USER, password }, timeoutMs: 5_000 });
      if (r.status === 200) return;
      last = `member ${m.name} answered ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
  }
  throw new Error(`could not change the cluster's dynamic configuration: ${last}`);
}

/** Asks one member's Patroni to do something (`/restart`, `/reload`); throws with its answer when it refuses. */
export async function memberAction(m: ClusterMember, urlPath: string, password: string, body: unknown = {}): Promise<void> {
  const r = await callRest(m.restPort, "POST", urlPath, { body, auth: { username: REST_USER, password }, timeoutMs: 60_000 });
  if (r.status < 200 || r.status >= 300) throw new Error(`member ${m.name} refused ${urlPath}: ${r.status} ${typeof r.body === "string" ? r.body.trim() : JSON.stringify(r.body)}`);
}
