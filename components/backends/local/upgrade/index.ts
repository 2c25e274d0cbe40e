/**
 * BlueGreenUpgrade on the local back end: what it refuses up front ({@link checkLocalUpgrade}) and
 * what it renders ({@link renderLocalUpgrade}): the green db_resource (a PgSingle-like server at the
 * target major, or a pg_cluster once the local back end runs them), its catalogue record, the
 * endpoint's console password and the `LocalUpgrade` dynamic resource that runs the phases behind
 * the stable PgBouncer endpoint the application connects to.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { recordDbResource } from "../../../catalog/componentRecords";
import { catalogInputOf, catalogTarget } from "../../../catalog/target";
import { DEFAULTS, MANAGED_PARAMETERS } from "../../../model/defaults";
import { resourceIdOf } from "../../../model/ids";
import { parsePgClusterArgs } from "../../../model/schemas/pgCluster";
import { parsePgSingleArgs } from "../../../model/schemas/pgSingle";
import { BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec } from "../../../model/spec";
import { connectionOf } from "../../../outputs";
import { LocalUpgrade } from "../../../providers/localUpgrade";
import { RenderedDbResource, RenderedSource, RenderedUpgrade } from "../../backend";
import { candidateDirs } from "../binaries";
import { pgbouncerBinary } from "./endpoint";
import { schemaTools } from "./schema";

/** Suffixes of the children a local BlueGreenUpgrade named `name` creates (besides the green db_resource's own). */
export const UPGRADE_CHILD = {
  green: "green",
  consolePassword: "endpoint-console-password",
  upgrade: "upgrade",
} as const;

/** How long prepare waits for the initial copy and the catch-up. */
export const PREPARE_TIMEOUT_SECONDS = 1800;

/** What the upgrade needs from the local back end (passed in, so this module does not import it back). */
export interface LocalBackendParts {
  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec): RenderedDbResource;
  checkCluster(spec: PgClusterSpec): void;
  renderCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec): RenderedDbResource;
  dataRootOf(spec: PgSingleSpec | PgClusterSpec): string;
  runAs(): string;
}

/** The source's parameters that args may carry (the managed ones and the monitoring-derived one come from the green spec itself). */
function userParameters(parameters: Record<string, string>): Record<string, string> {
  const derived = [...MANAGED_PARAMETERS, "log_min_duration_statement"] as readonly string[];
  return Object.fromEntries(Object.entries(parameters).filter(([k]) => !derived.includes(k)));
}

/** The args of the green db_resource: the source's, at the target major and plan, with logical decoding on (for the reverse stream). */
function greenArgs(spec: BlueGreenUpgradeSpec, source: RenderedSource["spec"]): Record<string, unknown> {
  return {
    projectId: source.projectId,
    environmentId: source.environmentId,
    environmentTier: source.environmentTier,
    plan: spec.targetPlan,
    version: spec.targetVersion,
    backend: "local",
    databaseName: source.databaseName,
    username: source.username,
    network: { allowedCidrs: source.network.allowedCidrs },
    backup: { enabled: false },
    monitoring: source.monitoring,
    lifecycle: { deletionProtection: source.lifecycle.deletionProtection, maintenanceWindow: source.lifecycle.maintenanceWindow },
    parameters: { ...userParameters(source.parameters), wal_level: "logical" },
    ...(source.local.dataRoot ? { local: { dataRoot: source.local.dataRoot } } : {}),
  };
}

/** The resolved spec of the green db_resource. */
export function greenSpecOf(spec: BlueGreenUpgradeSpec, source: RenderedSource["spec"]): PgSingleSpec | PgClusterSpec {
  const name = `${spec.name}-${UPGRADE_CHILD.green}`;
  return spec.targetKind === "pg_cluster" ? parsePgClusterArgs(name, greenArgs(spec, source)) : parsePgSingleArgs(name, greenArgs(spec, source));
}

/** Where pg_upgrade of `major` would be on this machine, or undefined. */
export function findPgUpgrade(major: string): string | undefined {
  for (const c of candidateDirs(major, [path.resolve(__dirname, "..", "..", "..", "..")])) {
    const bin = path.join(c.dir, "pg_upgrade");
    if (fs.existsSync(bin)) return bin;
  }
  return undefined;
}

/** Throws ONE error listing everything the local back end cannot do for this upgrade. */
export function checkLocalUpgrade(parts: LocalBackendParts, spec: BlueGreenUpgradeSpec, source: RenderedSource): void {
  const problems: string[] = [];
  const s = source.spec;
  if (spec.strategy === "in_place") {
    const bin = findPgUpgrade(spec.targetVersion);
    problems.push(
      bin
        ? `\`strategy\` \`in_place\`: the local back end does not run pg_upgrade in place yet (found ${bin}); use \`strategy: "blue_green"\``
        : `\`strategy\` \`in_place\` needs pg_upgrade of the target major ${spec.targetVersion}, which this machine does not have ` +
            `(the embedded PostgreSQL ${spec.targetVersion} package ships only initdb, pg_ctl and postgres; Debian has no PostgreSQL ${spec.targetVersion}); ` +
            "use `strategy: \"blue_green\"`, which needs no pg_upgrade",
    );
  } else {
    if (s.parameters.wal_level !== "logical") {
      problems.push(
        `the source \`${s.resourceId}\` runs with \`wal_level\` \`${s.parameters.wal_level ?? "replica"}\`; a blue-green upgrade replicates logically: ` +
          "set `parameters: { wal_level: \"logical\" }` on the source (the server restarts) and run `pulumi up` before adding the BlueGreenUpgrade",
      );
    }
    try {
      schemaTools(s.version);
    } catch (err) {
      problems.push(`the schema copy: ${(err as Error).message}`);
    }
    try {
      pgbouncerBinary();
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (spec.targetKind === "pg_cluster") {
      try {
        parts.checkCluster(greenSpecOf(spec, s) as PgClusterSpec);
      } catch (err) {
        problems.push(`a pg_single to pg_cluster migration renders the green side with the local back end's PgCluster, which refuses it: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`BlueGreenUpgrade ${JSON.stringify(spec.name)} cannot run on the local back end:\n  - ${problems.join("\n  - ")}`);
  }
}

/** A side's login from a rendered db_resource: its superuser connection plus the application's database and login. */
function loginOf(r: RenderedDbResource, version: string) {
  const a = r.adminConnection;
  const c = r.connection;
  return pulumi.all([a.host, a.port, a.user, a.password, c.database, c.user, c.password]).apply(([host, port, superuser, superuserPassword, database, appUser, appPassword]) => ({
    host,
    port,
    superuser,
    superuserPassword,
    database,
    appUser,
    appPassword,
    version,
  }));
}

/** Renders the green side, its record, and the upgrade resource; returns the stable connection. */
export function renderLocalUpgrade(parts: LocalBackendParts, scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
  const s = source.spec;
  const greenSpec = greenSpecOf(spec, s);
  const green = greenSpec.kind === "pg_cluster" ? parts.renderCluster(scope, greenSpec) : parts.renderSingle(scope, greenSpec);
  const catalog = catalogInputOf(catalogTarget());
  const greenRecord = catalog ? recordDbResource(scope, greenSpec.name, catalog, greenSpec, green) : undefined;
  const consolePassword = pulumi.secret(
    new random.RandomPassword(`${spec.name}-${UPGRADE_CHILD.consolePassword}`, { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result,
  );
  const upgradeId = resourceIdOf(spec.kind, s.projectId, s.environmentId, spec.name);
  const upgrade = new LocalUpgrade(
    `${spec.name}-${UPGRADE_CHILD.upgrade}`,
    {
      upgradeId,
      phase: spec.phase,
      blue: loginOf(source.rendered, s.version),
      green: loginOf(green, spec.targetVersion),
      dataRoot: parts.dataRootOf(s),
      runAs: parts.runAs(),
      consolePassword,
      tablesWithoutPrimaryKey: spec.tablesWithoutPrimaryKey,
      maxWritePauseSeconds: spec.maxWritePauseSeconds,
      prepareTimeoutSeconds: PREPARE_TIMEOUT_SECONDS,
      migration: {
        migrationType: spec.targetKind !== s.kind ? "single_to_cluster" : "blue_green_upgrade",
        sourceResourceId: s.resourceId,
        targetResourceId: greenSpec.resourceId,
        fromVersion: s.version,
        toVersion: spec.targetVersion,
      },
      ...(catalog ? { catalog } : {}),
    },
    { parent: scope, dependsOn: [...source.rendered.resources, ...green.resources, ...(greenRecord ? [greenRecord] : [])] },
  );
  return {
    connection: connectionOf("127.0.0.1", upgrade.endpointPort, s.databaseName, s.username, source.rendered.connection.password),
    green,
    activeSide: upgrade.activeSide,
    progress: pulumi
      .all([upgrade.appliedPhase, upgrade.status, upgrade.progress, upgrade.endpointPort])
      .apply(([phase, status, progress, port]): Record<string, unknown> => ({ phase, migrationStatus: status, endpoint: `127.0.0.1:${port}`, ...progress })),
    status: upgrade.endpointRunning.apply((running) => (running ? "RUNNING" : "FAILED")),
    resources: [upgrade, ...green.resources],
  };
}
