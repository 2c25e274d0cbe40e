/**
 * ReadReplicaSet: read-only copies of a PgSingle or PgCluster, with a lag policy (a lagging replica
 * leaves the read pool), one read endpoint or one per replica, and an optional pooler.
 */
import * as pulumi from "@pulumi/pulumi";
import { backendFor } from "./backends/backend";
import { DbResourceComponent, isDbResource, refOf, sourceOf } from "./dbResource";
import { parseReadReplicaSetArgs } from "./model/schemas/readReplicaSet";
import { ReadReplicaSetSpec } from "./model/spec";
import { Connection, Endpoint, ResourceStatus, Topology } from "./outputs";

/** Arguments of a {@link ReadReplicaSet}. */
export interface ReadReplicaSetArgs {
  /** The PgSingle or PgCluster to copy. */
  source: DbResourceComponent;
  /** How many replicas (at most the source plan's maximum). */
  replicas: number;
  /**
   * A replica further behind than this many seconds leaves the read pool until it catches up.
   * @default 30, when neither lag limit is given
   */
  maxLagSeconds?: number;
  /**
   * A replica further behind than this many bytes of WAL leaves the read pool until it catches up.
   * @default - no byte limit
   */
  maxLagBytes?: number;
  /**
   * `single`: one read endpoint over every healthy replica; `per_replica`: one endpoint each as well.
   * @default "single"
   */
  endpointStrategy?: "single" | "per_replica";
  /**
   * Connection pooling (PgBouncer on `local` and `kubernetes`, RDS Proxy on `aws`).
   * @default - no pooler; when given: enabled, `session` mode, 100 clients, pools of 20
   */
  pooling?: { enabled?: boolean; mode?: "transaction" | "session"; maxClientConnections?: number; defaultPoolSize?: number };
}

/** The type token of {@link ReadReplicaSet}. */
export const READ_REPLICA_SET_TYPE = "pgplatform:index:ReadReplicaSet";

/**
 * Read replicas of a db_resource.
 *
 * ```ts
 * const reads = new ReadReplicaSet("orders-reads", { source: db, replicas: 2, maxLagSeconds: 10 });
 * export const readUri = reads.readConnection.uri; // a secret
 * ```
 */
export class ReadReplicaSet extends pulumi.ComponentResource {
  readonly spec: ReadReplicaSetSpec;
  /** One endpoint over every replica within the lag policy. */
  readonly readEndpoint: Endpoint;
  /** One endpoint per replica with `endpointStrategy: per_replica`, else empty. */
  readonly replicaEndpoints: Endpoint[];
  /** The pooler's endpoints, when pooling is on. */
  readonly pooler?: { read?: Endpoint; write?: Endpoint };
  /** The application's read-only connection (through the read pooler when there is one); secrets as everywhere. */
  readonly readConnection: Connection;
  readonly status: pulumi.Output<ResourceStatus>;
  /** The replicas, their state and lag. */
  readonly topology: pulumi.Output<Topology>;

  constructor(name: string, args: ReadReplicaSetArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = parseReadReplicaSetArgs(name, args, { source: refOf(args?.source) });
    if (!isDbResource(args.source)) throw new Error(`ReadReplicaSet ${JSON.stringify(name)}: \`source\` must be a PgSingle or PgCluster`);
    const source = sourceOf(args.source);
    const backend = backendFor(spec.backend);
    backend.checkReplicas(spec, source);
    super(READ_REPLICA_SET_TYPE, name, args, opts);
    this.spec = spec;
    const rendered = backend.renderReplicas(this, spec, source);
    this.readEndpoint = rendered.readEndpoint;
    this.replicaEndpoints = rendered.replicaEndpoints;
    this.pooler = rendered.pooler;
    this.readConnection = rendered.readConnection;
    this.status = rendered.status;
    this.topology = rendered.topology;
    this.registerOutputs({
      readEndpoint: this.readEndpoint,
      replicaEndpoints: this.replicaEndpoints,
      pooler: this.pooler,
      readConnection: this.readConnection,
      status: this.status,
      topology: this.topology,
      facts: { kind: spec.kind, source: spec.source, backend: spec.backend, replicas: spec.replicas, lagPolicy: spec.lagPolicy, pooling: spec.pooling.enabled },
    });
  }
}
