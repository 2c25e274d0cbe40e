/**
 * A table-bloat ESTIMATE from the planner's statistics, without reading a single table page.
 *
 * The well-known approach of the PostgreSQL wiki's "Show database bloat" and Jehan-Guillaume de
 * Rorthais' `pgsql-bloat-estimation` (table/table_bloat.sql): from `pg_stats` (average width and
 * null fraction of each column) it computes the average tuple size (23-byte header plus null
 * bitmap, data, both aligned to 8 bytes, plus a 4-byte line pointer), from `pg_class.reltuples`
 * how many pages the live rows need at the table's fillfactor (plus a TOAST page per 4 TOAST
 * tuples), and compares that with the pages the table has (`relpages`, TOAST included). The
 * difference is space held by dead tuples and free space that VACUUM has not given back.
 *
 * It is an estimate: only as fresh as the last ANALYZE/VACUUM, off for columns without statistics,
 * for `name` columns (whose average width statistics are misleading), and by alignment padding
 * inside rows. Use `pgstattuple` for exact figures.
 */
import { Queryable, count, round, userSchemasOnly } from "./query";

/** The bloat estimate of one table or materialized view. */
export interface BloatEstimate {
  schema: string;
  table: string;
  /** Pages the table holds now (heap and TOAST), in bytes. */
  actualBytes: number;
  /** Pages its live rows would need at its fillfactor, in bytes. */
  expectedBytes: number;
  /** Estimated wasted bytes: `actualBytes - expectedBytes`, at least 0. */
  wastedBytes: number;
  /** `wastedBytes / actualBytes`, from 0 to 1, to 4 decimals. */
  wastedRatio: number;
  /** The table's fillfactor in percent (100 unless set). */
  fillfactor: number;
  /** Live rows as the statistics count them (`pg_class.reltuples`). */
  estimatedRows: number;
  /** False when a column lacks statistics (never analyzed) or is of type `name`: the estimate is then less trustworthy. */
  reliable: boolean;
}

/**
 * Estimates bloat for every table and materialized view of the connected database that has pages
 * and statistics of its row count (`reltuples` is -1 until the first VACUUM or ANALYZE), most
 * wasted bytes first. PostgreSQL's own schemas are left out; `schema` limits it to one schema.
 * The caller sees statistics only of tables it may read.
 */
export async function bloatEstimate(client: Queryable, opts: { schema?: string } = {}): Promise<BloatEstimate[]> {
  const rows = (
    await client.query(
      `WITH tables AS (
         SELECT ns.nspname AS schema, tbl.relname AS "table", tbl.reltuples, tbl.relpages AS heap_pages,
                coalesce(toast.relpages, 0) AS toast_pages, greatest(coalesce(toast.reltuples, 0), 0) AS toast_tuples,
                coalesce((SELECT substring(o FROM '^fillfactor=([0-9]+)$')::int FROM unnest(tbl.reloptions) o
                           WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
                current_setting('block_size')::numeric AS bs,
                23 + CASE WHEN max(coalesce(s.null_frac, 0)) > 0 THEN (7 + count(*)) / 8 ELSE 0 END AS tuple_header,
                sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) AS tuple_data,
                count(s.attname) = count(*) AND NOT bool_or(a.atttypid = 'pg_catalog.name'::regtype) AS reliable
           FROM pg_class tbl
           JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
           JOIN pg_attribute a ON a.attrelid = tbl.oid AND a.attnum > 0 AND NOT a.attisdropped
           LEFT JOIN pg_stats s ON s.schemaname = ns.nspname AND s.tablename = tbl.relname
                               AND s.attname = a.attname AND NOT s.inherited
           LEFT JOIN pg_class toast ON toast.oid = tbl.reltoastrelid
          WHERE tbl.relkind IN ('r', 'm') AND tbl.relpages > 0 AND tbl.reltuples >= 0
            AND ${userSchemasOnly("ns")} AND ($1::text IS NULL OR ns.nspname = $1)
          GROUP BY ns.nspname, tbl.relname, tbl.reltuples, tbl.relpages, toast.relpages, toast.reltuples, tbl.reloptions
       ), sized AS (
         SELECT *, 4 + 8 * ceil(tuple_header / 8.0) + 8 * ceil(tuple_data / 8.0) AS tuple_size,
                heap_pages + toast_pages AS pages
           FROM tables
       ), estimated AS (
         SELECT *, ceil(reltuples / ((bs - 24) * fillfactor / (100 * tuple_size))) + ceil(toast_tuples / 4) AS expected_pages
           FROM sized
       )
       SELECT schema, "table", reltuples, fillfactor, reliable,
              pages * bs AS actual_bytes,
              expected_pages * bs AS expected_bytes,
              greatest(pages - expected_pages, 0) * bs AS wasted_bytes
         FROM estimated
        ORDER BY wasted_bytes DESC, schema, "table"`,
      [opts.schema ?? null],
    )
  ).rows;
  return rows.map((r) => {
    const actual = count(r.actual_bytes);
    const wasted = count(r.wasted_bytes);
    return {
      schema: r.schema,
      table: r.table,
      actualBytes: actual,
      expectedBytes: count(r.expected_bytes),
      wastedBytes: wasted,
      wastedRatio: actual > 0 ? round(wasted / actual, 4) : 0,
      fillfactor: count(r.fillfactor),
      estimatedRows: Math.round(count(r.reltuples)),
      reliable: r.reliable === true,
    };
  });
}
