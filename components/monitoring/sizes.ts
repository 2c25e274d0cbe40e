/**
 * Storage figures: bytes per database, bytes per schema and tables per schema. Sizes are what the
 * files take on disk, in bytes, as PostgreSQL's size functions report them.
 */
import { Queryable, count, num, userSchemasOnly } from "./query";

/** The size of one database. */
export interface DatabaseSize {
  database: string;
  /**
   * `pg_database_size`, in bytes; `null` when the caller may not connect to the database and is
   * not a member of `pg_read_all_stats`.
   */
  bytes: number | null;
}

/** Every database of the server and its size, largest first. Databases left invalid by an interrupted `DROP DATABASE` are skipped. */
export async function databaseSizes(client: Queryable): Promise<DatabaseSize[]> {
  const rows = (
    await client.query(
      `SELECT datname AS database,
              CASE WHEN has_database_privilege(oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'USAGE')
                   THEN pg_database_size(oid) END AS bytes
         FROM pg_database
        WHERE datconnlimit <> -2
        ORDER BY bytes DESC NULLS LAST, datname`,
    )
  ).rows;
  return rows.map((r) => ({ database: r.database, bytes: num(r.bytes) }));
}

/**
 * The relation kinds whose `pg_total_relation_size` makes up a schema's size: tables, materialized
 * views and sequences. A table's total already holds its indexes and TOAST data, so indexes and
 * TOAST tables are not counted again; partitioned tables and their indexes hold no storage (their
 * partitions are counted in their own schema).
 */
export const SIZED_RELKINDS = ["r", "m", "S"] as const;

/**
 * SQL for the size of the schemas named in `$1` (a `text[]`) of the connected database, in
 * bytes: one row `(schema, bytes, relations)` per schema that exists. Shared with the tenant
 * storage quota, so a quota and the monitoring figures always agree.
 */
export const SCHEMA_SIZE_SQL = `
  SELECT n.nspname AS schema,
         coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes,
         count(c.oid) AS relations
    FROM pg_namespace n
    LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN (${SIZED_RELKINDS.map((k) => `'${k}'`).join(", ")})
   WHERE n.nspname = ANY($1::text[])
   GROUP BY n.nspname`;

/** The size of one schema of the connected database. */
export interface SchemaSize {
  schema: string;
  /** Sum of `pg_total_relation_size` of its tables, materialized views and sequences (see {@link SIZED_RELKINDS}), in bytes. */
  bytes: number;
  /** How many relations were summed. */
  relations: number;
}

/**
 * Every schema of the database `client` is connected to and its size, largest first.
 * PostgreSQL's own schemas (`pg_catalog`, `information_schema`, `pg_toast`, temporary schemas)
 * are left out unless `includeSystem` is true.
 */
export async function schemaSizes(client: Queryable, opts: { includeSystem?: boolean } = {}): Promise<SchemaSize[]> {
  const names = (await client.query(`SELECT nspname FROM pg_namespace n${opts.includeSystem ? "" : ` WHERE ${userSchemasOnly("n")}`}`)).rows.map((r) => r.nspname);
  const rows = (await client.query(SCHEMA_SIZE_SQL, [names])).rows;
  return rows
    .map((r) => ({ schema: r.schema as string, bytes: count(r.bytes), relations: count(r.relations) }))
    .sort((a, b) => b.bytes - a.bytes || a.schema.localeCompare(b.schema));
}

/** How many tables one schema of the connected database holds. */
export interface TableCount {
  schema: string;
  /** Tables (ordinary and partitioned), partitions not included. */
  tables: number;
  /** Partitions of partitioned tables. */
  partitions: number;
}

/**
 * Tables per schema of the database `client` is connected to, by schema name; schemas without
 * tables are listed with 0. PostgreSQL's own schemas are left out unless `includeSystem` is true.
 */
export async function tableCounts(client: Queryable, opts: { includeSystem?: boolean } = {}): Promise<TableCount[]> {
  const rows = (
    await client.query(
      `SELECT n.nspname AS schema,
              count(c.oid) FILTER (WHERE NOT c.relispartition) AS tables,
              count(c.oid) FILTER (WHERE c.relispartition) AS partitions
         FROM pg_namespace n
         LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
        ${opts.includeSystem ? "" : `WHERE ${userSchemasOnly("n")}`}
        GROUP BY n.nspname
        ORDER BY n.nspname`,
    )
  ).rows;
  return rows.map((r) => ({ schema: r.schema, tables: count(r.tables), partitions: count(r.partitions) }));
}
