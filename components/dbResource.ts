/**
 * What PgSingle and PgCluster share with the components that act on them: how a component object
 * is recognised and read (never by `instanceof`, so two copies of the library still work together),
 * and the outputs every db_resource registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedBackupPolicy, RenderedBackupSource, RenderedDbResource, RenderedSource } from "./backends/backend";
import { RestoreSourceRef } from "./model/schemas/restore";
import { BackupPolicySpec, PgClusterSpec, PgSingleSpec, VersionedDbResourceRef } from "./model/spec";

/** A PgSingle or PgCluster, as the components that act on it see it. */
export interface DbResourceComponent {
  readonly spec: PgSingleSpec | PgClusterSpec;
  /** @internal What its back end rendered; read only by that back end. */
  readonly rendered: RenderedDbResource;
}

/** A BackupPolicy, as a restore sees it. */
export interface BackupPolicyComponent {
  readonly spec: BackupPolicySpec;
  /** @internal */
  readonly rendered: RenderedBackupPolicy;
  /** @internal The db_resource it backs up. */
  readonly targetSource: RenderedSource;
}

/** True when `x` is a PgSingle or PgCluster made by this library. */
export function isDbResource(x: unknown): x is DbResourceComponent {
  const spec = (x as DbResourceComponent | undefined)?.spec;
  return !!spec && (spec.kind === "pg_single" || spec.kind === "pg_cluster") && !!(x as DbResourceComponent).rendered;
}

/** True when `x` is a BackupPolicy made by this library. */
export function isBackupPolicy(x: unknown): x is BackupPolicyComponent {
  const c = x as BackupPolicyComponent | undefined;
  return !!c && c.spec?.kind === "backup_policy" && !!c.rendered && !!c.targetSource;
}

/** The facts of a db_resource a parse needs, or undefined when `x` is not one. */
export function refOf(x: unknown): VersionedDbResourceRef | undefined {
  if (!isDbResource(x)) return undefined;
  const s = x.spec;
  return {
    kind: s.kind,
    plan: s.plan,
    backend: s.backend,
    resourceId: s.resourceId,
    environmentTier: s.environmentTier,
    databaseName: s.databaseName,
    username: s.username,
    version: s.version,
  };
}

/** The db_resource as its back end rendered it; only call after {@link isDbResource} held. */
export function sourceOf(x: DbResourceComponent): RenderedSource {
  return { spec: x.spec, rendered: x.rendered };
}

/** What a parse is told about `restore.from`, or undefined when it is not a BackupPolicy. */
export function restoreRefOf(from: unknown): RestoreSourceRef | undefined {
  if (!isBackupPolicy(from)) return undefined;
  const t = from.targetSource.spec;
  return {
    policyName: from.spec.name,
    target: { kind: t.kind, plan: t.plan, backend: t.backend, resourceId: t.resourceId, version: t.version },
    pitr: from.spec.pitr,
  };
}

/** The BackupPolicy a restore reads from, as its back end rendered it. */
export function backupSourceOf(from: unknown): RenderedBackupSource | undefined {
  if (!isBackupPolicy(from)) return undefined;
  return { spec: from.spec, rendered: from.rendered, target: from.targetSource };
}

/** Warns, on the component, what an in-place restore is about to do. */
export function warnInPlaceRestore(scope: pulumi.Resource, spec: PgSingleSpec | PgClusterSpec): void {
  if (spec.restore?.mode !== "in_place") return;
  pulumi.log.warn(
    `restore in place of \`${spec.resourceId}\` from ${spec.restore.from ? `BackupPolicy ${JSON.stringify(spec.restore.from.policyName)}` : "its own backups"} (${describeTarget(spec.restore.target)}): ` +
      "a safety backup is taken first, then the current data is replaced; remove `restore` once it is done",
    scope,
  );
}

/** A restore target in words. */
export function describeTarget(t: NonNullable<PgSingleSpec["restore"]>["target"]): string {
  switch (t.type) {
    case "latest":
      return "the latest point";
    case "backup":
      return `backup ${t.backupId}`;
    case "time":
      return `time ${t.time}`;
    case "lsn":
      return `LSN ${t.lsn}`;
  }
}
