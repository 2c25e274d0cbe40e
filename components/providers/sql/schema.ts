/**
 * The dynamic provider for one tenant schema in a shared database (schema_per_tenant), and its
 * resource class `Schema` (type `pulumi-nodejs:dynamic/pgplatform:Schema`). The shared database is
 * `admin.database`.
 *
 * create is one transaction (all or nothing): the schema owned by the tenant role, privileges on it
 * for nobody else, CONNECT on the shared database for the owner, the owner's `search_path` there set
 * to its schema (unqualified names land in it), the owner's default privileges without PUBLIC's
 * EXECUTE on functions and USAGE on types (set for the role in that database: PostgreSQL cannot
 * revoke built-in defaults per schema), and `REVOKE ALL ON SCHEMA public FROM PUBLIC`, which applies
 * to the whole shared database (idempotent; every tenant there wants it).
 *
 * delete per `onDelete.policy`: `lock` revokes the owner's CONNECT on the shared database and ends
 * its sessions there (data kept); `drop` does the same, then (after a verified dump when
 * `backupBeforeDelete`) drops the schema with CASCADE and resets the owner's settings there;
 * `archive` always dumps and verifies first. A failed dump drops nothing and gives CONNECT back.
 * One owner per schema is assumed: the owner's search_path and default privileges are reset on drop.
 */
import * as pulumi from "@pulumi/pulumi";
import { show } from "../../model/errors";
import { RESERVED_ROLES, RESERVED_SCHEMAS } from "../../model/identifiers";
import { KINDS } from "../values";
import { aclDrift, applyAcl, lockAclChanges, readAcl } from "./acl";
import { archiveSchema } from "./archive";
import { SqlConnection, inTransaction, withClient } from "./connection";
import {
  CheckFailure, DataOnDelete, adminFailures, assertNoFailures, dataOnDelete, dataOnDeleteFailures, ident, kindFailures, loginChanged, nameFailures, sameServer, serverKnown, serverOf, unknown,
} from "./identifiers";
import { roleExists, schemaExists, terminateSessions } from "./sessions";

/** The inputs of a schema as the provider sees them (plain values, defaults filled by check). */
export interface SchemaInputs {
  kind: string;
  /** Its `database` is the shared database. */
  admin: SqlConnection;
  name: string;
  owner: string;
  onDelete: DataOnDelete;
}

/** Outputs: the inputs (as read reports them) plus the shared database, the owner's search_path there, and `drift`. */
export interface SchemaOutputs extends SchemaInputs {
  database: string;
  searchPath: string;
  drift: string[];
}

function failuresOf(s: any): CheckFailure[] {
  return [
    ...kindFailures(s.kind, KINDS.schema),
    ...adminFailures(s.admin, { needsDatabase: true }),
    ...nameFailures("name", s.name, RESERVED_SCHEMAS),
    ...nameFailures("owner", s.owner, RESERVED_ROLES),
    ...dataOnDeleteFailures(s.onDelete),
  ];
}

function withDefaults(news: any): SchemaInputs {
  return { ...news, onDelete: dataOnDelete(news.onDelete) };
}

const SEARCH_PATH_SQL = `SELECT substr(cfg, length('search_path=') + 1) AS v FROM pg_db_role_setting s, unnest(s.setconfig) cfg
  WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1) AND cfg LIKE 'search_path=%'`;

/** The owner's search_path in the client's database, as stored (`tenant_a`), or "" when not set. */
async function searchPathOf(client: any, role: string): Promise<string> {
  return (await client.query(SEARCH_PATH_SQL, [role])).rows[0]?.v ?? "";
}

async function converge(s: SchemaInputs, previous?: { name: string; owner: string }): Promise<string> {
  return inTransaction(
    s.admin,
    async (c) => {
      await lockAclChanges(c);
      if (!(await roleExists(c, s.owner))) throw new Error(`schema \`${s.name}\` needs its owner role \`${s.owner}\`, which does not exist (create the Role first)`);
      const [schema, owner, db] = [ident(c, s.name), ident(c, s.owner), ident(c, s.admin.database!)];
      if (previous && previous.name !== s.name && (await schemaExists(c, previous.name)) && !(await schemaExists(c, s.name))) {
        await c.query(`ALTER SCHEMA ${ident(c, previous.name)} RENAME TO ${schema}`);
      }
      if (await schemaExists(c, s.name)) await c.query(`ALTER SCHEMA ${schema} OWNER TO ${owner}`);
      else await c.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`);
      await applyAcl(c, "schema", s.name, []);
      if (await schemaExists(c, "public")) await c.query("REVOKE ALL ON SCHEMA public FROM PUBLIC");
      await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
      await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} REVOKE USAGE ON TYPES FROM PUBLIC`);
      await c.query(`ALTER ROLE ${owner} IN DATABASE ${db} SET search_path = ${schema}`);
      await c.query(`GRANT CONNECT ON DATABASE ${db} TO ${owner}`);
      if (previous && previous.owner !== s.owner && (await roleExists(c, previous.owner))) {
        await c.query(`ALTER ROLE ${ident(c, previous.owner)} IN DATABASE ${db} RESET search_path`);
      }
      return searchPathOf(c, s.owner);
    },
    s.admin.database,
  );
}

/** Revokes the owner's CONNECT on the shared database and ends its sessions there; fails if it could still connect. */
async function fence(admin: SqlConnection, owner: string): Promise<void> {
  const database = admin.database!;
  await withClient(
    admin,
    async (c) => {
      if (!(await roleExists(c, owner))) return;
      await c.query(`REVOKE CONNECT ON DATABASE ${ident(c, database)} FROM ${ident(c, owner)}`);
      await terminateSessions(c, { role: owner, database });
      const still = (await c.query("SELECT has_database_privilege($1, current_database(), 'CONNECT') AS c", [owner])).rows[0].c;
      if (still) throw new Error(`role \`${owner}\` can still connect to database \`${database}\` (through PUBLIC or a group it belongs to): revoke that first`);
    },
    database,
  );
}

async function unfence(admin: SqlConnection, owner: string): Promise<void> {
  await withClient(admin, async (c) => (await roleExists(c, owner)) && c.query(`GRANT CONNECT ON DATABASE ${ident(c, admin.database!)} TO ${ident(c, owner)}`), admin.database);
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const schemaProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    const inputs = withDefaults(news);
    return { inputs, failures: failuresOf(inputs) };
  },

  async diff(_id: string, olds: SchemaOutputs, news: SchemaInputs) {
    const movedDb = serverKnown(news.admin) && !unknown(news.admin.database) && news.admin.database !== olds.admin?.database;
    const replaces = serverKnown(news.admin) && (!sameServer(olds.admin, news.admin) || movedDb) ? ["admin"] : [];
    const changed =
      unknown(news.name) || olds.name !== news.name ||
      unknown(news.owner) || olds.owner !== news.owner ||
      JSON.stringify(olds.onDelete) !== JSON.stringify(news.onDelete) ||
      unknown(news.admin) || loginChanged(olds.admin, news.admin) ||
      (olds.drift ?? []).length > 0;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: SchemaInputs) {
    const s = withDefaults(inputs);
    assertNoFailures(`schema ${show(s.name)}`, failuresOf(s));
    const searchPath = await converge(s);
    return { id: `${serverOf(s.admin)}/${s.admin.database}/schema/${s.name}`, outs: { ...s, database: s.admin.database, searchPath, drift: [] } };
  },

  async read(id: string, props: SchemaOutputs) {
    return withClient(
      props.admin,
      async (c) => {
        const row = (await c.query("SELECT pg_get_userbyid(nspowner) AS owner, quote_ident($1) AS path FROM pg_namespace WHERE nspname = $1", [props.name])).rows[0];
        if (!row) return { id: "", props: {} };
        const searchPath = await searchPathOf(c, row.owner);
        const drift: string[] = [];
        if (row.owner !== props.owner) drift.push("owner");
        if (searchPath !== row.path) drift.push("search_path");
        drift.push(...aclDrift("schema", props.name, (await readAcl(c, "schema", props.name))!, []));
        if (!(await c.query("SELECT has_database_privilege($1, current_database(), 'CONNECT') AS c", [row.owner])).rows[0].c) {
          drift.push(`CONNECT on database ${props.admin.database} not granted to ${row.owner}`);
        }
        const pub = await readAcl(c, "schema", "public");
        for (const e of pub?.entries ?? []) if (e.grantee === "PUBLIC") drift.push(`${e.privilege} on schema public granted to PUBLIC`);
        return { id, props: { ...props, owner: row.owner, database: props.admin.database, searchPath, drift } };
      },
      props.admin.database,
    );
  },

  async update(_id: string, olds: SchemaOutputs, news: SchemaInputs) {
    const s = withDefaults(news);
    assertNoFailures(`schema ${show(s.name)}`, failuresOf(s));
    const searchPath = await converge(s, { name: olds.name, owner: olds.owner });
    return { outs: { ...s, database: s.admin.database, searchPath, drift: [] } };
  },

  async delete(_id: string, props: SchemaOutputs) {
    const { admin, name, owner } = props;
    const policy = dataOnDelete(props.onDelete);
    if (!(await withClient(admin, (c) => schemaExists(c, name), admin.database))) return;
    await fence(admin, owner);
    if (policy.policy === "lock") return;
    if (policy.policy === "archive" || policy.backupBeforeDelete) {
      try {
        if (!policy.archiveLocation) throw new Error("`onDelete.archiveLocation` is not set");
        await archiveSchema(admin, admin.database!, name, policy.archiveLocation);
      } catch (err: any) {
        await unfence(admin, owner).catch(() => undefined);
        throw new Error(`schema \`${name}\` was not dropped (policy \`${policy.policy}\`): ${err.message}`);
      }
    }
    await inTransaction(
      admin,
      async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS ${ident(c, name)} CASCADE`);
        if (!(await roleExists(c, owner))) return;
        const o = ident(c, owner);
        await c.query(`ALTER ROLE ${o} IN DATABASE ${ident(c, admin.database!)} RESET search_path`);
        await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${o} GRANT EXECUTE ON FUNCTIONS TO PUBLIC`);
        await c.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${o} GRANT USAGE ON TYPES TO PUBLIC`);
      },
      admin.database,
    );
  },
};

/** Inputs of a {@link Schema}. */
export interface SchemaArgs {
  /** The platform admin's connection (a superuser) to the shared database the schema lives in (`database` is required); secret. */
  admin: pulumi.Input<SqlConnection>;
  /** The schema's name: lower case, at most 63 bytes, no `pg_` prefix, not `public`. Changing it renames in place. */
  name: pulumi.Input<string>;
  /** The owning role (must exist: create its Role first). Only it has privileges on the schema. */
  owner: pulumi.Input<string>;
  /** What deleting the resource does. @default { policy: "lock", backupBeforeDelete: false } */
  onDelete?: pulumi.Input<DataOnDelete>;
}

/** One tenant schema in a shared database (type `pulumi-nodejs:dynamic/pgplatform:Schema`, kind `pgplatform:sql:schema`). */
export class Schema extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly owner: pulumi.Output<string>;
  declare readonly onDelete: pulumi.Output<DataOnDelete>;
  /** The shared database (`admin.database`). */
  declare readonly database: pulumi.Output<string>;
  /** The owner's search_path in the shared database, as stored (`tenant_a`). */
  declare readonly searchPath: pulumi.Output<string>;
  /** What read found different (`owner`, `search_path`, `USAGE on schema tenant_a granted to tenant_b`, ...); empty after create/update. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: SchemaArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      kind: KINDS.schema,
      database: undefined,
      searchPath: undefined,
      drift: undefined,
      ...args,
      admin: pulumi.secret(args.admin),
      onDelete: args.onDelete ?? { policy: "lock", backupBeforeDelete: false },
    };
    super(schemaProvider, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["admin"] }), "pgplatform", "Schema");
  }
}
