/**
 * Vacuum and analyze history per table, from `pg_stat_user_tables` of the connected database.
 * Counters are cumulative since the statistics were last reset; PostgreSQL 15+ writes them out
 * shortly after each transaction (within about a second), so a change shows up with that delay.
 */
import { Queryable, count, iso } from "./query";

/** The maintenance figures of one table. Timestamps are ISO 8601 strings, `null` when it never happened. */
export interface TableMaintenance {
  schema: string;
  table: string;
  /** Estimated live rows. */
  liveTuples: number;
  /** Estimated dead rows: deleted or updated away, not yet vacuumed. */
  deadTuples: number;
  /** Rows changed since the last analyze. */
  modifiedSinceAnalyze: number;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  vacuumCount: number;
  autovacuumCount: number;
  analyzeCount: number;
  autoanalyzeCount: number;
}

/** Every user table of the connected database, by schema and name; `schema` limits it to one schema. */
export async function maintenance(client: Queryable, opts: { schema?: string } = {}): Promise<TableMaintenance[]> {
  const rows = (
    await client.query(
      `SELECT schemaname, relname, n_live_tup, n_dead_tup, n_mod_since_analyze,
              last_vacuum, last_autovacuum, last_analyze, last_autoanalyze,
              vacuum_count, autovacuum_count, analyze_count, autoanalyze_count
         FROM pg_stat_user_tables
        WHERE $1::text IS NULL OR schemaname = $1
        ORDER BY schemaname, relname`,
      [opts.schema ?? null],
    )
  ).rows;
  return rows.map((r) => ({
    schema: r.schemaname,
    table: r.relname,
    liveTuples: count(r.n_live_tup),
    deadTuples: count(r.n_dead_tup),
    modifiedSinceAnalyze: count(r.n_mod_since_analyze),
    lastVacuum: iso(r.last_vacuum),
    lastAutovacuum: iso(r.last_autovacuum),
    lastAnalyze: iso(r.last_analyze),
    lastAutoanalyze: iso(r.last_autoanalyze),
    vacuumCount: count(r.vacuum_count),
    autovacuumCount: count(r.autovacuum_count),
    analyzeCount: count(r.analyze_count),
    autoanalyzeCount: count(r.autoanalyze_count),
  }));
}
