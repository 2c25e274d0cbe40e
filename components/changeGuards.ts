/**
 * Puts a db_resource's children behind its change guard (components/providers/changeGuard.ts):
 * the guard is created first, every other child depends on it (a transformation the component
 * registers with itself), and the marker comes last, after the back end's resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { identifierOf } from "./backends/aws/names";
import { CatalogInput } from "./providers/catalogRecord";
import { ChangeGuard, SizeDimensions } from "./providers/changeGuard";
import { PgClusterSpec, PgSingleSpec } from "./model/spec";

/** Suffixes of the two guard children. */
export const GUARD_CHILD = { guard: "change-guard", done: "change-done" } as const;

/** The size of a db_resource, dimension by dimension, as scale events record it. */
export function sizeOf(spec: PgSingleSpec | PgClusterSpec): SizeDimensions {
  const c = spec.compute;
  const compute =
    spec.backend === "aws" ? c.aws.instanceClass : spec.backend === "kubernetes" ? `cpu=${c.kubernetes.cpu},memory=${c.kubernetes.memory}` : `shared_buffers=${c.local.sharedBuffers}`;
  const size: SizeDimensions = { storageGb: spec.storage.sizeGb, compute, readReplicas: spec.readReplicas };
  if (spec.kind === "pg_cluster") size.standbys = spec.standbys;
  // A sharded cluster's capacity: its scale events, and what tells the aws change rules it is sharded.
  if (spec.kind === "pg_cluster" && spec.sharding) size.maxAcu = spec.sharding.maxAcu;
  return size;
}

/** The guard of one db_resource: register {@link transformation} with the component, then call {@link open} and {@link close}. */
export class ChangeGuards {
  private guard?: ChangeGuard;

  constructor(
    private readonly name: string,
    private readonly spec: PgSingleSpec | PgClusterSpec,
    private readonly catalog: pulumi.Output<CatalogInput> | undefined,
  ) {}

  /** Makes every child but the guard itself depend on the guard. */
  readonly transformation: pulumi.ResourceTransformation = (args) => {
    if (!this.guard || args.resource === this.guard || !(args.resource instanceof pulumi.CustomResource)) return undefined;
    return { props: args.props, opts: pulumi.mergeOptions(args.opts, { dependsOn: [this.guard] }) };
  };

  /** Creates the guard; call right after `super()`, before the back end renders. */
  open(scope: pulumi.ComponentResource): void {
    this.guard = new ChangeGuard(`${this.name}-${GUARD_CHILD.guard}`, this.args("before"), { parent: scope });
  }

  /** Creates the marker after `resources`, the back end's primary resources. */
  close(scope: pulumi.ComponentResource, resources: pulumi.Resource[]): ChangeGuard {
    return new ChangeGuard(`${this.name}-${GUARD_CHILD.done}`, { ...this.args("after"), pending: this.guard!.events }, { parent: scope, dependsOn: resources });
  }

  private args(phase: "before" | "after") {
    const s = this.spec;
    const aws = s.backend === "aws" ? { identifier: s.aws.identifier ?? identifierOf(s.resourceId) } : {};
    return { phase, resourceId: s.resourceId, resourceKind: s.kind, version: s.version, size: sizeOf(s), backend: s.backend, ...aws, ...(this.catalog ? { catalog: this.catalog } : {}) };
  }
}
