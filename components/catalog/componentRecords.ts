/**
 * How components write their own records into the catalogue: one CatalogRecord child each, with
 * the fields a dashboard needs and never a password.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedDbResource } from "../backends/backend";
import { DbResourceSpec } from "../model/spec";
import { CatalogInput, CatalogRecord } from "../providers/catalogRecord";

/** Suffix of the catalogue record child of every component. */
export const RECORD_SUFFIX = "record";

/** Records a db_resource (PgSingle, PgCluster): id, endpoints, status, lifecycle, metadata. */
export function recordDbResource(
  scope: pulumi.ComponentResource,
  name: string,
  catalog: pulumi.Input<CatalogInput>,
  spec: DbResourceSpec,
  rendered: RenderedDbResource,
): CatalogRecord {
  const c = rendered.connection;
  return new CatalogRecord(
    `${name}-${RECORD_SUFFIX}`,
    {
      catalog,
      recordType: "db_resource",
      recordId: spec.resourceId,
      data: {
        kind: spec.kind,
        projectId: spec.projectId,
        environmentId: spec.environmentId,
        plan: spec.plan,
        version: spec.version,
        backend: spec.backend,
        region: rendered.metadata.apply((m) => m.region),
        endpoints: {
          write: { host: c.host, port: c.port, database: c.database, user: c.user },
          ...(spec.kind === "pg_cluster" ? { read: { host: rendered.endpoints.read.host, port: rendered.endpoints.read.port, database: c.database, user: c.user } } : {}),
        },
        status: rendered.status,
        lifecycle: spec.lifecycle.state === "paused" ? "PAUSED" : "ACTIVE",
        metadata: rendered.metadata.apply((m) => ({ size: m.size, tier: spec.environmentTier, labels: spec.labels })),
      },
    },
    { parent: scope },
  );
}
