/**
 * Stack resources as the engine hands them to `AnalyzeStack`: components with the `facts` output
 * they register, and primitives (with or without a component) with their labels or tags.
 */
import { ResourceFixture, UNKNOWN, urnOf } from "./harness";

const LOCAL_SERVER = "pulumi-nodejs:dynamic/pgplatform:LocalServer";
const CATALOG_RECORD = "pulumi-nodejs:dynamic/pgplatform:CatalogRecord";
/** The preview sentinel of an unknown string (a record's `lifecycle`, a quota's `state`). */
const UNKNOWN_STATE = UNKNOWN.string;
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

/** What a db_resource is: ids, plan, size. */
export interface DbFacts {
  resourceId: string;
  projectId: string;
  environmentId: string;
  plan?: string;
  storageGb: unknown;
  kind?: string;
}

/** The `pgplatform.io/*` labels every child of a db_resource carries. */
export function labelsOf(f: Pick<DbFacts, "resourceId" | "projectId" | "environmentId" | "plan" | "kind">): Record<string, string> {
  return {
    "pgplatform.io/project": f.projectId,
    "pgplatform.io/environment": f.environmentId,
    "pgplatform.io/plan": f.plan ?? "small_single",
    "pgplatform.io/resource-id": f.resourceId,
    "pgplatform.io/kind": f.kind ?? "pg_single",
    "app.kubernetes.io/managed-by": "pgplatform",
  };
}

/** A PgSingle component as its registered outputs show it (facts plain; connection partly secret). */
export function pgSingle(name: string, f: DbFacts): ResourceFixture {
  return {
    type: "pgplatform:index:PgSingle",
    name,
    props: {
      facts: { kind: "pg_single", resourceId: f.resourceId, projectId: f.projectId, environmentId: f.environmentId, environmentTier: "production", plan: f.plan ?? "small_single", version: "17", backend: "local", storageGb: f.storageGb },
      connection: { host: "127.0.0.1", port: 5432, database: "app", user: "app", password: { ...SECRET, value: "pw" }, uri: { ...SECRET, value: "postgresql://app:pw@127.0.0.1:5432/app" } },
      resourceId: f.resourceId,
      status: "RUNNING",
    },
  };
}

/** A LocalServer primitive: a PgSingle's child (`parent`), or one made by hand. */
export function localServer(name: string, f: DbFacts, parent?: ResourceFixture, labels: unknown = labelsOf(f)): ResourceFixture {
  return {
    type: LOCAL_SERVER,
    name,
    parent: parent ? urnOf(parent.type, parent.name) : undefined,
    urn: parent ? urnOf(LOCAL_SERVER, name, urnOf(parent.type, parent.name)) : undefined,
    props: { kind: "pgplatform:local:server", resourceId: f.resourceId, resourceKind: "pg_single", version: "17", storageGb: f.storageGb, labels, allowedCidrs: ["127.0.0.1/32"] },
  };
}

/** A PgSingle with its LocalServer child: the pair shares one resource id and must count once. */
export function pgSingleWithServer(name: string, f: DbFacts): ResourceFixture[] {
  const c = pgSingle(name, f);
  return [c, localServer(`${name}-server`, f, c)];
}

/** An `aws:rds/instance:Instance` with pgplatform tags (a read replica when `replicateSourceDb` is set). */
export function rdsInstance(name: string, f: DbFacts, replicateSourceDb?: string): ResourceFixture {
  return {
    type: "aws:rds/instance:Instance",
    name,
    props: { engine: "postgres", instanceClass: "db.t4g.small", allocatedStorage: f.storageGb, tags: labelsOf(f), ...(replicateSourceDb ? { replicateSourceDb } : {}) },
  };
}

/** A CloudNativePG Cluster with pgplatform labels and `spec.storage.size` (a Kubernetes quantity). */
export function cnpgCluster(name: string, f: Omit<DbFacts, "storageGb">, size: unknown): ResourceFixture {
  return {
    type: "kubernetes:postgresql.cnpg.io/v1:Cluster",
    name,
    props: { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name, labels: labelsOf({ ...f, kind: "pg_cluster" }) }, spec: { instances: 3, storage: { size } } },
  };
}

/** What a tenant is. */
export interface TenantFacts {
  tenantId: string;
  projectId?: string;
  environmentId?: string;
  targetResourceId: unknown;
  maxConnections?: unknown;
}

/** A TenantDatabase component as its registered outputs show it. */
export function tenantDatabase(name: string, t: TenantFacts): ResourceFixture {
  return {
    type: "pgplatform:index:TenantDatabase",
    name,
    props: {
      roleName: `tenant_${t.tenantId}`,
      quotaState: "ok",
      facts: { tenantId: t.tenantId, projectId: t.projectId ?? "saas", environmentId: t.environmentId ?? "dev", targetResourceId: t.targetResourceId, mode: "database_per_tenant", maxConnections: t.maxConnections ?? null, maxStorageGb: null },
    },
  };
}

/** A tenant mapping in the catalogue: a TenantDatabase's child (`parent`), or one written by hand. */
export function tenantRecord(name: string, t: TenantFacts, parent?: ResourceFixture): ResourceFixture {
  const quota = t.maxConnections === undefined ? { warnAtPercent: 80, onLimit: "warn", state: UNKNOWN_STATE } : { maxConnections: t.maxConnections, warnAtPercent: 80, onLimit: "warn", state: UNKNOWN_STATE };
  const parentUrn = parent ? urnOf(parent.type, parent.name) : undefined;
  return {
    type: CATALOG_RECORD,
    name,
    parent: parentUrn,
    urn: urnOf(CATALOG_RECORD, name, parentUrn),
    props: {
      kind: "pgplatform:catalog:record",
      recordType: "tenant",
      recordId: `saas-dev-${t.tenantId}`,
      catalog: { ...SECRET, value: { local: { dataRoot: "/srv/pgplatform" } } },
      data: { tenantId: t.tenantId, projectId: t.projectId ?? "saas", environmentId: t.environmentId ?? "dev", resourceId: t.targetResourceId, mode: "database_per_tenant", roleName: `tenant_${t.tenantId}`, status: "RUNNING", lifecycle: UNKNOWN_STATE, quota },
    },
  };
}

/** A TenantDatabase with its catalogue record child: one tenant, counted once. */
export function tenantWithRecord(name: string, t: TenantFacts): ResourceFixture[] {
  const c = tenantDatabase(name, t);
  return [c, tenantRecord(`${name}-record`, t, c)];
}

/** Something no quota counts: a random password. */
export function randomPassword(name: string): ResourceFixture {
  return { type: "random:index/randomPassword:RandomPassword", name, props: { length: 32, special: false, result: { ...SECRET, value: "x".repeat(32) } } };
}
