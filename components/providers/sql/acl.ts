/**
 * Access control lists of databases and schemas, read from the catalog with `aclexplode` (a NULL
 * ACL is the object's default, `acldefault`) and made exact: every privilege held by a role that is
 * not allowed is revoked (PUBLIC included), the allowed ones are granted. The object's owner keeps
 * its implicit rights and superusers are never touched (they bypass ACLs anyway).
 *
 * Database, Schema and Grants share this; the callers run it inside a transaction.
 */
import { ident } from "./identifiers";

/** Objects whose ACL the providers manage. */
export type AclObjectType = "database" | "schema";

/** The privileges each object type supports, as `aclexplode` names them. */
export const PRIVILEGES: Readonly<Record<AclObjectType, readonly string[]>> = {
  database: ["CONNECT", "TEMPORARY", "CREATE"],
  schema: ["USAGE", "CREATE"],
};

/** The pseudo-role every role belongs to, as grants name it. */
export const PUBLIC = "PUBLIC";

/** One privilege one role holds on the object. */
export interface AclEntry {
  grantor: string;
  grantee: string;
  privilege: string;
  grantable: boolean;
}

/** The ACL of one object: its owner and the privileges held by non-superusers. */
export interface Acl {
  owner: string;
  entries: AclEntry[];
}

/** Privileges allowed to one grantee (a role name, or `PUBLIC`). */
export interface AllowedGrant {
  grantee: string;
  privileges: string[];
}

const CATALOG: Record<AclObjectType, { table: string; name: string; owner: string; acl: string; kind: string }> = {
  database: { table: "pg_database", name: "datname", owner: "datdba", acl: "datacl", kind: "d" },
  schema: { table: "pg_namespace", name: "nspname", owner: "nspowner", acl: "nspacl", kind: "n" },
};

/** SQL for an object: `DATABASE "x"` or `SCHEMA "x"`. */
export function objectSql(client: any, type: AclObjectType, name: string): string {
  return `${type === "database" ? "DATABASE" : "SCHEMA"} ${ident(client, name)}`;
}

/** SQL for a grantee: `PUBLIC` or a quoted role. */
export function granteeSql(client: any, grantee: string): string {
  return grantee === PUBLIC ? "PUBLIC" : ident(client, grantee);
}

/** Reads the ACL of `name` (schemas: in the client's database); undefined when the object does not exist. */
export async function readAcl(client: any, type: AclObjectType, name: string): Promise<Acl | undefined> {
  const c = CATALOG[type];
  const owner = (await client.query(`SELECT pg_get_userbyid(${c.owner}) AS owner FROM ${c.table} WHERE ${c.name} = $1`, [name])).rows[0];
  if (!owner) return undefined;
  const rows = (
    await client.query(
      `SELECT pg_get_userbyid(a.grantor) AS grantor, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
              a.privilege_type AS privilege, a.is_grantable AS grantable
         FROM ${c.table} o CROSS JOIN LATERAL aclexplode(coalesce(o.${c.acl}, acldefault('${c.kind}', o.${c.owner}))) a
         LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE o.${c.name} = $1 AND coalesce(r.rolsuper, false) = false
        ORDER BY 2, 3`,
      [name],
    )
  ).rows;
  return { owner: owner.owner, entries: rows };
}

function allows(allowed: readonly AllowedGrant[], grantee: string, privilege: string): boolean {
  return allowed.some((a) => a.grantee === grantee && a.privileges.includes(privilege));
}

/** Entries that should not be there: a privilege of someone else than the owner, or a grant option nobody was given. */
export function extraEntries(acl: Acl, allowed: readonly AllowedGrant[]): AclEntry[] {
  return acl.entries.filter((e) => e.grantee !== acl.owner && (!allows(allowed, e.grantee, e.privilege) || e.grantable));
}

/** Allowed privileges the ACL lacks (superuser grantees always have them). */
export function missingGrants(acl: Acl, allowed: readonly AllowedGrant[], superusers: ReadonlySet<string> = new Set()): { grantee: string; privilege: string }[] {
  const out: { grantee: string; privilege: string }[] = [];
  for (const a of allowed) {
    if (superusers.has(a.grantee)) continue;
    for (const p of a.privileges) {
      if (!acl.entries.some((e) => e.grantee === a.grantee && e.privilege === p)) out.push({ grantee: a.grantee, privilege: p });
    }
  }
  return out;
}

/**
 * Drift of an ACL against what is allowed, in words:
 * `USAGE on schema tenant_a granted to tenant_b`, `CONNECT on database tenant_a not granted to tenant_a`.
 */
export function aclDrift(type: AclObjectType, name: string, acl: Acl, allowed: readonly AllowedGrant[], superusers?: ReadonlySet<string>): string[] {
  const extra = extraEntries(acl, allowed).map((e) =>
    allows(allowed, e.grantee, e.privilege)
      ? `${e.privilege} on ${type} ${name} granted to ${e.grantee} with grant option`
      : `${e.privilege} on ${type} ${name} granted to ${e.grantee}`,
  );
  const missing = missingGrants(acl, allowed, superusers).map((m) => `${m.privilege} on ${type} ${name} not granted to ${m.grantee}`);
  return [...extra, ...missing];
}

/** The ACL as outputs show it: each grantee but the owner with its privileges, sorted. */
export function aclSummary(acl: Acl): AllowedGrant[] {
  const by = new Map<string, Set<string>>();
  for (const e of acl.entries) {
    if (e.grantee === acl.owner) continue;
    if (!by.has(e.grantee)) by.set(e.grantee, new Set());
    by.get(e.grantee)!.add(e.privilege);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([grantee, p]) => ({ grantee, privileges: [...p].sort() }));
}

/** Names among `roles` that are superusers. */
export async function superusersAmong(client: any, roles: readonly string[]): Promise<Set<string>> {
  const rows = (await client.query("SELECT rolname FROM pg_roles WHERE rolsuper AND rolname = ANY($1)", [roles])).rows;
  return new Set(rows.map((r: any) => r.rolname));
}

/** Serializes ACL changes across concurrent providers in one database (concurrent GRANTs on one catalog row fail). */
export async function lockAclChanges(client: any): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('pgplatform:acl'))");
}

async function revoke(client: any, type: AclObjectType, name: string, e: AclEntry, allowed: readonly AllowedGrant[]): Promise<void> {
  const optionOnly = allows(allowed, e.grantee, e.privilege) && e.grantable;
  await client.query(`REVOKE ${optionOnly ? "GRANT OPTION FOR " : ""}${e.privilege} ON ${objectSql(client, type, name)} FROM ${granteeSql(client, e.grantee)} CASCADE`);
}

/**
 * Makes the ACL of `name` exactly `allowed` (plus the owner's rights): revokes the rest, grants what
 * is missing (revokes CASCADE, so grants passed on by a grantee go too). Returns
 * the ACL it leaves, or undefined when the object does not exist. Run it inside a transaction.
 */
export async function applyAcl(client: any, type: AclObjectType, name: string, allowed: readonly AllowedGrant[]): Promise<Acl | undefined> {
  await lockAclChanges(client);
  let acl = await readAcl(client, type, name);
  if (!acl) return undefined;
  // A superuser's REVOKE acts as the owner; CASCADE also takes what the grantee passed on.
  for (const e of extraEntries(acl, allowed)) await revoke(client, type, name, e, allowed);
  const superusers = await superusersAmong(client, allowed.map((a) => a.grantee));
  for (const m of missingGrants((await readAcl(client, type, name))!, allowed, superusers)) {
    await client.query(`GRANT ${m.privilege} ON ${objectSql(client, type, name)} TO ${granteeSql(client, m.grantee)}`);
  }
  acl = (await readAcl(client, type, name))!;
  const left = extraEntries(acl, allowed);
  if (left.length > 0) {
    throw new Error(`could not make the ACL of ${type} \`${name}\` exact; still held: ${aclDrift(type, name, { ...acl, entries: left }, allowed).join(", ")}`);
  }
  return acl;
}

/** Revokes `grants` (except the owner's, whose rights are its own, and superusers'); a missing object is nothing to do. */
export async function revokeGrants(client: any, type: AclObjectType, name: string, grants: readonly AllowedGrant[]): Promise<void> {
  await lockAclChanges(client);
  const acl = await readAcl(client, type, name);
  if (!acl) return;
  for (const e of acl.entries) {
    if (e.grantee === acl.owner || !allows(grants, e.grantee, e.privilege)) continue;
    await client.query(`REVOKE ${e.privilege} ON ${objectSql(client, type, name)} FROM ${granteeSql(client, e.grantee)} CASCADE`);
  }
}
