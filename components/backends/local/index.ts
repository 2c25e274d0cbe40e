/**
 * The `local` back end: real PostgreSQL processes on the machine that runs the program. The
 * embedded default, so a user with no cloud account gets a working database.
 */
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULTS } from "../../model/defaults";
import { LocalCompute } from "../../model/plans";
import { BackupPolicySpec, BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec, ReadReplicaSetSpec } from "../../model/spec";
import { connectionOf, endpointOf } from "../../outputs";
import { LocalServer } from "../../providers/localServer";
import { Backend, RenderedBackupPolicy, RenderedBackupSource, RenderedDbResource, RenderedReplicaSet, RenderedSource, RenderedUpgrade } from "../backend";
import { checkLocalBackup, cloneSourceOf, renderLocalBackup } from "./backup/render";
import { LocalBackendParts, checkLocalUpgrade, renderLocalUpgrade } from "./upgrade";
import { maintenanceParameters, maintenanceProblems, renderMaintenance } from "./maintenance";
import { checkLocalCluster, renderLocalCluster } from "./cluster/render";
import { ReplicaPolicy, checkLocalReplicas, renderLocalReplicas, renderSingleReplicas } from "./replicas/render";
import { basebackupPath, noBasebackup } from "./replicas/single";
import { inPlaceProblems, renderSingleInPlaceRestore } from "./restore/singleInPlace";

/** What the local back end keeps about a pg_single it rendered, for the components that act on it later. */
export interface LocalSingleHandle {
  type: "local-single";
  server: LocalServer;
  dataRoot: string;
  runAs: string;
  superuserPassword: pulumi.Output<string>;
}

/** Suffixes of the children the local back end creates for a db_resource named `name`. */
export const LOCAL_CHILD = {
  superuserPassword: "superuser-password",
  appPassword: "app-password",
  server: "server",
  /** The LocalReplicas of `readReplicas` (and the suffix of its directory under the data root). */
  replicas: "replicas",
} as const;

/** `PgSingle.readReplicas` on the local back end: one read port (HAProxy) over the replicas within the default lag policy, no pooler. */
export function singleReplicaPolicy(replicas: number): ReplicaPolicy {
  return {
    replicas,
    lagPolicy: { maxSeconds: DEFAULTS.maxReplicaLagSeconds },
    endpointStrategy: "single",
    pooling: { ...DEFAULTS.pooling, enabled: false },
  };
}

/** Where servers live when neither `local.dataRoot` nor stack config `pgplatform:localDataRoot` says. */
export function defaultDataRoot(): string {
  if (os.userInfo().uid === 0) return "/var/lib/pgplatform";
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(base, "pgplatform");
}

/** The PostgreSQL parameters a local server runs with: the plan's (or spec's), then the local compute settings. */
export function localParameters(spec: Pick<PgSingleSpec, "parameters"> & { compute: { local: LocalCompute } }): Record<string, string> {
  const c = spec.compute.local;
  return {
    ...spec.parameters,
    shared_buffers: c.sharedBuffers,
    effective_cache_size: c.effectiveCacheSize,
    work_mem: c.workMem,
    maintenance_work_mem: c.maintenanceWorkMem,
  };
}

/** Refuses what the local back end cannot honour yet. */
function refuseUnsupported(spec: PgSingleSpec): void {
  const refuse: string[] = [];
  if (spec.readReplicas > 0 && !basebackupPath(spec.version)) refuse.push(`\`readReplicas\` ${spec.readReplicas} on PostgreSQL ${spec.version}: ${noBasebackup(spec.version)}`);
  refuse.push(...inPlaceProblems(spec));
  if (refuse.length > 0) {
    throw new Error(`PgSingle ${JSON.stringify(spec.name)} asks for what the local back end cannot do yet:\n  - ${refuse.join("\n  - ")}`);
  }
}

/** Warns where a plan default goes unmet on the local back end. */
function warnUnmet(scope: pulumi.ComponentResource, spec: PgSingleSpec): void {
  if (spec.backup.enabled) {
    pulumi.log.warn(
      `plan \`${spec.plan}\` asks for ${spec.backup.schedule} backups${spec.backup.pitr ? " with PITR" : ""}, which the local back end does not take by itself: ` +
        "this server has no backups until a BackupPolicy targets it (set `backup.enabled: false` to silence this)",
      scope,
    );
  }
}

/** Says when parameters wait for a restart in the maintenance window (the provider itself cannot log). */
function warnPendingRestart(scope: pulumi.ComponentResource, spec: PgSingleSpec, server: LocalServer): void {
  server.pendingRestart.apply((pending) => {
    if (!Array.isArray(pending) || pending.length === 0) return;
    pulumi.log.warn(
      `${pending.map((k) => `\`${k}\``).join(", ")} changed and wait${pending.length === 1 ? "s" : ""} for a restart in the maintenance window ${spec.lifecycle.maintenanceWindow} (UTC): ` +
        "the next `pulumi up` inside it restarts the server; set `lifecycle.applyImmediately: true` to restart now",
      scope,
    );
  });
}

export class LocalBackend implements Backend {
  readonly name = "local" as const;

  checkSingle(spec: PgSingleSpec): void {
    refuseUnsupported(spec);
    const maintenance = maintenanceProblems(spec);
    if (maintenance.length > 0) throw new Error(`PgSingle ${JSON.stringify(spec.name)} asks for what the local back end cannot do:\n  - ${maintenance.join("\n  - ")}`);
  }

  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    warnUnmet(scope, spec);
    const clone = spec.restore?.mode === "clone" && restoreFrom ? cloneSourceOf(spec, restoreFrom) : undefined;
    const name = spec.name;
    const config = new pulumi.Config("pgplatform");
    const dataRoot = spec.local.dataRoot ?? config.get("localDataRoot") ?? defaultDataRoot();
    // RandomPassword marks `result` secret itself; wrapping again keeps it secret whatever provides it.
    const password = (suffix: string) =>
      pulumi.secret(new random.RandomPassword(`${name}-${suffix}`, { length: DEFAULTS.passwordLength, special: false }, { parent: scope }).result);
    const superuserPassword = password(LOCAL_CHILD.superuserPassword);
    const appPassword = password(LOCAL_CHILD.appPassword);
    const server = new LocalServer(
      `${name}-${LOCAL_CHILD.server}`,
      {
        resourceId: spec.resourceId,
        resourceKind: spec.kind,
        version: spec.version,
        dataRoot,
        runAs: config.get("localRunAs") ?? "postgres",
        port: spec.local.port,
        allowedCidrs: spec.network.allowedCidrs,
        superuser: DEFAULTS.superuser,
        superuserPassword,
        databaseName: spec.databaseName,
        username: spec.username,
        password: appPassword,
        parameters: { ...localParameters(spec), ...maintenanceParameters(spec) },
        storageGb: spec.storage.sizeGb,
        binarySearchPaths: [path.resolve(__dirname, "..", "..", "..")],
        labels: spec.labels,
        archive: true,
        paused: spec.lifecycle.state === "paused",
        deletionPolicy: spec.lifecycle.deletionPolicy,
        softDeleteRetentionDays: spec.lifecycle.softDeleteRetentionDays,
        maintenanceWindow: spec.lifecycle.maintenanceWindow,
        applyImmediately: spec.lifecycle.applyImmediately ?? false,
        ...(clone ? { restore: clone.source } : {}),
      },
      { parent: scope, protect: spec.lifecycle.deletionProtection, ...(clone ? { dependsOn: clone.dependsOn } : {}) },
    );
    warnPendingRestart(scope, spec, server);
    // `restore.mode: "in_place"`: this server's data replaced from its own backups, once per target.
    const restore = renderSingleInPlaceRestore(scope, spec, { server, dataRoot, runAs: config.get("localRunAs") ?? "postgres" }, restoreFrom);
    const compute = `shared_buffers=${spec.compute.local.sharedBuffers}`;
    const handle: LocalSingleHandle = { type: "local-single", server, dataRoot, runAs: config.get("localRunAs") ?? "postgres", superuserPassword: server.superuserPassword };
    const endpoint = endpointOf(server.host, server.port);
    const connection = connectionOf(server.host, server.port, spec.databaseName, spec.username, server.password);
    // `readReplicas`: streaming replicas of this server behind one read port (the same code as a ReadReplicaSet on a PgSingle).
    const replicas =
      spec.readReplicas > 0
        ? renderSingleReplicas(scope, `${name}-${LOCAL_CHILD.replicas}`, `${spec.resourceId}-${LOCAL_CHILD.replicas}`, singleReplicaPolicy(spec.readReplicas), {
            spec,
            rendered: { handle, connection } as RenderedDbResource,
          })
        : undefined;
    // What runs, as the provider last saw it: a paused (or crashed) server is `stopped`.
    const primary = pulumi.all([server.host, server.port, server.running]).apply(([host, port, running]) => ({ name: spec.resourceId, role: "primary" as const, host, port, state: running === false ? "stopped" : "running" }));
    return {
      endpoints: { write: endpoint, read: replicas?.readEndpoint ?? endpoint },
      topology: replicas
        ? pulumi.all([primary, replicas.topology]).apply(([p, t]) => ({
            primary: spec.resourceId,
            members: [p, ...t.members],
            routing: { writes: `${p.host}:${p.port}`, reads: t.routing.reads },
          }))
        : primary.apply((p) => ({
            primary: spec.resourceId,
            members: [p],
            routing: { writes: `${p.host}:${p.port}`, reads: `${p.host}:${p.port} (a pg_single has one node: add a ReadReplicaSet for read scale)` },
          })),
      handle,
      resources: [
        server,
        ...(restore ? [restore] : []),
        ...(replicas?.resources ?? []),
        ...renderMaintenance(scope, spec, connectionOf(server.host, server.port, "postgres", DEFAULTS.superuser, server.superuserPassword), restore ?? server),
      ],
      connection,
      adminConnection: connectionOf(server.host, server.port, "postgres", DEFAULTS.superuser, server.superuserPassword),
      resourceId: server.resourceId,
      status: server.status,
      metadata: server.serverVersion.apply(() => ({
        kind: spec.kind,
        plan: spec.plan,
        version: spec.version,
        backend: "local" as const,
        region: DEFAULTS.localRegion,
        size: { compute, storageGb: spec.storage.sizeGb },
      })),
    };
  }

  checkCluster(spec: PgClusterSpec): void {
    checkLocalCluster(spec);
  }

  renderCluster(scope: pulumi.ComponentResource, spec: PgClusterSpec, restoreFrom?: RenderedBackupSource): RenderedDbResource {
    const config = new pulumi.Config("pgplatform");
    return renderLocalCluster(scope, spec, spec.local.dataRoot ?? config.get("localDataRoot") ?? defaultDataRoot(), config.get("localRunAs") ?? "postgres", restoreFrom);
  }

  checkReplicas(spec: ReadReplicaSetSpec, source: RenderedSource): void {
    checkLocalReplicas(spec, source);
  }

  renderReplicas(scope: pulumi.ComponentResource, spec: ReadReplicaSetSpec, source: RenderedSource): RenderedReplicaSet {
    return renderLocalReplicas(scope, spec, source);
  }

  checkBackup(spec: BackupPolicySpec, target: RenderedSource): void {
    checkLocalBackup(spec, target);
  }

  renderBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
    return renderLocalBackup(scope, spec, target);
  }

  checkUpgrade(spec: BlueGreenUpgradeSpec, source: RenderedSource): void {
    checkLocalUpgrade(this.upgradeParts(), spec, source);
  }

  renderUpgrade(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
    return renderLocalUpgrade(this.upgradeParts(), scope, spec, source);
  }

  /** What the upgrade module needs from this back end. */
  private upgradeParts(): LocalBackendParts {
    const config = new pulumi.Config("pgplatform");
    return {
      renderSingle: (scope, spec) => this.renderSingle(scope, spec),
      checkCluster: (spec) => this.checkCluster(spec),
      renderCluster: (scope, spec) => this.renderCluster(scope, spec),
      dataRootOf: (spec) => spec.local.dataRoot ?? config.get("localDataRoot") ?? defaultDataRoot(),
      runAs: () => config.get("localRunAs") ?? "postgres",
    };
  }
}

/** The error for a component the local back end does not run yet. */
function notYet(component: string, name: string): never {
  throw new Error(`${component} ${JSON.stringify(name)}: the local back end does not run ${component} yet`);
}
