/**
 * The publisher side of logical replication (the blue side of a blue-green upgrade): which tables
 * can be replicated, the tables without a primary key and what to do with them, and the
 * publication itself. Identifiers are quoted with the driver's escaping; values go as parameters.
 * Pure: serialized with the providers (`pg` is only used through the clients they are given).
 */

/** A table as `schema.table`, both parts unquoted. */
export interface TableName {
  schema: string;
  table: string;
}

/** `"schema"."table"`, quoted with the driver's escaping. */
export function qualified(client: any, t: TableName): string {
  return `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.table)}`;
}

/** `schema.table` for messages. */
export function tableLabel(t: TableName): string {
  return `${t.schema}.${t.table}`;
}

/** User schemas: not the catalogues, not toast or temp, not an extension's. */
const USER_TABLES = `
  SELECT n.nspname AS schema, c.relname AS "table", c.relreplident AS identity,
         EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   ORDER BY 1, 2`;

/** Every replicable user table of the client's database, with its key facts. */
export async function userTables(client: any): Promise<(TableName & { hasPrimaryKey: boolean; identity: string })[]> {
  const rows = (await client.query(USER_TABLES)).rows;
  return rows.map((r: any) => ({ schema: r.schema, table: r.table, hasPrimaryKey: r.has_pk, identity: r.identity }));
}

/**
 * Tables whose UPDATE and DELETE logical replication cannot apply: no primary key and a replica
 * identity of `default` (which then means none) or `nothing`. A table with `REPLICA IDENTITY FULL`
 * or `USING INDEX` is fine.
 */
export async function tablesWithoutKey(client: any): Promise<TableName[]> {
  return (await userTables(client)).filter((t) => !t.hasPrimaryKey && (t.identity === "d" || t.identity === "n")).map(({ schema, table }) => ({ schema, table }));
}

/** `ALTER TABLE ... REPLICA IDENTITY FULL` on each table (UPDATE/DELETE then match on the whole row). */
export async function setReplicaIdentityFull(client: any, tables: readonly TableName[]): Promise<void> {
  for (const t of tables) await client.query(`ALTER TABLE ${qualified(client, t)} REPLICA IDENTITY FULL`);
}

/** Whether a publication exists in the client's database. */
export async function publicationExists(client: any, name: string): Promise<boolean> {
  return (await client.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [name])).rowCount > 0;
}

/** Creates `FOR ALL TABLES` publication `name` unless it exists (tables created later are published too). */
export async function ensurePublication(client: any, name: string): Promise<void> {
  if (await publicationExists(client, name)) return;
  await client.query(`CREATE PUBLICATION ${client.escapeIdentifier(name)} FOR ALL TABLES`);
}

/** Drops publication `name` if it exists. */
export async function dropPublication(client: any, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${client.escapeIdentifier(name)}`);
}

/** Drops a replication slot if it exists and is not in use (a slot left behind keeps WAL forever). */
export async function dropSlot(client: any, slot: string): Promise<void> {
  await client.query(
    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL",
    [slot],
  );
  for (let i = 0; i < 50; i++) {
    const row = (await client.query("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [slot])).rows[0];
    if (!row) return;
    if (!row.active) {
      await client.query("SELECT pg_drop_replication_slot($1)", [slot]);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the replication slot \`${slot}\` stays in use; drop it by hand with \`SELECT pg_drop_replication_slot('${slot}')\` once its walsender is gone`);
}
