/**
 * The platform's catalogue (control plane): every db_resource, tenant mapping, backup, scale event,
 * migration and failover as a record in the PostgreSQL schema `pgplatform_catalog`, with its history.
 * Program side: `catalogTarget()` reads stack config, `catalogInputOf()` turns it into the `catalog`
 * input of a `CatalogRecord` (in `../providers/catalogRecord`).
 */
export { CATALOG_MODES, CatalogTarget, catalogInputOf, catalogTarget, parseCatalogUri } from "./target";
export { CATALOG_SCHEMA, MIGRATIONS, Migration, migrate } from "./migrations";
export { CatalogRow, UpsertResult, appendEvent, markDeleted, readRecord, upsertRecord, withCatalog } from "./store";
export { LOCAL_CATALOG_DATABASE, LOCAL_CATALOG_ID, LocalCatalogOptions, ensureLocalCatalog, localCatalogPaths } from "./localCatalog";
export * from "./records";
