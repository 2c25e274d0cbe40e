/**
 * BlueGreenUpgrade: a major upgrade, or a pg_single to pg_cluster migration, by a new db_resource
 * fed by logical replication (blue-green) or in place. `phase` moves it on: `prepare` builds and
 * feeds the green side, `cutover` switches the stable endpoint, `finalize` retires the blue side,
 * `rollback` switches back.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedDbResource, backendFor } from "./backends/backend";
import { DbResourceComponent, isDbResource, refOf, sourceOf } from "./dbResource";
import { parseBlueGreenUpgradeArgs } from "./model/schemas/blueGreenUpgrade";
import { BlueGreenUpgradeSpec } from "./model/spec";
import { Connection, ResourceStatus } from "./outputs";

/** Arguments of a {@link BlueGreenUpgrade}. */
export interface BlueGreenUpgradeArgs {
  /** The PgSingle or PgCluster to upgrade or migrate (the blue side). */
  source: DbResourceComponent;
  /**
   * Major version of the green side (one of the source's upgrade edges).
   * @default - the source's major, for a pg_single to pg_cluster migration
   */
  targetVersion?: string | number;
  /**
   * Plan of the green side; a pg_cluster plan for a source pg_single migrates it to a cluster.
   * @default - the source's plan
   */
  targetPlan?: string;
  /**
   * `blue_green`: a new db_resource fed by logical replication; `in_place`: the source's own data upgraded (no rollback).
   * @default "blue_green"
   */
  strategy?: "blue_green" | "in_place";
  /**
   * Where the upgrade stands: `prepare`, `cutover`, `finalize` or `rollback`.
   * @default "prepare"
   */
  phase?: "prepare" | "cutover" | "finalize" | "rollback";
  /**
   * Tables without a primary key: replicate them with `REPLICA IDENTITY FULL`, or refuse and list them.
   * @default "refuse"
   */
  tablesWithoutPrimaryKey?: "replica_identity_full" | "refuse";
  /**
   * Longest write pause the cut-over may take, in seconds; past it the cut-over is called off.
   * @default 30
   */
  maxWritePauseSeconds?: number;
  /** The explicit yes `cutover` and `finalize` need in production, and `in_place` everywhere. */
  confirm?: boolean;
}

/** The type token of {@link BlueGreenUpgrade}. */
export const BLUE_GREEN_UPGRADE_TYPE = "pgplatform:index:BlueGreenUpgrade";

/**
 * A major upgrade or a migration to a cluster with a stable endpoint the application keeps.
 *
 * ```ts
 * const upgrade = new BlueGreenUpgrade("orders-17", { source: db, targetVersion: "17", phase: "prepare" });
 * export const uri = upgrade.connection.uri; // give this to the app: it follows the cut-over
 * ```
 */
export class BlueGreenUpgrade extends pulumi.ComponentResource {
  readonly spec: BlueGreenUpgradeSpec;
  /** The application's stable connection: blue until cut-over, green after, blue again on rollback. */
  readonly connection: Connection;
  /** Which side serves the application now. */
  readonly activeSide: pulumi.Output<"blue" | "green">;
  /** Replication and cut-over progress as the back end reports it. */
  readonly progress: pulumi.Output<Record<string, unknown>>;
  readonly status: pulumi.Output<ResourceStatus>;
  /** @internal The green db_resource, for components that act on it after finalize. */
  readonly green?: RenderedDbResource;

  constructor(name: string, args: BlueGreenUpgradeArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = parseBlueGreenUpgradeArgs(name, args, { source: refOf(args?.source) });
    if (!isDbResource(args.source)) throw new Error(`BlueGreenUpgrade ${JSON.stringify(name)}: \`source\` must be a PgSingle or PgCluster`);
    const source = sourceOf(args.source);
    const backend = backendFor(spec.backend);
    backend.checkUpgrade(spec, source);
    super(BLUE_GREEN_UPGRADE_TYPE, name, args, opts);
    this.spec = spec;
    const rendered = backend.renderUpgrade(this, spec, source);
    this.connection = rendered.connection;
    this.activeSide = rendered.activeSide;
    this.progress = rendered.progress;
    this.status = rendered.status;
    this.green = rendered.green;
    this.registerOutputs({
      connection: this.connection,
      activeSide: this.activeSide,
      progress: this.progress,
      status: this.status,
      facts: { kind: spec.kind, source: spec.source, backend: spec.backend, targetVersion: spec.targetVersion, targetPlan: spec.targetPlan, strategy: spec.strategy, phase: spec.phase },
    });
  }
}
