/**
 * pgplatform: PostgreSQL as an abstract DBaaS resource, one typed API over AWS, Kubernetes and a
 * zero-cloud local back end.
 */
export { PgSingle, PgSingleArgs, PG_SINGLE_TYPE } from "./pgSingle";
export { Connection, Metadata, ResourceStatus } from "./outputs";
export { Backend, RenderedDbResource, backendFor } from "./backends/backend";
export * as model from "./model";
