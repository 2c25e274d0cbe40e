/**
 * What the collectors need from a `pg` client, and the conversions they share. `pg` returns
 * `bigint` and `numeric` columns as strings; the collectors hand back JavaScript numbers (byte
 * counts stay exact below 2^53 bytes, 8 PiB) and timestamps as ISO 8601 strings.
 */

/** Anything with `pg`'s `query(text, values)`: a `pg.Client`, a pooled client or a `pg.Pool`. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** A number from a `bigint`/`numeric`/`int` column; `null` stays `null`. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A number from a column that is never null (a count, a size). */
export function count(v: unknown): number {
  return num(v) ?? 0;
}

/** An ISO 8601 string from a `timestamptz` column; `null` stays `null`. */
export function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}

/** Rounds to `digits` decimals (percentages and ratios are reported to 2 and 4 decimals). */
export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * SQL condition that leaves out PostgreSQL's own schemas and the temporary ones; `ns` is the
 * alias of `pg_namespace` (or any relation with an `nspname` column).
 */
export function userSchemasOnly(ns: string): string {
  return `${ns}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND ${ns}.nspname !~ '^pg_(toast_)?temp_'`;
}
