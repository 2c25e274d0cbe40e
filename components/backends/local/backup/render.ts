/**
 * BackupPolicy on the local back end, program side: what it refuses up front (a PgCluster target,
 * no pgBackRest, a PostgreSQL major this pgBackRest cannot read) and the children it renders: one
 * LocalBackupPolicy (pgBackRest, the scheduler, the backup list) and, for `restoreInPlace`, one
 * LocalRestore. Also what a clone's LocalServer is told about the repository it restores from.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { catalogInputOf, catalogTarget } from "../../../catalog/target";
import { DEFAULTS } from "../../../model/defaults";
import { BackupPolicySpec, PgClusterSpec, PgSingleSpec } from "../../../model/spec";
import { LocalBackupPolicy } from "../../../providers/localBackupPolicy";
import { LocalRestore, LocalRestoreArgs } from "../../../providers/localRestore";
import type { LocalServer } from "../../../providers/localServer";
import { RenderedBackupPolicy, RenderedBackupSource, RenderedSource } from "../../backend";
import type { CloneSource } from "../restore/pgbackrestRestore";
import { PGBACKREST_MAX_MAJOR, defaultRepoPath, findPgBackRest } from "./pgbackrest";

/** Suffixes of a local BackupPolicy's children. */
export const BACKUP_CHILD = { policy: "pgbackrest", restore: "restore-in-place" } as const;

/** The scheduler script shipped with the library. */
export const SCHEDULER_SCRIPT = path.join(__dirname, "scheduler.js");

/** What a restore needs from a local BackupPolicy (its `handle`). */
export interface LocalBackupHandle {
  type: "local-backup";
  policy: LocalBackupPolicy;
  repoPath: string;
  /** The target's id, the pgBackRest stanza. */
  stanza: string;
  /** The target's application database and role (a clone renames them to its own). */
  databaseName: string;
  username: string;
}

/** The handle of a local pg_single, as the local back end makes it (read here without importing index.ts). */
interface SingleHandle {
  type: "local-single";
  server: LocalServer;
  dataRoot: string;
  runAs: string;
  superuserPassword: pulumi.Output<string>;
}

/** `a.b.c` compared as numbers. */
function versionBelow(v: string, than: string): boolean {
  const a = v.split(".").map(Number);
  const b = than.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** The installed pgBackRest's version (`2.45`), or undefined when it is not installed. */
export function pgBackRestVersion(): string | undefined {
  const bin = findPgBackRest();
  if (!bin) return undefined;
  return /pgBackRest (\d+(?:\.\d+)*)/.exec(execFileSync(bin, ["version"], { encoding: "utf8" }))?.[1];
}

/** Throws ONE error listing what the local back end cannot honour for this BackupPolicy. */
export function checkLocalBackup(spec: BackupPolicySpec, target: RenderedSource, installed: () => string | undefined = pgBackRestVersion): void {
  const refuse: string[] = [];
  const version = installed();
  const handle = target.rendered.handle as { type?: string } | undefined;
  if (handle?.type !== "local-single" && handle?.type !== "local-cluster") {
    refuse.push(`\`target\` is a ${target.spec.kind} of another back end: a local BackupPolicy backs up a local PgSingle or PgCluster`);
  }
  if (handle?.type === "local-cluster" && spec.restoreInPlace) {
    refuse.push(
      "`restoreInPlace` on a PgCluster: an in-place restore of a local cluster is not available (every member would be stopped, one restored and the others " +
        "re-cloned, and Patroni's state in etcd (leader, timeline history) reset); restore a clone PgCluster instead (`restore: { from: <this policy>, ... }`) and move the application to it",
    );
  }
  const own = (target.spec as Partial<PgSingleSpec>).restore;
  if (handle?.type === "local-single" && spec.restoreInPlace && own?.mode === "in_place") {
    refuse.push(
      `\`restoreInPlace\`: PgSingle ${JSON.stringify(target.spec.name)} already asks for an in-place restore of its data (\`restore.mode\` \`in_place\`); ` +
        "ask it in one place: remove `restoreInPlace` here (or the PgSingle's `restore`)",
    );
  }
  if (version === undefined) refuse.push("pgBackRest is not installed on this machine (no `pgbackrest` on PATH); install it with `apt-get install pgbackrest`");
  else {
    const limit = PGBACKREST_MAX_MAJOR.find((l) => versionBelow(version, l.below));
    if (limit && Number(target.spec.version) > limit.major) {
      refuse.push(
        `\`target\` runs PostgreSQL ${target.spec.version}, and pgBackRest ${version} on this machine reads PostgreSQL ${limit.major} at most: ` +
          `give the target \`version: "${limit.major}"\`, or install pgBackRest ${limit.below} or newer`,
      );
    }
  }
  if (spec.location.path !== undefined && !/^\/[A-Za-z0-9._\/+-]*$/.test(spec.location.path)) {
    refuse.push(`\`location.path\` must hold only letters, digits and \`._/+-\` (it goes into PostgreSQL's archive_command); got ${JSON.stringify(spec.location.path)}`);
  }
  if (refuse.length > 0) throw new Error(`BackupPolicy ${JSON.stringify(spec.name)} asks for what the local back end cannot do:\n  - ${refuse.join("\n  - ")}`);
}

/** The inputs of a LocalBackupPolicy that come from the policy itself, the same for a single and a cluster. */
function scheduleInputs(spec: BackupPolicySpec, t: PgSingleSpec | PgClusterSpec, catalog: ReturnType<typeof catalogInputOf>) {
  return {
    cron: spec.cron,
    retentionDays: spec.retentionDays,
    pitr: spec.pitr,
    fullBackupEvery: spec.fullBackupEvery,
    incrementalType: spec.incrementalType,
    schedulerScript: SCHEDULER_SCRIPT,
    backupNow: spec.backupNow ?? "",
    targetSoftDeleteDays: t.lifecycle.deletionPolicy === "soft" ? t.lifecycle.softDeleteRetentionDays : 0,
    ...(catalog ? { catalog } : {}),
  };
}

/**
 * The inputs of a LocalRestore of a PgSingle's server, whoever asks for it (the PgSingle's own
 * `restore.mode: "in_place"`, or its BackupPolicy's `restoreInPlace`); `repo` names the policy and
 * its repository when known, else the restore reads them at `up` from the server's pgBackRest configuration.
 */
export function inPlaceRestoreArgs(
  t: Pick<PgSingleSpec, "resourceId" | "version" | "username">,
  at: { dataRoot: string; runAs: string; server: LocalServer },
  asked: { target: LocalRestoreArgs["target"]; confirm: boolean },
  repo?: { policyName: string; repoPath: string },
): LocalRestoreArgs {
  return {
    resourceId: t.resourceId,
    version: t.version,
    dataRoot: at.dataRoot,
    runAs: at.runAs,
    ...(repo ?? {}),
    schedulerScript: SCHEDULER_SCRIPT,
    target: asked.target,
    superuser: DEFAULTS.superuser,
    superuserPassword: at.server.superuserPassword,
    username: t.username,
    password: at.server.password,
    binarySearchPaths: [path.resolve(__dirname, "..", "..", "..", "..")],
    confirm: asked.confirm,
  };
}

/** Renders a local BackupPolicy: its pgBackRest resource and, when asked, an in-place restore. */
export function renderLocalBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
  if ((target.rendered.handle as { type?: string }).type === "local-cluster") return renderClusterBackup(scope, spec, target);
  const h = target.rendered.handle as SingleHandle;
  const t = target.spec as PgSingleSpec;
  const repoPath = spec.location.path ?? defaultRepoPath(h.dataRoot, t.resourceId);
  const catalog = catalogInputOf(catalogTarget());
  const policy = new LocalBackupPolicy(
    `${spec.name}-${BACKUP_CHILD.policy}`,
    {
      policyName: spec.name,
      policyId: `${t.resourceId}/${spec.name}`,
      resourceId: t.resourceId,
      dataRoot: h.dataRoot,
      runAs: h.runAs,
      repoPath,
      port: h.server.port,
      superuser: DEFAULTS.superuser,
      ...scheduleInputs(spec, t, catalog),
    },
    { parent: scope, dependsOn: target.rendered.resources },
  );
  const resources: pulumi.Resource[] = [policy];
  if (spec.restoreInPlace) {
    resources.push(
      new LocalRestore(
        `${spec.name}-${BACKUP_CHILD.restore}`,
        inPlaceRestoreArgs(t, { dataRoot: h.dataRoot, runAs: h.runAs, server: h.server }, spec.restoreInPlace, { policyName: spec.name, repoPath }),
        { parent: scope, dependsOn: [policy] },
      ),
    );
  }
  const handle: LocalBackupHandle = { type: "local-backup", policy, repoPath, stanza: t.resourceId, databaseName: t.databaseName, username: t.username };
  return {
    nextSchedule: policy.nextSchedule,
    lastSuccessful: policy.lastSuccessful.apply((v) => (v ? v : undefined)),
    backups: policy.backups,
    status: policy.status,
    handle,
    resources,
  };
}

/** What a clone's LocalServer is told about the repository it restores from; throws when `from` is not a local BackupPolicy. */
export function cloneSourceOf(spec: PgSingleSpec, from: RenderedBackupSource): { source: CloneSource; dependsOn: pulumi.Resource[] } {
  const h = from.rendered.handle as LocalBackupHandle | undefined;
  if (h?.type !== "local-backup") throw new Error(`PgSingle ${JSON.stringify(spec.name)}: \`restore.from\` must be a BackupPolicy of the local back end`);
  return {
    source: { repoPath: h.repoPath, stanza: h.stanza, target: spec.restore!.target, databaseName: h.databaseName, username: h.username },
    dependsOn: from.rendered.resources,
  };
}

/** The handle of a local pg_cluster, as cluster/render.ts makes it (read here without importing it). */
interface ClusterHandle {
  type: "local-cluster";
  cluster: { layout: pulumi.Output<{ members: { name: string; pgPort: number }[] }> };
  resourceId: string;
  dataRoot: string;
  runAs: string;
  superuser: string;
}

/**
 * A BackupPolicy on a local PgCluster: one LocalBackupPolicy whose pgbackrest.conf lists every
 * member (read from the cluster's layout, so a scale rewrites it), one stanza named by the
 * cluster's id, WAL pushed by whichever member is primary (the cluster's archive hook).
 */
function renderClusterBackup(scope: pulumi.ComponentResource, spec: BackupPolicySpec, target: RenderedSource): RenderedBackupPolicy {
  const h = target.rendered.handle as ClusterHandle;
  const t = target.spec as PgClusterSpec;
  const repoPath = spec.location.path ?? defaultRepoPath(h.dataRoot, t.resourceId);
  const catalog = catalogInputOf(catalogTarget());
  const clusterDir = path.join(h.dataRoot, t.resourceId);
  const policy = new LocalBackupPolicy(
    `${spec.name}-${BACKUP_CHILD.policy}`,
    {
      policyName: spec.name,
      policyId: `${t.resourceId}/${spec.name}`,
      resourceId: t.resourceId,
      dataRoot: h.dataRoot,
      runAs: h.runAs,
      repoPath,
      port: 0,
      members: h.cluster.layout.apply((l) => l.members.map((m) => ({ dataDir: path.join(clusterDir, "members", m.name, "data"), port: m.pgPort }))),
      superuser: h.superuser,
      ...scheduleInputs(spec, t, catalog),
    },
    { parent: scope, dependsOn: target.rendered.resources },
  );
  const handle: LocalBackupHandle = { type: "local-backup", policy, repoPath, stanza: t.resourceId, databaseName: t.databaseName, username: t.username };
  return {
    nextSchedule: policy.nextSchedule,
    lastSuccessful: policy.lastSuccessful.apply((v) => (v ? v : undefined)),
    backups: policy.backups,
    status: policy.status,
    handle,
    resources: [policy],
  };
}

/** What a clone PgCluster's LocalCluster is told about the repository it restores from; throws when `from` is not a local BackupPolicy. */
export function clusterCloneSourceOf(spec: PgClusterSpec, from: RenderedBackupSource): { source: CloneSource; dependsOn: pulumi.Resource[] } {
  const h = from.rendered.handle as LocalBackupHandle | undefined;
  if (h?.type !== "local-backup") throw new Error(`PgCluster ${JSON.stringify(spec.name)}: \`restore.from\` must be a BackupPolicy of the local back end`);
  return {
    source: { repoPath: h.repoPath, stanza: h.stanza, target: spec.restore!.target, databaseName: h.databaseName, username: h.username },
    dependsOn: from.rendered.resources,
  };
}
