/**
 * What a local pg_single gets besides its server when its spec asks for it: scheduled maintenance
 * (pg_cron jobs at the start of the maintenance window) and quotas (a DbQuota resource). Called by
 * the local back end's renderSingle; refusals come from {@link maintenanceProblems} in checkSingle.
 */
import * as pulumi from "@pulumi/pulumi";
import { catalogInputOf, catalogTarget } from "../../../catalog/target";
import { PgSingleSpec } from "../../../model/spec";
import { Connection } from "../../../outputs";
import { DbQuota } from "../../../providers/dbQuota";
import { MaintenanceJobs } from "./jobs";
import { pgCronParameters, pgCronProblem, windowStartCron } from "./schedule";

/** Suffixes of the children. */
export const MAINTENANCE_CHILD = { maintenance: "maintenance", quota: "quota" } as const;

/** Bytes in a GiB. */
const GIB = 1024 ** 3;

/** What the local back end cannot honour of `maintenance` and `quotas`; empty when all is fine. */
export function maintenanceProblems(spec: PgSingleSpec): string[] {
  const out: string[] = [];
  if (spec.maintenance?.vacuumAnalyze) {
    const p = pgCronProblem(spec.version);
    if (p) out.push(p);
  }
  return out;
}

/** Server parameters the spec's maintenance needs (pg_cron), merged over the plan's. */
export function maintenanceParameters(spec: PgSingleSpec): Record<string, string> {
  return spec.maintenance?.vacuumAnalyze ? pgCronParameters() : {};
}

/** The maintenance and quota children of a local pg_single; returns them (empty when the spec asks for neither). */
export function renderMaintenance(scope: pulumi.ComponentResource, spec: PgSingleSpec, admin: Connection, server: pulumi.Resource): pulumi.Resource[] {
  const out: pulumi.Resource[] = [];
  const adminArgs = { host: admin.host, port: admin.port, user: admin.user, password: admin.password };
  if (spec.maintenance?.vacuumAnalyze) {
    out.push(
      new MaintenanceJobs(
        `${spec.name}-${MAINTENANCE_CHILD.maintenance}`,
        { admin: adminArgs, database: spec.databaseName, schedule: windowStartCron(spec.lifecycle.maintenanceWindow), vacuumAnalyze: true },
        { parent: scope, dependsOn: [server] },
      ),
    );
  }
  const q = spec.quotas;
  if (q) {
    const catalog = catalogInputOf(catalogTarget());
    out.push(
      new DbQuota(
        `${spec.name}-${MAINTENANCE_CHILD.quota}`,
        {
          admin: adminArgs,
          resourceId: spec.resourceId,
          database: spec.databaseName,
          ...(q.maxStorageGb !== undefined ? { maxStorageBytes: Math.round(q.maxStorageGb * GIB) } : {}),
          ...(q.maxConnections !== undefined ? { maxConnections: q.maxConnections } : {}),
          ...(q.maxQps !== undefined ? { maxQps: q.maxQps } : {}),
          warnAtPercent: q.warnAtPercent,
          onLimit: q.onLimit,
          ...(catalog ? { catalog } : {}),
        },
        { parent: scope, dependsOn: [server] },
      ),
    );
  }
  return out;
}
