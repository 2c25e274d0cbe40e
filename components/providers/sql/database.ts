/**
 * The dynamic provider for one tenant database, and its resource class `Database` (type
 * `pulumi-nodejs:dynamic/pgplatform:Database`).
 *
 * - Only the owner (and the platform admin, a superuser) may connect: CONNECT and TEMPORARY are
 *   revoked from PUBLIC and everyone else, granted to the owner. read reports any other privilege.
 * - create fails closed: `CREATE DATABASE ... ALLOW_CONNECTIONS false` (it cannot run in a
 *   transaction), then one transaction sets owner, limit and ACL and only then allows connections.
 *   A create killed in between leaves a database nobody can connect to, which the next run repairs.
 * - A rename is an in-place `ALTER DATABASE ... RENAME` (its sessions are ended first).
 * - delete per `onDelete.policy`: `lock` revokes CONNECT from the owner (and everyone) and ends the
 *   sessions, data kept; `drop` does the same, then (after a verified dump when
 *   `backupBeforeDelete`) `DROP DATABASE ... WITH (FORCE)`; `archive` always dumps and verifies
 *   first. A failed dump drops nothing and gives the owner its access back.
 */
import * as pulumi from "@pulumi/pulumi";
import { show } from "../../model/errors";
import { RESERVED_DATABASES, RESERVED_ROLES } from "../../model/identifiers";
import { KINDS } from "../values";
import { AllowedGrant, aclDrift, applyAcl, lockAclChanges, readAcl } from "./acl";
import { archiveDatabase } from "./archive";
import { SqlConnection, inTransaction, withClient } from "./connection";
import {
  CheckFailure, DataOnDelete, adminFailures, assertNoFailures, connectionLimitFailures, dataOnDelete, dataOnDeleteFailures, ident, kindFailures, loginChanged, nameFailures,
  sameServer, serverKnown, serverOf, unknown,
} from "./identifiers";
import { databaseExists, roleExists, sqlState, terminateSessions } from "./sessions";

/** The inputs of a database as the provider sees them (plain values, defaults filled by check). */
export interface DatabaseInputs {
  kind: string;
  admin: SqlConnection;
  name: string;
  owner: string;
  connectionLimit: number;
  onDelete: DataOnDelete;
}

/** Outputs: the inputs (as read reports them) plus its size and `drift`. */
export interface DatabaseOutputs extends DatabaseInputs {
  sizeBytes: number;
  drift: string[];
}

function failuresOf(d: any): CheckFailure[] {
  return [
    ...kindFailures(d.kind, KINDS.database),
    ...adminFailures(d.admin),
    ...nameFailures("name", d.name, RESERVED_DATABASES),
    ...nameFailures("owner", d.owner, RESERVED_ROLES),
    ...connectionLimitFailures(d.connectionLimit),
    ...dataOnDeleteFailures(d.onDelete),
  ];
}

function withDefaults(news: any): DatabaseInputs {
  return { ...news, connectionLimit: news.connectionLimit ?? -1, onDelete: dataOnDelete(news.onDelete) };
}

/** The owner's privileges: all a tenant needs to connect and use temporary tables. */
function ownerGrants(owner: string): AllowedGrant[] {
  return [{ grantee: owner, privileges: ["CONNECT", "TEMPORARY"] }];
}

async function converge(d: DatabaseInputs, previousName?: string): Promise<void> {
  const limit = Math.trunc(Number(d.connectionLimit));
  await withClient(d.admin, async (c) => {
    if (!(await roleExists(c, d.owner))) throw new Error(`database \`${d.name}\` needs its owner role \`${d.owner}\`, which does not exist (create the Role first)`);
    if (previousName && previousName !== d.name && (await databaseExists(c, previousName)) && !(await databaseExists(c, d.name))) {
      await terminateSessions(c, { database: previousName });
      await c.query(`ALTER DATABASE ${ident(c, previousName)} RENAME TO ${ident(c, d.name)}`);
    }
    if (await databaseExists(c, d.name)) return;
    try {
      await c.query(`CREATE DATABASE ${ident(c, d.name)} OWNER ${ident(c, d.owner)} TEMPLATE template0 ENCODING 'UTF8' CONNECTION LIMIT ${limit} ALLOW_CONNECTIONS false`);
    } catch (err) {
      if (sqlState(err) !== "42P04") throw err; // created meanwhile: converge it below
    }
  });
  await inTransaction(d.admin, async (c) => {
    const db = ident(c, d.name);
    await c.query(`ALTER DATABASE ${db} OWNER TO ${ident(c, d.owner)}`);
    await c.query(`ALTER DATABASE ${db} CONNECTION LIMIT ${limit}`);
    await applyAcl(c, "database", d.name, ownerGrants(d.owner));
    await c.query(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
  });
}

/** Revokes every privilege on the database, the owner's CONNECT and TEMPORARY included, and ends its sessions. */
async function fence(admin: SqlConnection, name: string): Promise<void> {
  await inTransaction(admin, async (c) => {
    const acl = await applyAcl(c, "database", name, []);
    if (acl) await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(c, name)} FROM ${ident(c, acl.owner)}`);
  });
  await withClient(admin, (c) => terminateSessions(c, { database: name }));
}

async function sizeOf(admin: SqlConnection, name: string): Promise<number> {
  const row = await withClient(admin, async (c) => (await c.query("SELECT pg_database_size(oid) AS size FROM pg_database WHERE datname = $1", [name])).rows[0]);
  return row ? Number(row.size) : 0;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const databaseProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    const inputs = withDefaults(news);
    return { inputs, failures: failuresOf(inputs) };
  },

  async diff(_id: string, olds: DatabaseOutputs, news: DatabaseInputs) {
    const replaces = serverKnown(news.admin) && !sameServer(olds.admin, news.admin) ? ["admin"] : [];
    const differs = (k: "name" | "owner" | "connectionLimit") => unknown(news[k]) || olds[k] !== news[k];
    const changed =
      (["name", "owner", "connectionLimit"] as const).some(differs) ||
      JSON.stringify(olds.onDelete) !== JSON.stringify(news.onDelete) ||
      unknown(news.admin) || loginChanged(olds.admin, news.admin) ||
      (olds.drift ?? []).length > 0;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: DatabaseInputs) {
    const d = withDefaults(inputs);
    assertNoFailures(`database ${show(d.name)}`, failuresOf(d));
    await converge(d);
    return { id: `${serverOf(d.admin)}/database/${d.name}`, outs: { ...d, sizeBytes: await sizeOf(d.admin, d.name), drift: [] } };
  },

  async read(id: string, props: DatabaseOutputs) {
    return withClient(props.admin, async (c) => {
      const sql = "SELECT pg_get_userbyid(datdba) AS owner, datconnlimit, datallowconn, pg_database_size(oid) AS size FROM pg_database WHERE datname = $1";
      const row = (await c.query(sql, [props.name])).rows[0];
      if (!row) return { id: "", props: {} };
      const acl = (await readAcl(c, "database", props.name))!;
      const drift: string[] = [];
      if (row.owner !== props.owner) drift.push("owner");
      if (row.datconnlimit !== props.connectionLimit) drift.push("connection limit");
      if (!row.datallowconn) drift.push("connections not allowed");
      drift.push(...aclDrift("database", props.name, acl, ownerGrants(acl.owner)));
      return { id, props: { ...props, owner: row.owner, connectionLimit: row.datconnlimit, sizeBytes: Number(row.size), drift } };
    });
  },

  async update(_id: string, olds: DatabaseOutputs, news: DatabaseInputs) {
    const d = withDefaults(news);
    assertNoFailures(`database ${show(d.name)}`, failuresOf(d));
    await converge(d, olds.name);
    return { outs: { ...d, sizeBytes: await sizeOf(d.admin, d.name), drift: [] } };
  },

  async delete(_id: string, props: DatabaseOutputs) {
    const { admin, name } = props;
    const policy = dataOnDelete(props.onDelete);
    if (!(await withClient(admin, (c) => databaseExists(c, name)))) return;
    await fence(admin, name);
    if (policy.policy === "lock") return;
    if (policy.policy === "archive" || policy.backupBeforeDelete) {
      try {
        if (!policy.archiveLocation) throw new Error("`onDelete.archiveLocation` is not set");
        await archiveDatabase(admin, name, policy.archiveLocation);
      } catch (err: any) {
        await inTransaction(admin, async (c) => {
          await lockAclChanges(c);
          const acl = await readAcl(c, "database", name);
          if (acl) await applyAcl(c, "database", name, ownerGrants(acl.owner));
        }).catch(() => undefined);
        throw new Error(`database \`${name}\` was not dropped (policy \`${policy.policy}\`): ${err.message}`);
      }
    }
    await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(c, name)} WITH (FORCE)`));
  },
};

/** Inputs of a {@link Database}. */
export interface DatabaseArgs {
  /** The platform admin's connection to the server (a superuser); secret. */
  admin: pulumi.Input<SqlConnection>;
  /** The database's name: lower case, at most 63 bytes, no `pg_` prefix, not reserved. Changing it renames in place. */
  name: pulumi.Input<string>;
  /** The owning role (must exist: create its Role first). Only it may connect. */
  owner: pulumi.Input<string>;
  /** Most concurrent sessions. @default -1 (no limit) */
  connectionLimit?: pulumi.Input<number>;
  /** What deleting the resource does. @default { policy: "lock", backupBeforeDelete: false } */
  onDelete?: pulumi.Input<DataOnDelete>;
}

/** One tenant database (type `pulumi-nodejs:dynamic/pgplatform:Database`, kind `pgplatform:sql:database`). */
export class Database extends pulumi.dynamic.Resource {
  declare readonly kind: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly owner: pulumi.Output<string>;
  declare readonly connectionLimit: pulumi.Output<number>;
  declare readonly onDelete: pulumi.Output<DataOnDelete>;
  /** `pg_database_size` at the last create, update or refresh. */
  declare readonly sizeBytes: pulumi.Output<number>;
  /** What read found different (`owner`, `connection limit`, `CONNECT on database x granted to PUBLIC`, ...); empty after create/update. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      kind: KINDS.database,
      sizeBytes: undefined,
      drift: undefined,
      ...args,
      admin: pulumi.secret(args.admin),
      connectionLimit: args.connectionLimit ?? -1,
      onDelete: args.onDelete ?? { policy: "lock", backupBeforeDelete: false },
    };
    super(databaseProvider, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["admin"] }), "pgplatform", "Database");
  }
}
