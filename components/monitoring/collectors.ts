/**
 * Live figures of a PostgreSQL server (15 to 18), read over SQL with any `pg` client: connection
 * slots, database and schema sizes, tables per schema, a table-bloat estimate, replication lag and
 * vacuum/analyze history. Each collector is one or two catalogue queries, takes no locks on user
 * tables, and returns plain typed data (bytes as numbers, seconds as numbers, timestamps as ISO
 * 8601 strings) that a dashboard, an alert or a provider can use as it is.
 *
 * Server-wide: {@link connections}, {@link databaseSizes}, {@link replicationLag}.
 * Per connected database: {@link schemaSizes}, {@link tableCounts}, {@link bloatEstimate},
 * {@link maintenance}. Connect as a superuser or a member of `pg_monitor` for complete figures.
 */
export type { Queryable } from "./query";
export type { ConnectionFigures } from "./connections";
export type { DatabaseSize, SchemaSize, TableCount } from "./sizes";
export type { BloatEstimate } from "./bloat";
export type { PrimaryReplication, ReplicationStatus, StandbyLag, StandbyReplication } from "./replication";
export type { TableMaintenance } from "./maintenance";
export { connections } from "./connections";
export { SCHEMA_SIZE_SQL, SIZED_RELKINDS, databaseSizes, schemaSizes, tableCounts } from "./sizes";
export { bloatEstimate } from "./bloat";
export { replicationLag } from "./replication";
export { maintenance } from "./maintenance";
