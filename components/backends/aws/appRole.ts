/**
 * The application's own least-privilege login on AWS (`aws.sqlAccess`): a generated password, a
 * `Role` (`username`: LOGIN, nothing else) and a `Database` that hands it `databaseName` (which RDS
 * made, owned by the master user) with CONNECT and TEMPORARY for it alone. Made by the SQL
 * providers over TLS as the master user, on the RDS endpoint. They go with the database: deleting
 * the db_resource does not run their delete (`retainOnDelete`), so a final snapshot keeps the
 * application's access as it was.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULTS } from "../../model/defaults";
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { Database } from "../../providers/sql/database";
import { Role } from "../../providers/sql/role";
import { adminSqlOf } from "./sqlAccess";

/** Pulumi name suffixes of the app access children. */
export const APP_ACCESS_CHILD = {
  password: "app-password",
  role: "app-role",
  database: "app-database",
} as const;

/** What {@link renderAppAccess} made. */
export interface AppAccess {
  /** The application role's password (a secret). */
  password: pulumi.Output<string>;
  role: Role;
  database: Database;
  resources: pulumi.Resource[];
}

/**
 * Renders the app role and database ownership on the db_resource reached at `endpoint` (the RDS
 * endpoint, not a CNAME) with the master password; they wait for `dependsOn` (the instance or cluster members).
 * `appPassword` (a blue-green upgrade's green side: blue's) replaces the generated password.
 */
export function renderAppAccess(
  scope: pulumi.ComponentResource,
  name: string,
  spec: PgSingleSpec | PgClusterSpec,
  endpoint: { host: pulumi.Input<string>; port: pulumi.Input<number> },
  masterPassword: pulumi.Input<string>,
  dependsOn: pulumi.Resource[],
  databaseName: string = spec.databaseName,
  username: string = spec.username,
  appPassword?: pulumi.Input<string>,
): AppAccess {
  const admin = pulumi.secret(pulumi.all([endpoint.host, endpoint.port, masterPassword]).apply(([host, port, pw]) => adminSqlOf(spec, host, port, pw)));
  // A blue-green upgrade's green side takes blue's password (the stable endpoint's credentials work on both sides).
  const password = pulumi.secret(
    appPassword ?? new random.RandomPassword(`${name}-${APP_ACCESS_CHILD.password}`, { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result,
  );
  const keep = { parent: scope, dependsOn, retainOnDelete: true };
  const role = new Role(`${name}-${APP_ACCESS_CHILD.role}`, { admin, name: username, password, login: true, connectionLimit: -1, memberOf: [], onDelete: "lock" }, keep);
  const database = new Database(
    `${name}-${APP_ACCESS_CHILD.database}`,
    { admin, name: databaseName, owner: username, connectionLimit: -1, onDelete: { policy: "lock", backupBeforeDelete: false } },
    { ...keep, dependsOn: [...dependsOn, role] },
  );
  return { password, role, database, resources: [role, database] };
}
