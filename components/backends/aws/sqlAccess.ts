/**
 * SQL reach on AWS (`aws.sqlAccess`): who the master user is, how the program's SQL connections do
 * TLS (RDS forces it: `rds.force_ssl = 1`), and what TenantDatabase cannot do on RDS. Pure (no
 * @pulumi/aws): TenantDatabase imports it.
 *
 * TLS: `verify-full` against `aws.caBundle` (the RDS global bundle) when given, else `require`. The
 * SQL connections target the RDS endpoint itself (its certificate names it), never the `aws.dns`
 * CNAME, which no RDS certificate names.
 */
import * as fs from "fs";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import type { SqlConnection, SqlTls } from "../../providers/sql/connection";

/** The master user with `aws.sqlAccess` when `aws.masterUsername` does not name one. */
export const DEFAULT_MASTER_USERNAME = "pgadmin";

type DbSpec = PgSingleSpec | PgClusterSpec;

/** Whether the program runs SQL on this db_resource. */
export function sqlAccessOf(spec: DbSpec): boolean {
  return spec.aws?.sqlAccess === true;
}

/** The RDS master user: `username` without SQL access (the app connects as it), else `aws.masterUsername`. */
export function masterUsernameOf(spec: DbSpec): string {
  return sqlAccessOf(spec) ? (spec.aws.masterUsername ?? DEFAULT_MASTER_USERNAME) : spec.username;
}

/** The PEM text of `aws.caBundle` (given inline, or read from its file), or undefined. */
export function caBundleOf(spec: DbSpec): string | undefined {
  const given = spec.aws?.caBundle;
  if (given === undefined) return undefined;
  return given.includes("-----BEGIN CERTIFICATE-----") ? given : fs.readFileSync(given, "utf8");
}

/** The TLS of the program's SQL connections to this db_resource: verify-full with the bundle, else require. */
export function sqlTlsOf(spec: DbSpec): SqlTls {
  const ca = caBundleOf(spec);
  return ca ? { mode: "verify-full", ca } : { mode: "require" };
}

/** A SQL connection to the db_resource's RDS endpoint as the master user, with its TLS. */
export function adminSqlOf(spec: DbSpec, host: string, port: number, password: string, database = "postgres"): SqlConnection {
  return { host, port, user: masterUsernameOf(spec), password, database, ssl: sqlTlsOf(spec) };
}

/**
 * What a TenantDatabase cannot do on an aws target, each naming its field; empty when it can.
 * The pgplatform lock marks are role settings (`pgplatform.*_locked`) that only a superuser may set,
 * and RDS's master user is not one (it is `rds_superuser`).
 */
export function awsTenantProblems(target: DbSpec, tenant: { deletion: { policy: string }; quotas: { maxStorageGb?: number; onLimit?: string } }): { path: string; message: string }[] {
  if (target.backend !== "aws") return [];
  const out: { path: string; message: string }[] = [];
  if (target.kind === "pg_cluster" && target.sharding) {
    out.push({
      path: "target",
      message:
        `\`target\` \`${target.resourceId}\` is a sharded PgCluster (Aurora Limitless Database): a tenant is made by SQL from this program (\`aws.sqlAccess\`), and its database handed over with \`ALTER DATABASE\`, ` +
        "which Limitless does not support; keep tenants apart in the one database `postgres_limitless` (schemas made by the application), or target an unsharded db_resource",
    });
    return out;
  }
  if (!sqlAccessOf(target)) {
    out.push({
      path: "target",
      message:
        `\`target\` \`${target.resourceId}\` is on the \`aws\` back end without \`aws.sqlAccess\`: a tenant is made by SQL from this program over TLS, which needs network reach to the database ` +
        "(an in-VPC runner or a VPN); set `aws.sqlAccess: true` on the target when it is created (it names the master user)",
    });
    return out;
  }
  if (tenant.deletion.policy === "lock") {
    out.push({
      path: "deletion.policy",
      message:
        "`deletion.policy` `lock` is not available on the `aws` back end: the lock is marked by a role setting only a superuser may set, and RDS's master user is not one; " +
        "use `drop` (with `backupBeforeDelete`) or `archive` (`lock` is the default in production); got \"lock\"",
    });
  }
  if (tenant.quotas.maxStorageGb !== undefined && tenant.quotas.onLimit === "lock") {
    out.push({
      path: "quotas.onLimit",
      message: "`quotas.onLimit` `lock` is not available on the `aws` back end: the quota's lock is marked by a role setting only a superuser may set, and RDS's master user is not one; use `warn`; got \"lock\"",
    });
  }
  return out;
}
