/**
 * Scheduled maintenance on the aws back end: `maintenance.vacuumAnalyze` is a pg_cron job at the
 * start of the maintenance window. pg_cron is preloaded through the parameter group
 * (`shared_preload_libraries`, `cron.database_name` = the application database: the settings'
 * `pgCron`), and the extension and its job are made through the SQL providers over TLS, which needs
 * `aws.sqlAccess` (the program must reach the database). The same MaintenanceJobs provider as on local.
 */
import * as pulumi from "@pulumi/pulumi";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { MaintenanceJobs } from "../local/maintenance/jobs";
import { windowStartCron } from "../local/maintenance/schedule";
import { adminSqlOf, sqlAccessOf } from "./sqlAccess";

/** Suffix of the maintenance child. */
export const AWS_MAINTENANCE_CHILD = "maintenance";

/** The pg_cron job of `spec`'s maintenance, or undefined when none is asked (or SQL access is off: the check refuses that). */
export function renderAwsMaintenance(
  scope: pulumi.ComponentResource,
  name: string,
  spec: PgSingleSpec | PgClusterSpec,
  endpoint: { host: pulumi.Input<string>; port: pulumi.Input<number> },
  masterPassword: pulumi.Input<string>,
  dependsOn: pulumi.Resource[],
): MaintenanceJobs | undefined {
  if (!spec.maintenance?.vacuumAnalyze || !sqlAccessOf(spec)) return undefined;
  const admin = pulumi.secret(pulumi.all([endpoint.host, endpoint.port, masterPassword]).apply(([host, port, pw]) => adminSqlOf(spec, host, port, pw)));
  return new MaintenanceJobs(
    `${name}-${AWS_MAINTENANCE_CHILD}`,
    { admin, database: spec.databaseName, cronDatabase: spec.databaseName, schedule: windowStartCron(spec.lifecycle.maintenanceWindow), vacuumAnalyze: true },
    { parent: scope, dependsOn },
  );
}
