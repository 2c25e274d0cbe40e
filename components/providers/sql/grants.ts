/**
 * The dynamic provider for the EXACT access control list of one database or schema, and its
 * resource class `Grants` (type `pulumi-nodejs:dynamic/pgplatform:Grants`).
 *
 * create/update (one transaction): every privilege on the object held by a role not in `allowed`
 * (PUBLIC included) is revoked with CASCADE (what a grantee passed on goes too); a grant option
 * nobody was given is revoked; the allowed privileges are granted. The
 * owner keeps its implicit rights and superusers are never touched. read reports the actual ACL
 * and drift in words (`USAGE on schema tenant_a granted to tenant_b`), so a grant added by hand
 * shows as a change and the update removes it. delete revokes the allowed privileges (not the
 * owner's); a missing object is nothing to do.
 */
import * as pulumi from "@pulumi/pulumi";
import { allowed as allowedText, show } from "../../model/errors";
import { RESERVED_DATABASES, RESERVED_ROLES } from "../../model/identifiers";
import { KINDS } from "../values";
import { AclObjectType, AllowedGrant, PRIVILEGES, PUBLIC, aclDrift, aclSummary, applyAcl, readAcl, revokeGrants, superusersAmong } from "./acl";
import { SqlConnection, inTransaction, withClient } from "./connection";
import { CheckFailure, adminFailures, assertNoFailures, kindFailures, loginChanged, nameFailures, sameServer, serverKnown, serverOf, unknown } from "./identifiers";

/** The object whose ACL is managed; a schema lives in `database` (default: `admin.database`). */
export interface GrantsObject {
  type: AclObjectType;
  name: string;
  database?: string;
}

/** The inputs of a Grants resource as the provider sees them. */
export interface GrantsInputs {
  kind: string;
  admin: SqlConnection;
  object: GrantsObject;
  /** Who may hold what; privileges upper case (check normalizes `temp`/`usage` spellings). */
  allowed: AllowedGrant[];
}

/** Outputs: the inputs plus the actual ACL (owner's and superusers' rights left out) and `drift`. */
export interface GrantsOutputs extends GrantsInputs {
  acl: AllowedGrant[];
  drift: string[];
}

/** The privileges upper case (`temp` is `TEMPORARY`), in the order given, so failures name the user's indices. */
function spelled(news: any): GrantsInputs {
  if (unknown(news.allowed) || !Array.isArray(news.allowed)) return { ...news, allowed: news.allowed ?? [] };
  const up = (p: unknown) => (typeof p === "string" ? (p.toUpperCase() === "TEMP" ? "TEMPORARY" : p.toUpperCase()) : p);
  return { ...news, allowed: news.allowed.map((a: any) => (a && typeof a === "object" && Array.isArray(a.privileges) ? { ...a, privileges: a.privileges.map(up) } : a)) };
}

/** {@link spelled}, then each grantee's privileges sorted and without duplicates. */
function normalize(news: any): GrantsInputs {
  const s = spelled(news);
  if (!Array.isArray(s.allowed)) return s;
  return { ...s, allowed: s.allowed.map((a: any) => (a && Array.isArray(a.privileges) ? { ...a, privileges: [...new Set(a.privileges)].sort() } : a)) };
}

function failuresOf(g: any): CheckFailure[] {
  const out = [...kindFailures(g.kind, KINDS.grants), ...adminFailures(g.admin)];
  const o = g.object;
  let type: AclObjectType | undefined;
  if (!unknown(o)) {
    if (!o || typeof o !== "object") out.push({ property: "object", reason: `\`object\` must be \`{ type, name, database? }\`; got ${show(o)}` });
    else {
      if (!unknown(o.type) && o.type !== "database" && o.type !== "schema") out.push({ property: "object.type", reason: `\`object.type\` must be \`database\` or \`schema\`; got ${show(o.type)}` });
      else if (!unknown(o.type)) type = o.type;
      out.push(...nameFailures("object.name", o.name, type === "database" ? RESERVED_DATABASES : ["information_schema"]));
      if (o.database !== undefined) out.push(...nameFailures("object.database", o.database, []));
      if (type === "schema" && o.database === undefined && g.admin && !unknown(g.admin) && !g.admin.database) {
        out.push({ property: "object.database", reason: "`object.database` is required for a schema when `admin.database` is not set" });
      }
    }
  }
  if (unknown(g.allowed)) return out;
  if (!Array.isArray(g.allowed)) return [...out, { property: "allowed", reason: `\`allowed\` must be a list of \`{ grantee, privileges }\`; got ${show(g.allowed)}` }];
  const seen = new Set<string>();
  g.allowed.forEach((a: any, i: number): void => {
    const at = `allowed[${i}]`;
    if (!a || typeof a !== "object") {
      out.push({ property: at, reason: `\`${at}\` must be \`{ grantee, privileges }\`; got ${show(a)}` });
      return;
    }
    if (a.grantee !== PUBLIC) out.push(...nameFailures(`${at}.grantee`, a.grantee, RESERVED_ROLES));
    if (typeof a.grantee === "string" && seen.has(a.grantee)) out.push({ property: `${at}.grantee`, reason: `\`${at}.grantee\` ${show(a.grantee)} is listed twice` });
    seen.add(a.grantee);
    if (unknown(a.privileges)) return;
    if (!Array.isArray(a.privileges)) {
      out.push({ property: `${at}.privileges`, reason: `\`${at}.privileges\` must be a list; got ${show(a.privileges)}` });
      return;
    }
    a.privileges.forEach((p: unknown, j: number) => {
      if (type && !unknown(p) && !PRIVILEGES[type].includes(p as string)) {
        out.push({ property: `${at}.privileges[${j}]`, reason: `\`${at}.privileges[${j}]\` must be one of ${allowedText(PRIVILEGES[type])} for a ${type}; got ${show(p)}` });
      }
    });
  });
  return out;
}

/** The database whose catalog holds the object (databases' ACLs are shared: the admin's own). */
function databaseOf(g: GrantsInputs): string {
  return (g.object.type === "schema" ? g.object.database : undefined) ?? g.admin.database ?? "postgres";
}

function idOf(g: GrantsInputs): string {
  const server = serverOf(g.admin);
  return g.object.type === "database" ? `${server}/grants/database/${g.object.name}` : `${server}/${databaseOf(g)}/grants/schema/${g.object.name}`;
}

async function converge(g: GrantsInputs): Promise<AllowedGrant[]> {
  return inTransaction(
    g.admin,
    async (c) => {
      const acl = await applyAcl(c, g.object.type, g.object.name, g.allowed);
      if (!acl) throw new Error(`${g.object.type} \`${g.object.name}\` does not exist${g.object.type === "schema" ? ` in database \`${databaseOf(g)}\`` : ""}`);
      return aclSummary(acl);
    },
    databaseOf(g),
  );
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const grantsProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    return { inputs: normalize(news), failures: failuresOf(spelled(news)) };
  },

  async diff(_id: string, olds: GrantsOutputs, news: GrantsInputs) {
    const movedObject = unknown(news.object) || JSON.stringify(olds.object) !== JSON.stringify(news.object);
    const replaces = serverKnown(news.admin) && !sameServer(olds.admin, news.admin) ? ["admin"] : [];
    if (movedObject) replaces.push("object");
    const sortedAllowed = (l: AllowedGrant[]) => JSON.stringify([...(l ?? [])].sort((a, b) => a.grantee.localeCompare(b.grantee)));
    const changed =
      unknown(news.allowed) || sortedAllowed(olds.allowed) !== sortedAllowed(news.allowed) ||
      unknown(news.admin) || loginChanged(olds.admin, news.admin) ||
      (olds.drift ?? []).length > 0;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: GrantsInputs) {
    const g = normalize(inputs);
    assertNoFailures(`grants on ${show(g.object?.name)}`, failuresOf(g));
    return { id: idOf(g), outs: { ...g, acl: await converge(g), drift: [] } };
  },

  async read(id: string, props: GrantsOutputs) {
    return withClient(
      props.admin,
      async (c) => {
        const acl = await readAcl(c, props.object.type, props.object.name);
        if (!acl) return { id: "", props: {} };
        const superusers = await superusersAmong(c, props.allowed.map((a) => a.grantee));
        return { id, props: { ...props, acl: aclSummary(acl), drift: aclDrift(props.object.type, props.object.name, acl, props.allowed, superusers) } };
      },
      databaseOf(props),
    );
  },

  async update(_id: string, _olds: GrantsOutputs, news: GrantsInputs) {
    const g = normalize(news);
    assertNoFailures(`grants on ${show(g.object?.name)}`, failuresOf(g));
    return { outs: { ...g, acl: await converge(g), drift: [] } };
  },

  async delete(_id: string, props: GrantsOutputs) {
    await inTransaction(props.admin, (c) => revokeGrants(c, props.object.type, props.object.name, props.allowed), databaseOf(props));
  },
};

/** Inputs of a {@link Grants}. */
export interface GrantsArgs {
  /** The platform admin's connection to the server (a superuser); secret. */
  admin: pulumi.Input<SqlConnection>;
  /** The database or schema whose ACL this pins. Changing it replaces the resource. */
  object: pulumi.Input<GrantsObject>;
  /**
   * Exactly who may hold which privileges (a role name, or `PUBLIC`): database `CONNECT`,
   * `TEMPORARY`, `CREATE`; schema `USAGE`, `CREATE`. Everyone else's are revoked.
   * @default [] (nobody but the owner)
   */
  allowed?: pulumi.Input<pulumi.Input<{ grantee: pulumi.Input<string>; privileges: pulumi.Input<pulumi.Input<string>[]> }>[]>;
}

/** The exact ACL of one database or schema (type `pulumi-nodejs:dynamic/pgplatform:Grants`, kind `pgplatform:sql:grants`). */
export class Grants extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<string>;
  declare readonly object: pulumi.Output<GrantsObject>;
  declare readonly allowed: pulumi.Output<AllowedGrant[]>;
  /** The ACL as last read: each grantee (not the owner, not superusers) with its privileges. */
  declare readonly acl: pulumi.Output<AllowedGrant[]>;
  /** What read found different (`USAGE on schema tenant_a granted to tenant_b`, ...); empty after create/update. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: GrantsArgs, opts?: pulumi.CustomResourceOptions) {
    const props = { kind: KINDS.grants, acl: undefined, drift: undefined, ...args, admin: pulumi.secret(args.admin), allowed: args.allowed ?? [] };
    super(grantsProvider, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["admin"] }), "pgplatform", "Grants");
  }
}
