/**
 * The dynamic provider for one PostgreSQL role (a tenant's login role, or a group), and its
 * resource class `Role` (type `pulumi-nodejs:dynamic/pgplatform:Role`).
 *
 * - The role is never privileged: NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS.
 * - Its password reaches PostgreSQL only as a SCRAM verifier, and is compared with the stored
 *   verifier (same salt and iterations), so a password changed by hand is drift.
 * - Its memberships are exactly `memberOf` (missing groups are created NOLOGIN); a login role is
 *   granted to nobody (another role holding it would hold all its privileges).
 * - A rename is an in-place `ALTER ROLE ... RENAME` (SCRAM verifiers survive it). The id names the
 *   role at create and does not change; the `name` output is the current name.
 * - create is idempotent (groups first, each on its own, then one transaction for the role).
 *
 * Serialized with the program: requires `pg` only inside the connection helpers.
 */
import * as pulumi from "@pulumi/pulumi";
import { scramVerifier } from "../../backends/local/scram";
import { RESERVED_ROLES } from "../../model/identifiers";
import { show } from "../../model/errors";
import { KINDS } from "../values";
import { SqlConnection, inTransaction, withClient } from "./connection";
import {
  CheckFailure, adminFailures, assertNoFailures, connectionLimitFailures, ident, kindFailures, loginChanged, nameFailures, sameServer, sameSet, serverKnown, serverOf, sorted, unknown,
} from "./identifiers";
import { roleExists, sqlState, terminateSessions } from "./sessions";
import { lockMarks } from "./tenantQuotaLock";

/** The role setting that marks a deletion lock (matches the lock-mark pattern the quota respects). */
export const DELETION_LOCK_SETTING = "pgplatform.deletion_locked";

/** What deleting a Role does: `lock` = NOLOGIN and its sessions ended, role kept; `drop` = sessions ended, privileges revoked, role dropped. */
export type RoleOnDelete = "drop" | "lock";

/** The inputs of a role as the provider sees them (plain values, defaults filled by check). */
export interface RoleInputs {
  kind: string;
  admin: SqlConnection;
  name: string;
  password?: string;
  login: boolean;
  connectionLimit: number;
  memberOf: string[];
  onDelete: RoleOnDelete;
}

/** Outputs: the inputs (as read reports them) plus `drift`. */
export interface RoleOutputs extends RoleInputs {
  drift: string[];
}

/** Attributes a managed role never has, with their pg_authid columns. */
const ATTRIBUTES = { superuser: "rolsuper", createdb: "rolcreatedb", createrole: "rolcreaterole", replication: "rolreplication", bypassrls: "rolbypassrls" } as const;

function failuresOf(r: any): CheckFailure[] {
  const out = [...kindFailures(r.kind, KINDS.role), ...adminFailures(r.admin), ...nameFailures("name", r.name, RESERVED_ROLES)];
  if (typeof r.name === "string" && !unknown(r.name) && r.admin && r.name === r.admin.user) out.push({ property: "name", reason: `\`name\` must not be the platform admin role; got ${show(r.name)}` });
  if (!unknown(r.password) && r.password !== undefined && (typeof r.password !== "string" || r.password === "")) out.push({ property: "password", reason: "`password` must be a non-empty string" });
  if (!unknown(r.login) && typeof r.login !== "boolean") out.push({ property: "login", reason: `\`login\` must be a boolean; got ${show(r.login)}` });
  out.push(...connectionLimitFailures(r.connectionLimit));
  if (!unknown(r.memberOf)) {
    if (!Array.isArray(r.memberOf)) out.push({ property: "memberOf", reason: `\`memberOf\` must be a list of group names; got ${show(r.memberOf)}` });
    else r.memberOf.forEach((g: unknown, i: number) => {
      out.push(...nameFailures(`memberOf[${i}]`, g, RESERVED_ROLES));
      if (g === r.name && !unknown(g)) out.push({ property: `memberOf[${i}]`, reason: `\`memberOf[${i}]\` must not be the role itself; got ${show(g)}` });
    });
  }
  if (!unknown(r.onDelete) && r.onDelete !== "drop" && r.onDelete !== "lock") out.push({ property: "onDelete", reason: `\`onDelete\` must be \`drop\` or \`lock\`; got ${show(r.onDelete)}` });
  return out;
}

function withDefaults(news: any): RoleInputs {
  return { ...news, login: news.login ?? true, connectionLimit: news.connectionLimit ?? -1, memberOf: news.memberOf ?? [], onDelete: news.onDelete ?? "lock" };
}

/** True when `stored` (pg_authid.rolpassword) is the SCRAM verifier of `password`. */
export function verifierMatches(stored: string | null, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$[^:]+:.+$/.exec(stored ?? "");
  return !!m && scramVerifier(password, Number(m[1]), Buffer.from(m[2], "base64")) === stored;
}

/** Groups `role` is a member of, sorted. */
async function membershipsOf(client: any, role: string): Promise<string[]> {
  const sql = "SELECT DISTINCT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1";
  return sorted((await client.query(sql, [role])).rows.map((r: any) => r.rolname));
}

/**
 * Roles that are members of `role`, sorted, except the connected admin: a non-superuser admin (such
 * as RDS's master user) holds every role it manages (see {@link holdAsAdmin}).
 */
async function membersOf(client: any, role: string): Promise<string[]> {
  const sql = "SELECT DISTINCT r.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = $1 AND r.rolname <> current_user";
  return sorted((await client.query(sql, [role])).rows.map((r: any) => r.rolname));
}

/** Whether the connected admin is a superuser (else, e.g. RDS's master: CREATEROLE, no pg_authid). */
async function adminIsSuperuser(client: any): Promise<boolean> {
  return (await client.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows[0]?.rolsuper === true;
}

/**
 * The stored password verifier of `role`: `null` without a password, `undefined` when the admin is
 * not a superuser and cannot read pg_authid (the password is then set on every create and update,
 * and a password changed by hand is not seen as drift).
 */
async function storedVerifier(client: any, role: string, superuser: boolean): Promise<string | null | undefined> {
  if (!superuser) return undefined;
  return (await client.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role])).rows[0]?.rolpassword ?? null;
}

/**
 * A non-superuser admin (RDS's master user) grants the role to itself: owning a database for it,
 * reaching its objects and ending its sessions all need that membership there. A superuser needs none.
 */
async function holdAsAdmin(client: any, role: string, superuser: boolean): Promise<void> {
  if (superuser) return;
  const held = await client.query(
    "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = $1 AND r.rolname = current_user AND pg_has_role(current_user, g.oid, 'USAGE')",
    [role],
  );
  if (held.rowCount === 0) await client.query(`GRANT ${ident(client, role)} TO CURRENT_USER`);
}

/** Creates the missing groups, NOLOGIN, each on its own (a concurrent create of the same group is fine). */
async function ensureGroups(client: any, groups: readonly string[]): Promise<void> {
  for (const g of groups) {
    if (await roleExists(client, g)) continue;
    try {
      await client.query(`CREATE ROLE ${ident(client, g)} NOLOGIN`);
    } catch (err) {
      if (!["42710", "23505"].includes(sqlState(err) ?? "")) throw err;
    }
  }
}

/** Makes the role what `r` says (inside a transaction): attributes, password, memberships. */
async function ensureRole(client: any, r: RoleInputs): Promise<void> {
  const id = ident(client, r.name);
  // A role locked by pgplatform (a storage quota, a deletion lock) stays NOLOGIN until that lock lifts.
  const login = r.login && (await lockMarks(client, r.name)).length === 0;
  const superuser = await adminIsSuperuser(client);
  const attrs = (create: boolean) =>
    // Only a superuser may name SUPERUSER, REPLICATION and BYPASSRLS in ALTER ROLE (a new role never has them; read reports them as drift).
    `${login ? "LOGIN" : "NOLOGIN"}${create || superuser ? " NOSUPERUSER" : ""} NOCREATEDB NOCREATEROLE${create || superuser ? " NOREPLICATION NOBYPASSRLS" : ""} INHERIT CONNECTION LIMIT ${Math.trunc(Number(r.connectionLimit))}`;
  const verifier = () => client.escapeLiteral(scramVerifier(r.password!));
  if (!(await roleExists(client, r.name))) {
    await client.query(`CREATE ROLE ${id} ${attrs(true)}${r.password !== undefined ? ` PASSWORD ${verifier()}` : ""}`);
  } else {
    const stored = await storedVerifier(client, r.name, superuser);
    await client.query(`ALTER ROLE ${id} ${attrs(false)}`);
    if (r.password === undefined && stored !== null) await client.query(`ALTER ROLE ${id} PASSWORD NULL`);
    if (r.password !== undefined && (stored === undefined || !verifierMatches(stored, r.password))) await client.query(`ALTER ROLE ${id} PASSWORD ${verifier()}`);
  }
  await holdAsAdmin(client, r.name, superuser);
  const current = await membershipsOf(client, r.name);
  for (const g of r.memberOf.filter((g) => !current.includes(g))) await client.query(`GRANT ${ident(client, g)} TO ${id}`);
  for (const g of current.filter((g) => !r.memberOf.includes(g))) await client.query(`REVOKE ${ident(client, g)} FROM ${id} CASCADE`);
  if (r.login) for (const m of await membersOf(client, r.name)) await client.query(`REVOKE ${id} FROM ${ident(client, m)} CASCADE`);
}

async function converge(r: RoleInputs, previousName?: string): Promise<void> {
  await withClient(r.admin, (c) => ensureGroups(c, r.memberOf));
  await inTransaction(r.admin, async (c) => {
    if (previousName && previousName !== r.name && (await roleExists(c, previousName)) && !(await roleExists(c, r.name))) {
      await c.query(`ALTER ROLE ${ident(c, previousName)} RENAME TO ${ident(c, r.name)}`);
    }
    await ensureRole(c, r);
  });
}

/** What `drop` would leave ownerless, in words; empty when the role owns nothing but default privileges. */
async function ownedObjects(client: any, role: string): Promise<string[]> {
  const dbs = (await client.query("SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY 1", [role])).rows;
  const rest = (
    await client.query(
      `SELECT coalesce(d.datname, '') AS datname, count(*)::int AS n FROM pg_shdepend s LEFT JOIN pg_database d ON d.oid = s.dbid
        WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND s.deptype = 'o'
          AND s.classid NOT IN ('pg_default_acl'::regclass, 'pg_database'::regclass) GROUP BY 1 ORDER BY 1`,
      [role],
    )
  ).rows;
  return [
    ...dbs.map((d: any) => `database \`${d.datname}\``),
    ...rest.map((r: any) => (r.datname ? `${r.n} object${r.n === 1 ? "" : "s"} in database \`${r.datname}\`` : `${r.n} shared object${r.n === 1 ? "" : "s"}`)),
  ];
}

/**
 * Drops a role without touching data: refuses while it owns a database or any object (nothing is
 * dropped or reassigned), else ends its sessions, revokes its privileges and default privileges in
 * every database (`DROP OWNED BY`, which then only revokes), and drops it.
 */
async function dropRole(admin: SqlConnection, name: string): Promise<void> {
  const refuse = (owned: string[]) =>
    new Error(
      `role \`${name}\` was not dropped: it still owns ${owned.join(", ")}, and \`onDelete\` \`drop\` never drops or reassigns data; ` +
        "drop those first (a Database or Schema with policy `drop` or `archive`), or use `onDelete` `lock`",
    );
  const dbs = await withClient(admin, async (c) => {
    if (!(await roleExists(c, name))) return undefined;
    let owned = await ownedObjects(c, name);
    if (owned.length > 0) throw refuse(owned);
    await c.query(`ALTER ROLE ${ident(c, name)} NOLOGIN`);
    await terminateSessions(c, { role: name });
    owned = await ownedObjects(c, name);
    if (owned.length > 0) throw refuse(owned);
    const sql = `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
                  WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND d.datallowconn`;
    return (await c.query(sql, [name])).rows.map((r: any) => r.datname as string);
  });
  if (!dbs) return;
  for (const db of dbs) await withClient(admin, (c) => c.query(`DROP OWNED BY ${ident(c, name)}`), db);
  await withClient(admin, async (c) => {
    if (!(await roleExists(c, name))) return;
    await c.query(`DROP OWNED BY ${ident(c, name)}`); // shared objects' privileges (CONNECT on databases)
    await c.query(`DROP ROLE IF EXISTS ${ident(c, name)}`);
  });
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const roleProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    const inputs = withDefaults(news);
    return { inputs, failures: failuresOf(inputs) };
  },

  async diff(_id: string, olds: RoleOutputs, news: RoleInputs) {
    const replaces = serverKnown(news.admin) && !sameServer(olds.admin, news.admin) ? ["admin"] : [];
    const differs = (k: "name" | "password" | "login" | "connectionLimit" | "onDelete") => unknown(news[k]) || olds[k] !== news[k];
    const changed =
      (["name", "password", "login", "connectionLimit", "onDelete"] as const).some(differs) ||
      unknown(news.memberOf) || !sameSet(olds.memberOf, news.memberOf) ||
      unknown(news.admin) || loginChanged(olds.admin, news.admin) ||
      (olds.drift ?? []).length > 0;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: RoleInputs) {
    const r = withDefaults(inputs);
    assertNoFailures(`role ${show(r.name)}`, failuresOf(r));
    // Creating the role again (a tenant re-added after a lock-delete) lifts that deletion lock.
    await withClient(r.admin, async (c) => {
      if (await roleExists(c, r.name)) await c.query(`ALTER ROLE ${ident(c, r.name)} RESET ${DELETION_LOCK_SETTING}`);
    });
    await converge(r);
    return { id: `${serverOf(r.admin)}/role/${r.name}`, outs: { ...r, memberOf: sorted(r.memberOf), drift: [] } };
  },

  async read(id: string, props: RoleOutputs) {
    return withClient(props.admin, async (c) => {
      const sql = "SELECT rolcanlogin, rolconnlimit, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1";
      const row = (await c.query(sql, [props.name])).rows[0];
      if (!row) return { id: "", props: {} };
      row.rolpassword = await storedVerifier(c, props.name, await adminIsSuperuser(c));
      const memberOf = await membershipsOf(c, props.name);
      const drift: string[] = [];
      const locked = !row.rolcanlogin && (await lockMarks(c, props.name)).length > 0;
      if (row.rolcanlogin !== props.login && !locked) drift.push("login");
      if (row.rolconnlimit !== props.connectionLimit) drift.push("connection limit");
      for (const [a, column] of Object.entries(ATTRIBUTES)) if (row[column]) drift.push(a);
      if (row.rolpassword !== undefined && (props.password === undefined ? row.rolpassword !== null : !verifierMatches(row.rolpassword, props.password))) drift.push("password");
      for (const g of props.memberOf ?? []) if (!memberOf.includes(g)) drift.push(`member of ${g}`);
      for (const g of memberOf) if (!(props.memberOf ?? []).includes(g)) drift.push(`undeclared member of ${g}`);
      if (props.login) for (const m of await membersOf(c, props.name)) drift.push(`granted to ${m}`);
      return { id, props: { ...props, login: row.rolcanlogin, connectionLimit: row.rolconnlimit, memberOf, drift } };
    });
  },

  async update(_id: string, olds: RoleOutputs, news: RoleInputs) {
    const r = withDefaults(news);
    assertNoFailures(`role ${show(r.name)}`, failuresOf(r));
    await converge(r, olds.name);
    return { outs: { ...r, memberOf: sorted(r.memberOf), drift: [] } };
  },

  async delete(_id: string, props: RoleOutputs) {
    if (props.onDelete === "drop") return dropRole(props.admin, props.name);
    await withClient(props.admin, async (c) => {
      if (!(await roleExists(c, props.name))) return;
      await c.query(`ALTER ROLE ${ident(c, props.name)} NOLOGIN`);
      // Marked as pgplatform's lock, so a storage quota lifting its own lock never lets this role in again.
      await c.query(`ALTER ROLE ${ident(c, props.name)} SET ${DELETION_LOCK_SETTING} = 'on'`);
      await terminateSessions(c, { role: props.name });
    });
  },
};

/** Inputs of a {@link Role}. */
export interface RoleArgs {
  /** The platform admin's connection to the server (a superuser); secret. */
  admin: pulumi.Input<SqlConnection>;
  /** The role's name: lower case, at most 63 bytes, no `pg_` prefix, not reserved. Changing it renames in place. */
  name: pulumi.Input<string>;
  /** Its password (secret), stored as a SCRAM verifier. @default - no password (it cannot log in with one) */
  password?: pulumi.Input<string>;
  /** Whether it may log in. @default true */
  login?: pulumi.Input<boolean>;
  /** Most concurrent sessions. @default -1 (no limit) */
  connectionLimit?: pulumi.Input<number>;
  /** Exactly the groups it belongs to; missing groups are created NOLOGIN (e.g. `pgplatform_tenants`). @default [] */
  memberOf?: pulumi.Input<pulumi.Input<string>[]>;
  /** What deleting the resource does (see {@link RoleOnDelete}). @default "lock" */
  onDelete?: pulumi.Input<RoleOnDelete>;
}

/** One PostgreSQL role (type `pulumi-nodejs:dynamic/pgplatform:Role`, kind `pgplatform:sql:role`). */
export class Role extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly login: pulumi.Output<boolean>;
  declare readonly connectionLimit: pulumi.Output<number>;
  declare readonly memberOf: pulumi.Output<string[]>;
  declare readonly onDelete: pulumi.Output<RoleOnDelete>;
  /** What read found different from the inputs (`login`, `connection limit`, `member of pgplatform_tenants`, ...); empty after create/update. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      kind: KINDS.role,
      drift: undefined,
      ...args,
      admin: pulumi.secret(args.admin),
      password: args.password === undefined ? undefined : pulumi.secret(args.password),
      login: args.login ?? true,
      connectionLimit: args.connectionLimit ?? -1,
      memberOf: args.memberOf ?? [],
      onDelete: args.onDelete ?? "lock",
    };
    super(roleProvider, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["admin", "password"] }), "pgplatform", "Role");
  }
}
