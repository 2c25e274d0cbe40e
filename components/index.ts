/**
 * pgplatform: PostgreSQL as an abstract DBaaS resource, one typed API over AWS, Kubernetes and a
 * zero-cloud local back end.
 */
export { PgSingle, PgSingleArgs, PG_SINGLE_TYPE } from "./pgSingle";
export { TenantDatabase, TenantDatabaseArgs, TenantTarget, TENANT_DATABASE_TYPE } from "./tenantDatabase";
export { Connection, Metadata, ResourceStatus } from "./outputs";
export { Backend, RenderedDbResource, backendFor } from "./backends/backend";
export * as model from "./model";
export * as catalog from "./catalog";
export * as monitoring from "./monitoring/collectors";
