/**
 * Reading and writing catalogue records over a `pg` client. Every write leaves a row in
 * `pgplatform_catalog.events`, the history. Deleting a record only marks it `DELETED`: its row stays.
 * The functions run their statements on the client they are given: call them inside a transaction
 * (`withCatalog` opens one) so a record and its event are written together.
 */
import { SqlConnection, transaction, withClient } from "../providers/sql/connection";
import { CATALOG_SCHEMA, migrate } from "./migrations";
import { RECORDS, RecordDef, RecordType, assertRecord, changedFields, normalizeData } from "./records";

/** A record as the catalogue holds it. */
export interface CatalogRow {
  recordType: RecordType;
  recordId: string;
  /** The record's fields, normalized (defaults filled in, absent optional fields left out). */
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** Set when the lifecycle is `DELETED`. */
  deletedAt?: string;
}

/** What {@link upsertRecord} did. */
export interface UpsertResult {
  row: CatalogRow;
  /** `created` for a new record (or one that was DELETED), `updated` when fields changed, undefined when nothing did. */
  event?: "created" | "updated";
  /** The fields that changed, with their old and new values (empty for `created`). */
  changes: Record<string, { from: unknown; to: unknown }>;
}

const S = CATALOG_SCHEMA;

function defOf(recordType: string): RecordDef {
  const def = RECORDS[recordType as RecordType];
  if (!def) throw new Error(`\`recordType\` must be one of ${Object.keys(RECORDS).map((t) => `\`${t}\``).join(", ")}; got ${JSON.stringify(recordType)}`);
  return def;
}

function rowOf(recordType: RecordType, r: any): CatalogRow {
  const data: Record<string, unknown> = {};
  for (const fd of RECORDS[recordType].fields) {
    let v = r[fd.column];
    if (v === null || v === undefined) continue;
    if (v instanceof Date) v = v.toISOString();
    else if (fd.type === "int") v = Number(v);
    data[fd.key] = v;
  }
  return {
    recordType,
    recordId: r.id,
    data,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    ...(r.deleted_at ? { deletedAt: r.deleted_at.toISOString() } : {}),
  };
}

/** The db_resource a record belongs to (for `events.resource_id`). */
function resourceOf(recordType: RecordType, recordId: string, data: Record<string, unknown>): string | null {
  const field = RECORDS[recordType].resourceField;
  return field === "id" ? recordId : ((data[field] as string) ?? null);
}

/** Reads one record, or undefined when the catalogue has no row for it. `forUpdate` locks the row. */
export async function readRecord(client: any, recordType: RecordType, recordId: string, opts: { forUpdate?: boolean } = {}): Promise<CatalogRow | undefined> {
  const def = defOf(recordType);
  const r = (await client.query(`SELECT * FROM ${S}.${def.table} WHERE id = $1${opts.forUpdate ? " FOR UPDATE" : ""}`, [recordId])).rows[0];
  return r ? rowOf(recordType, r) : undefined;
}

/** Appends one event to the history of a record. `detail` must be a JSON object. */
export async function appendEvent(
  client: any,
  recordType: RecordType,
  recordId: string,
  event: string,
  detail: Record<string, unknown> = {},
  resourceId?: string | null,
): Promise<void> {
  defOf(recordType);
  if (!/^[a-z][a-z0-9_]*$/.test(event)) throw new Error(`an event name must be lower_snake_case (\`created\`, \`status_changed\`); got ${JSON.stringify(event)}`);
  await client.query(`INSERT INTO ${S}.events (record_type, record_id, resource_id, event, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    recordType,
    recordId,
    resourceId ?? null,
    event,
    JSON.stringify(detail),
  ]);
}

function sqlValue(type: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return type === "object" || type === "array" || type === "json" ? JSON.stringify(v) : v;
}

const CAST: Record<string, string> = { object: "::jsonb", array: "::jsonb", json: "::jsonb", time: "::timestamptz", int: "::bigint" };

/**
 * Writes a record (insert, or update every field of an existing row) after validating it; throws
 * one error naming every bad field. Appends `created` (with the data) for a new or DELETED record,
 * `updated` (with the changed fields) when something changed, and nothing when nothing did.
 */
export async function upsertRecord(client: any, recordType: RecordType, recordId: string, data: Record<string, unknown>): Promise<UpsertResult> {
  const def = defOf(recordType);
  assertRecord(recordType, recordId, data);
  const values = normalizeData(recordType, data);
  const previous = await readRecord(client, recordType, recordId, { forUpdate: true });
  const cols = def.fields.map((fd) => fd.column);
  const params = [recordId, ...def.fields.map((fd) => sqlValue(fd.type, values[fd.key]))];
  const placeholders = def.fields.map((fd, i) => `$${i + 2}${CAST[fd.type] ?? ""}`);
  const sets = cols.map((c) => `${c} = EXCLUDED.${c}`);
  const sql =
    `INSERT INTO ${S}.${def.table} AS t (id, ${cols.join(", ")}, deleted_at) ` +
    `VALUES ($1, ${placeholders.join(", ")}, CASE WHEN ${placeholders[cols.indexOf("lifecycle")]} = 'DELETED' THEN now() END) ` +
    `ON CONFLICT (id) DO UPDATE SET ${sets.join(", ")}, updated_at = now(), ` +
    `deleted_at = CASE WHEN EXCLUDED.lifecycle = 'DELETED' THEN coalesce(t.deleted_at, now()) END RETURNING *`;
  let r: any;
  try {
    r = (await client.query(sql, params)).rows[0];
  } catch (err: any) {
    throw explain(err, recordType, recordId, values);
  }
  const row = rowOf(recordType, r);
  const resourceId = resourceOf(recordType, recordId, row.data);
  if (!previous || previous.data.lifecycle === "DELETED") {
    await appendEvent(client, recordType, recordId, "created", { data: row.data, ...(previous ? { recreated: true } : {}) }, resourceId);
    return { row, event: "created", changes: {} };
  }
  const changes = changedFields(previous.data, row.data);
  if (Object.keys(changes).length === 0) return { row, changes };
  await appendEvent(client, recordType, recordId, "updated", { changes }, resourceId);
  return { row, event: "updated", changes };
}

/** Turns a database error into one that says which field of the record is at fault. */
function explain(err: any, recordType: RecordType, recordId: string, values: Record<string, unknown>): Error {
  if (err.code === "23503") {
    const field = RECORDS[recordType].fields.find((fd) => fd.type === "id" && err.detail?.includes(`(${fd.column})`));
    const key = field?.key ?? RECORDS[recordType].resourceField;
    return new Error(
      `catalogue record ${recordType} ${JSON.stringify(recordId)}: \`data.${key}\` ${JSON.stringify(values[key])} is not a db_resource in the catalogue; ` +
        "record the db_resource first (make this CatalogRecord depend on the db_resource's)",
    );
  }
  return new Error(`catalogue record ${recordType} ${JSON.stringify(recordId)} could not be written: ${err.message}`);
}

/**
 * Marks a record DELETED (lifecycle `DELETED`, `deleted_at` now) and appends `deleted`; the row
 * stays. Idempotent: returns false, and appends nothing, when the row is missing or already DELETED.
 */
export async function markDeleted(client: any, recordType: RecordType, recordId: string, detail: Record<string, unknown> = {}): Promise<boolean> {
  const def = defOf(recordType);
  const r = (
    await client.query(
      `UPDATE ${S}.${def.table} SET lifecycle = 'DELETED', deleted_at = now(), updated_at = now() WHERE id = $1 AND lifecycle <> 'DELETED' RETURNING *`,
      [recordId],
    )
  ).rows[0];
  if (!r) return false;
  const row = rowOf(recordType, r);
  await appendEvent(client, recordType, recordId, "deleted", detail, resourceOf(recordType, recordId, row.data));
  return true;
}

/**
 * Runs `fn` in one transaction on the catalogue at `connection`, after bringing its schema up to
 * date (first use creates it). The client is pooled per process (`closePools` ends the pools).
 */
export async function withCatalog<T>(connection: SqlConnection, fn: (client: any) => Promise<T>): Promise<T> {
  return withClient(connection, async (client) => {
    await migrate(client);
    return transaction(client, fn);
  });
}
