/**
 * Connection slots: how many of `max_connections` are in use, what is held back, and who uses
 * them, from `pg_stat_activity`.
 */
import { Queryable, count, round } from "./query";

/** Connection figures of one server. All counts are numbers of sessions. */
export interface ConnectionFigures {
  /** `max_connections`: the slots for client sessions. */
  maxConnections: number;
  /** `superuser_reserved_connections`: slots only superusers may take. */
  superuserReserved: number;
  /** `reserved_connections` (PostgreSQL 16+, for members of `pg_use_reserved_connections`); 0 on 15. */
  roleReserved: number;
  /** Client sessions now (backend type `client backend`), the caller's own included. */
  used: number;
  /** Slots an ordinary role can still take: `maxConnections - superuserReserved - roleReserved - used`, at least 0. */
  available: number;
  /** `used` in percent of `maxConnections`, to 2 decimals. */
  usedPercent: number;
  /** WAL sender sessions (streaming standbys, pg_basebackup); they use `max_wal_senders`, not these slots. */
  replicationConnections: number;
  /** Client sessions per database, most first. */
  byDatabase: { database: string; connections: number }[];
  /** Client sessions per role, most first. */
  byRole: { role: string; connections: number }[];
  /**
   * Client sessions per state (`active`, `idle`, `idle in transaction`, ...), most first. A session
   * the caller may not inspect (another role's, without `pg_read_all_stats`) counts as `unknown`.
   */
  byState: { state: string; connections: number }[];
}

function tally<K extends string>(rows: any[], column: string, key: K): ({ connections: number } & Record<K, string>)[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r[column], (totals.get(r[column]) ?? 0) + count(r.n));
  return [...totals]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([k, n]) => ({ [key]: k, connections: n }) as { connections: number } & Record<K, string>);
}

/**
 * Reads the connection figures of the server `client` is connected to. Call it as a superuser or
 * a member of `pg_monitor` to see every session's state.
 */
export async function connections(client: Queryable): Promise<ConnectionFigures> {
  const limits = (
    await client.query(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS su,
              coalesce((SELECT setting::int FROM pg_settings WHERE name = 'reserved_connections'), 0) AS rr`,
    )
  ).rows[0];
  const rows = (
    await client.query(
      `SELECT coalesce(datname, '') AS database, coalesce(usename, '') AS role, coalesce(state, 'unknown') AS state,
              backend_type = 'walsender' AS walsender, count(*) AS n
         FROM pg_stat_activity
        WHERE backend_type IN ('client backend', 'walsender')
        GROUP BY 1, 2, 3, 4`,
    )
  ).rows;
  const clients = rows.filter((r) => !r.walsender);
  const used = clients.reduce((s, r) => s + count(r.n), 0);
  const max = count(limits.max);
  const su = count(limits.su);
  const rr = count(limits.rr);
  return {
    maxConnections: max,
    superuserReserved: su,
    roleReserved: rr,
    used,
    available: Math.max(0, max - su - rr - used),
    usedPercent: max > 0 ? round((used / max) * 100, 2) : 0,
    replicationConnections: rows.filter((r) => r.walsender).reduce((s, r) => s + count(r.n), 0),
    byDatabase: tally(clients, "database", "database"),
    byRole: tally(clients, "role", "role"),
    byState: tally(clients, "state", "state"),
  };
}
