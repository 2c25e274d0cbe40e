/**
 * PgCluster: a primary with standbys and auto-failover behind stable endpoints (a `pg_cluster`).
 * Production-critical and large multi-tenant.
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedDbResource, backendFor } from "./backends/backend";
import { restoreRefOf } from "./dbResource";
import { planDbResource, renderDbResource } from "./renderDbResource";
import { parsePgClusterArgs } from "./model/schemas/pgCluster";
import { PgClusterSpec } from "./model/spec";
import type { ShardingArgs } from "./model/schemas/sharding";
import { Connection, Endpoint, Metadata, ResourceStatus, Topology, connectionOf } from "./outputs";
import { PgSingleArgs, factsOf } from "./pgSingle";

/** Arguments of a {@link PgCluster}: those of a PgSingle, a pg_cluster plan, and the HA attributes. */
export interface PgClusterArgs extends Omit<PgSingleArgs, "plan"> {
  /** A pg_cluster plan, such as `prod_ha`. */
  plan: string;
  /**
   * Standbys besides the primary, each a failover candidate (within the plan's bounds).
   * @default - the plan's
   */
  standbys?: number;
  /**
   * `sync`: a commit waits for `syncStandbys` standbys (no acknowledged commit is lost on failover);
   * `async`: it does not (faster commits, a failover may lose the last ones).
   * @default - the plan's
   */
  replicationMode?: "sync" | "async";
  /**
   * Standbys that must confirm each commit in `sync` mode (1..`standbys`).
   * @default 1 in sync mode, 0 in async mode
   */
  syncStandbys?: number;
  /**
   * Spread the primary and standbys over availability zones (never off for production plans that have it).
   * @default - the plan's
   */
  multiAz?: boolean;
  /**
   * AWS shape: `aurora` (Aurora PostgreSQL) or `multi_az_cluster` (RDS Multi-AZ DB cluster, exactly 2 standbys).
   * @default "aurora"
   */
  awsTopology?: "aurora" | "multi_az_cluster";
  /**
   * Spread rows over shards that scale out: Aurora PostgreSQL Limitless Database, on the `aws` back
   * end only (PostgreSQL 16, `awsTopology` `aurora`, no `readReplicas`, database `postgres_limitless`).
   * The application sees one database behind one endpoint; see docs/aws.md, "Sharding".
   * @default - not sharded: one primary holds every row
   */
  sharding?: ShardingArgs;
}

/** The type token of {@link PgCluster}. */
export const PG_CLUSTER_TYPE = "pgplatform:index:PgCluster";

/**
 * A primary and its standbys with auto-failover; `endpoints.write` always reaches the primary and
 * `endpoints.read` the standbys, each one host:port that survives a failover.
 *
 * ```ts
 * const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha" });
 * export const writer = db.connection.uri;     // a secret
 * export const reader = db.readConnection.uri; // a secret
 * ```
 */
export class PgCluster extends pulumi.ComponentResource {
  /** The resolved spec: args with every default filled in from the plan catalogue. */
  readonly spec: PgClusterSpec;
  /** The application's connection through the write endpoint; `password` and `uri` are secrets. */
  readonly connection: Connection;
  /** The application's connection through the read endpoint (standbys); secrets as above. */
  readonly readConnection: Connection;
  /** The platform's superuser connection, for tenants and the catalogue; secret. */
  readonly adminConnection: Connection;
  readonly endpoints: { write: Endpoint; read: Endpoint };
  /** Current primary, standbys and their roles, with routing hints for the application. */
  readonly topology: pulumi.Output<Topology>;
  readonly resourceId: pulumi.Output<string>;
  readonly status: pulumi.Output<ResourceStatus>;
  readonly metadata: pulumi.Output<Metadata>;
  /** @internal What the back end rendered, for the components that act on this db_resource. */
  readonly rendered: RenderedDbResource;

  constructor(name: string, args: PgClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const restoreFrom = args?.restore?.from;
    const spec = parsePgClusterArgs(name, args, { stackBackend: new pulumi.Config("pgplatform").get("backend"), restoreFrom: restoreRefOf(restoreFrom) });
    const backend = backendFor(spec.backend);
    backend.checkCluster(spec);
    const plan = planDbResource(name, spec, opts);
    super(PG_CLUSTER_TYPE, name, args, plan.opts);
    this.spec = spec;
    const rendered = renderDbResource(this, name, spec, plan, restoreFrom, (from) => backend.renderCluster(this, spec, from));
    this.rendered = rendered;
    this.connection = rendered.connection;
    const c = rendered.connection;
    this.readConnection = connectionOf(rendered.endpoints.read.host, rendered.endpoints.read.port, c.database, c.user, c.password);
    this.adminConnection = rendered.adminConnection;
    this.endpoints = rendered.endpoints;
    this.topology = rendered.topology;
    this.resourceId = rendered.resourceId;
    this.status = rendered.status;
    this.metadata = rendered.metadata;
    this.registerOutputs({
      connection: this.connection,
      readConnection: this.readConnection,
      endpoints: this.endpoints,
      topology: this.topology,
      resourceId: this.resourceId,
      status: this.status,
      metadata: this.metadata,
      facts: { ...factsOf(spec), standbys: spec.standbys, replicationMode: spec.replicationMode, multiAz: spec.multiAz },
    });
  }
}
