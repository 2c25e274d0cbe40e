/**
 * What a cut-over between two servers fed by logical replication needs besides the publication and
 * the subscription: WAL positions and the wait for a slot to confirm one (the catch-up), sequences
 * (logical replication does not carry them), the roles the schema refers to, and the row counts and
 * sums that show both sides hold the same data. Pure: serialized with the providers.
 */
import { TableName, qualified, userTables } from "./publication";

/** An LSN (`16/B374D848`) as a number, for comparisons. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** The server's current WAL write position. */
export async function currentLsn(client: any): Promise<string> {
  return (await client.query("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0].lsn;
}

/** The position up to which the subscriber confirmed slot `slot`, or undefined when the slot is missing or has none yet. */
export async function confirmedLsn(client: any, slot: string): Promise<string | undefined> {
  const row = (await client.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [slot])).rows[0];
  return row?.lsn ?? undefined;
}

/** Bytes between the server's current position and what slot `slot` confirmed; undefined without a slot. */
export async function slotLagBytes(client: any, slot: string): Promise<number | undefined> {
  const row = (
    await client.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag FROM pg_replication_slots WHERE slot_name = $1", [slot])
  ).rows[0];
  return row?.lag === null || row?.lag === undefined ? undefined : Number(row.lag);
}

/**
 * Waits until slot `slot` on the publisher (`client`) confirms `target`: the subscriber then holds
 * every change committed before it. Resolves with the milliseconds waited, or false at `deadline`
 * (a `Date.now()` value).
 */
export async function waitForConfirmed(client: any, slot: string, target: string, deadline: number): Promise<number | false> {
  const start = Date.now();
  const want = lsnValue(target);
  for (;;) {
    const got = await confirmedLsn(client, slot);
    if (got !== undefined && lsnValue(got) >= want) return Date.now() - start;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One sequence's position. */
export interface SequenceValue extends TableName {
  lastValue: string | null;
}

/** Every user sequence of the client's database with its last value (null before first use). */
export async function sequenceValues(client: any): Promise<SequenceValue[]> {
  const rows = (
    await client.query(
      `SELECT schemaname AS schema, sequencename AS "table", last_value::text AS last FROM pg_sequences
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    )
  ).rows;
  return rows.map((r: any) => ({ schema: r.schema, table: r.table, lastValue: r.last }));
}

/** Sets each sequence on the client's database to `values` (ones never used are left alone); returns how many were set. */
export async function applySequenceValues(client: any, values: readonly SequenceValue[]): Promise<number> {
  let n = 0;
  for (const s of values) {
    if (s.lastValue === null) continue;
    await client.query(`SELECT setval($1::regclass, $2::bigint, true)`, [qualified(client, s), s.lastValue]);
    n++;
  }
  return n;
}

/** The roles a copied schema may name: every role but the built-in ones and those listed in `skip`. */
export interface RoleCopy {
  name: string;
  canLogin: boolean;
  connectionLimit: number;
  /** The SCRAM verifier (never a plaintext password), or null. */
  verifier: string | null;
  memberOf: string[];
}

/** Reads the roles of the source server (superuser: pg_authid) other than `skip` and the `pg_` ones. */
export async function rolesToCopy(client: any, skip: readonly string[]): Promise<RoleCopy[]> {
  const rows = (
    await client.query(
      `SELECT a.rolname, a.rolcanlogin, a.rolconnlimit, a.rolpassword,
              coalesce((SELECT array_agg(g.rolname ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid), '{}') AS member_of
         FROM pg_authid a WHERE a.rolname !~ '^pg_' AND NOT a.rolsuper AND NOT (a.rolname = ANY($1)) ORDER BY a.rolname`,
      [[...skip]],
    )
  ).rows;
  return rows.map((r: any) => ({ name: r.rolname, canLogin: r.rolcanlogin, connectionLimit: r.rolconnlimit, verifier: r.rolpassword, memberOf: r.member_of }));
}

/** Creates the roles missing on the target with the same login, connection limit, SCRAM verifier and memberships. */
export async function copyRoles(client: any, roles: readonly RoleCopy[]): Promise<string[]> {
  const created: string[] = [];
  for (const r of roles) {
    if ((await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [r.name])).rowCount > 0) continue;
    const pw = r.verifier && r.verifier.startsWith("SCRAM-SHA-256$") ? ` PASSWORD ${client.escapeLiteral(r.verifier)}` : "";
    await client.query(`CREATE ROLE ${client.escapeIdentifier(r.name)} ${r.canLogin ? "LOGIN" : "NOLOGIN"} CONNECTION LIMIT ${Number(r.connectionLimit)}${pw}`);
    created.push(r.name);
  }
  for (const r of roles) {
    for (const g of r.memberOf) {
      if ((await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [g])).rowCount === 0) continue;
      await client.query(`GRANT ${client.escapeIdentifier(g)} TO ${client.escapeIdentifier(r.name)}`);
    }
  }
  return created;
}

/** Row count and a checksum of every user table (`md5` of the rows in a fixed order), by `schema.table`. */
export async function tableFingerprints(client: any): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const t of await userTables(client)) {
    const q = qualified(client, t);
    const row = (await client.query(`SELECT count(*) AS n, coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS h FROM ${q} x`)).rows[0];
    out[`${t.schema}.${t.table}`] = { rows: Number(row.n), md5: row.h };
  }
  return out;
}
