/**
 * TenantDatabase: one tenant on a shared db_resource, in its own database (`database_per_tenant`)
 * or its own schema of the shared database (`schema_per_tenant`), with its own login role, an
 * exact ACL, optional quotas, a deletion policy, and a record in the catalogue.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { catalogInputOf, catalogTarget } from "./catalog/target";
import { TENANT_GROUP } from "./backends/local/config";
import { awsTenantProblems, sqlTlsOf } from "./backends/aws/sqlAccess";
import { Problems } from "./model/errors";
import { subjectOf } from "./model/schemas/parse";
import { DEFAULTS } from "./model/defaults";
import { parseTenantDatabaseArgs } from "./model/schemas/tenantDatabase";
import { DbResourceRef, PgClusterSpec, PgSingleSpec, TenantDatabaseSpec } from "./model/spec";
import { Connection, connectionOf } from "./outputs";
import { CatalogRecord } from "./providers/catalogRecord";
import { SqlConnection } from "./providers/sql/connection";
import { Database } from "./providers/sql/database";
import { Grants } from "./providers/sql/grants";
import { Role } from "./providers/sql/role";
import { Schema } from "./providers/sql/schema";
import { TenantQuota } from "./providers/sql/tenantQuota";

/** What a TenantDatabase needs of its target: a PgSingle or a PgCluster. */
export interface TenantTarget {
  readonly spec: PgSingleSpec | PgClusterSpec;
  readonly connection: Connection;
  readonly adminConnection: Connection;
}

/** Arguments of a {@link TenantDatabase}. */
export interface TenantDatabaseArgs {
  /** The tenant's id: 1-40 of `a-z`, `0-9`, `-`. */
  tenantId: string;
  /** Project the tenant belongs to. */
  projectId: string;
  /** Environment the tenant belongs to. */
  environmentId: string;
  /** The shared db_resource (a PgSingle or PgCluster) the tenant lives on. */
  target: TenantTarget;
  /** `database_per_tenant` (its own database) or `schema_per_tenant` (its own schema of the target's database). */
  mode: "database_per_tenant" | "schema_per_tenant";
  /**
   * Name of the tenant's database or schema, which is also its role's name. Placeholders:
   * `{tenant_id}`, `{project_id}`, `{environment_id}` (`-` becomes `_`).
   * @default "tenant_{tenant_id}"
   */
  naming?: string;
  /**
   * Quotas: connections (on the role, and on the database in database mode) and storage, measured
   * and enforced: a warning at `warnAtPercent`, and at the limit `lock` refuses new logins.
   * @default - no quota
   */
  quotas?: { maxConnections?: number; maxStorageGb?: number; warnAtPercent?: number; onLimit?: "warn" | "lock" };
  /**
   * What deleting the tenant does: `drop`, `lock` (no login, no connect, sessions ended, data kept)
   * or `archive` (a verified pg_dump, then drop). `backupBeforeDelete` dumps before a drop.
   * @default - `lock` in production, `drop` elsewhere; a dump before a drop in production
   */
  deletion?: { policy?: "drop" | "lock" | "archive"; backupBeforeDelete?: boolean; archiveLocation?: string };
}

/** The type token of {@link TenantDatabase}. */
export const TENANT_DATABASE_TYPE = "pgplatform:index:TenantDatabase";

/** Suffixes of a tenant's children. */
export const TENANT_CHILD = {
  password: "password",
  role: "role",
  database: "database",
  schema: "schema",
  grants: "grants",
  quota: "quota",
  record: "record",
} as const;

const GIB = 1024 ** 3;

function refOf(target: TenantTarget | undefined): DbResourceRef | undefined {
  const spec = target?.spec;
  if (!spec || (spec.kind !== "pg_single" && spec.kind !== "pg_cluster")) return undefined;
  return {
    kind: spec.kind,
    plan: spec.plan,
    backend: spec.backend,
    resourceId: spec.resourceId,
    environmentTier: spec.environmentTier,
    databaseName: spec.databaseName,
    username: spec.username,
  };
}

/** Admin connection Outputs already built, per target and database: a thousand tenants share a few. */
const ADMIN_CACHE = new WeakMap<TenantTarget, Map<string, pulumi.Output<SqlConnection>>>();

/** The target's superuser connection as a provider input (a secret), to `database`; built once per target and database. */
function adminOf(target: TenantTarget, database: string): pulumi.Output<SqlConnection> {
  let byDatabase = ADMIN_CACHE.get(target);
  if (!byDatabase) ADMIN_CACHE.set(target, (byDatabase = new Map()));
  let admin = byDatabase.get(database);
  if (!admin) {
    const a = target.adminConnection;
    // RDS forces TLS (the aws back end's admin connection is the RDS endpoint, which its certificate names).
    const ssl = target.spec.backend === "aws" ? { ssl: sqlTlsOf(target.spec) } : {};
    admin = pulumi.secret(pulumi.all([a.host, a.port, a.user, a.password]).apply(([host, port, user, password]) => ({ host, port, user, password, database, ...ssl })));
    byDatabase.set(database, admin);
  }
  return admin;
}

/**
 * A tenant on a shared PgSingle or PgCluster.
 *
 * ```ts
 * const shared = new PgSingle("shared", { projectId: "saas", environmentId: "dev", plan: "dev_single" });
 * const acme = new TenantDatabase("acme", { tenantId: "acme", projectId: "saas", environmentId: "dev", target: shared, mode: "database_per_tenant" });
 * export const acmeUri = acme.connection.uri; // a secret
 * ```
 */
export class TenantDatabase extends pulumi.ComponentResource {
  readonly spec: TenantDatabaseSpec;
  /** The tenant's own connection (its role, its database); `password` and `uri` are secrets. */
  readonly connection: Connection;
  /** Its role's name (also its database's or schema's name). */
  readonly roleName: string;
  /** Its database (database mode) or the shared database that holds its schema. */
  readonly databaseName: string;
  /** Its schema (schema mode), else undefined. */
  readonly schemaName?: string;
  /** Storage quota state (`ok`, `warning`, `over`, `locked`), or `none` without a storage quota. */
  readonly quotaState: pulumi.Output<string>;
  /** Storage used in bytes as last measured, or 0 without a storage quota. */
  readonly usageBytes: pulumi.Output<number>;

  constructor(name: string, args: TenantDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = parseTenantDatabaseArgs(name, args, { target: refOf(args?.target) });
    const onBackend = new Problems();
    for (const problem of awsTenantProblems(args.target.spec, spec)) onBackend.add(problem.path, problem.message);
    onBackend.throwIfAny(subjectOf("TenantDatabase", name));
    const catalog = catalogTarget();
    const target = args.target;
    const { target: _omit, ...plainArgs } = args;
    super(TENANT_DATABASE_TYPE, name, { ...plainArgs, target: spec.target }, opts);
    this.spec = spec;
    const parent = { parent: this };
    const role = spec.roleName;
    const shared = target.spec.databaseName;
    const inDatabase = spec.mode === "database_per_tenant";
    this.roleName = role;
    this.databaseName = inDatabase ? spec.databaseName : shared;
    this.schemaName = inDatabase ? undefined : spec.schemaName;

    const password = pulumi.secret(
      new random.RandomPassword(`${name}-${TENANT_CHILD.password}`, { length: DEFAULTS.passwordLength, special: false }, parent).result,
    );
    const tenantRole = new Role(
      `${name}-${TENANT_CHILD.role}`,
      {
        admin: adminOf(target, "postgres"),
        name: role,
        password,
        login: true,
        connectionLimit: spec.quotas.maxConnections ?? -1,
        memberOf: [TENANT_GROUP],
        onDelete: spec.deletion.policy === "lock" ? "lock" : "drop",
      },
      parent,
    );
    const onDelete = { policy: spec.deletion.policy, backupBeforeDelete: spec.deletion.backupBeforeDelete, ...(spec.deletion.archiveLocation ? { archiveLocation: spec.deletion.archiveLocation } : {}) };
    const after = { parent: this, dependsOn: [tenantRole] };
    const home = inDatabase
      ? new Database(
          `${name}-${TENANT_CHILD.database}`,
          { admin: adminOf(target, "postgres"), name: spec.databaseName, owner: role, connectionLimit: spec.quotas.maxConnections ?? -1, onDelete },
          after,
        )
      : new Schema(`${name}-${TENANT_CHILD.schema}`, { admin: adminOf(target, shared), name: spec.schemaName, owner: role, onDelete }, after);
    new Grants(
      `${name}-${TENANT_CHILD.grants}`,
      inDatabase
        ? { admin: adminOf(target, "postgres"), object: { type: "database", name: spec.databaseName }, allowed: [{ grantee: role, privileges: ["CONNECT", "TEMPORARY"] }] }
        : { admin: adminOf(target, shared), object: { type: "schema", name: spec.schemaName, database: shared }, allowed: [] },
      { parent: this, dependsOn: [home] },
    );

    let quota: TenantQuota | undefined;
    if (spec.quotas.maxStorageGb !== undefined) {
      quota = new TenantQuota(
        `${name}-${TENANT_CHILD.quota}`,
        {
          admin: adminOf(target, inDatabase ? "postgres" : shared),
          scope: inDatabase ? { type: "database", name: spec.databaseName } : { type: "schema", database: shared, name: spec.schemaName },
          role,
          maxStorageBytes: Math.round(spec.quotas.maxStorageGb * GIB),
          warnAtPercent: spec.quotas.warnAtPercent,
          onLimit: spec.quotas.onLimit,
        },
        { parent: this, dependsOn: [home] },
      );
    }
    this.quotaState = quota ? quota.state : pulumi.output("none");
    this.usageBytes = quota ? quota.usageBytes : pulumi.output(0);

    const c = target.connection;
    this.connection = connectionOf(c.host, c.port, this.databaseName, tenantRole.name, password);

    const catalogInput = catalogInputOf(catalog);
    if (catalogInput) {
      new CatalogRecord(
        `${name}-${TENANT_CHILD.record}`,
        {
          catalog: catalogInput,
          recordType: "tenant",
          recordId: spec.resourceId,
          data: {
            tenantId: spec.tenantId,
            projectId: spec.projectId,
            environmentId: spec.environmentId,
            resourceId: spec.target.resourceId,
            mode: spec.mode,
            ...(inDatabase ? { databaseName: spec.databaseName } : { databaseName: shared, schemaName: spec.schemaName }),
            roleName: role,
            status: "RUNNING",
            lifecycle: this.quotaState.apply((s) => (s === "locked" ? "PAUSED" : "ACTIVE")),
            quota: { ...spec.quotas, state: this.quotaState },
          },
        },
        // After the target's own record: a tenant row refers to its db_resource's row.
        { parent: this, dependsOn: target instanceof pulumi.Resource ? [home, target] : [home] },
      );
    }
    this.registerOutputs({
      connection: this.connection,
      roleName: role,
      databaseName: this.databaseName,
      schemaName: this.schemaName,
      quotaState: this.quotaState,
      // Plain facts for stack policies (tenants per db_resource, connections per tenant), known at preview.
      facts: {
        tenantId: spec.tenantId,
        projectId: spec.projectId,
        environmentId: spec.environmentId,
        targetResourceId: spec.target.resourceId,
        mode: spec.mode,
        maxConnections: spec.quotas.maxConnections ?? null,
        maxStorageGb: spec.quotas.maxStorageGb ?? null,
      },
    });
  }
}
