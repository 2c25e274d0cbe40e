/**
 * ReadReplicaSet args: shape, cross-field checks and resolution into a {@link ReadReplicaSetSpec}.
 */
import { z } from "zod";
import { DEFAULTS } from "../defaults";
import { Problems, allowed } from "../errors";
import { PLAN_NAMES, PLANS } from "../plans";
import { DbResourceRef, ReadReplicaSetSpec } from "../spec";
import { parseWith, subjectOf } from "./parse";
import { checkRef, linkOf, refShape } from "./refs";

/** What the ReadReplicaSet parse takes besides the args: the facts of its source. */
export interface ReadReplicaSetContext {
  /** The source db_resource, as the component read it from `args.source`; undefined when it is not one. */
  source?: DbResourceRef;
}

/** zod shape of ReadReplicaSet args. */
export function readReplicaSetSchema() {
  const int = () => z.number().int();
  return z
    .object({
      source: refShape(),
      replicas: int().min(1),
      maxLagSeconds: int().min(1).optional(),
      maxLagBytes: int().min(0).optional(),
      endpointStrategy: z.enum(["single", "per_replica"]).optional(),
      pooling: z
        .object({
          enabled: z.boolean(),
          mode: z.enum(["transaction", "session"]),
          maxClientConnections: int().min(1),
          defaultPoolSize: int().min(1),
        })
        .partial()
        .strict()
        .optional(),
    })
    .strict();
}

/** Checks `replicas` against the source's plan and the pool sizes against each other. */
function checkReplicas(input: any, ctx: ReadReplicaSetContext, p: Problems): void {
  const source = checkRef(input, "source", ctx.source, p);
  if (source && Number.isInteger(input.replicas) && input.replicas >= 1) {
    const { plan } = source;
    if (plan.maxReadReplicas === 0) {
      const withReplicas = PLAN_NAMES.filter((n) => PLANS[n].maxReadReplicas > 0);
      p.add(
        "replicas",
        `\`replicas\` cannot be used with the source's plan \`${plan.name}\`, which allows no read replicas (plans that do: ${allowed(withReplicas)}); got ${input.replicas}`,
      );
    } else if (input.replicas > plan.maxReadReplicas) {
      p.add("replicas", `\`replicas\` must be at most ${plan.maxReadReplicas} for the source's plan \`${plan.name}\`; got ${input.replicas}`);
    }
  }
  const pooling = input.pooling;
  if (pooling && typeof pooling === "object" && Number.isInteger(pooling.defaultPoolSize)) {
    const maxGiven = Number.isInteger(pooling.maxClientConnections);
    const max = maxGiven ? pooling.maxClientConnections : DEFAULTS.pooling.maxClientConnections;
    if (pooling.defaultPoolSize > max) {
      const which = maxGiven ? `\`pooling.maxClientConnections\` (${max})` : `\`pooling.maxClientConnections\` (${max} by default)`;
      p.add("pooling.defaultPoolSize", `\`pooling.defaultPoolSize\` must be at most ${which}; got ${pooling.defaultPoolSize}`);
    }
  }
}

/**
 * Parses ReadReplicaSet args into a fully resolved Spec, or throws ONE ValidationError listing
 * every problem with its field, the value received and what is allowed.
 */
export function parseReadReplicaSetArgs(name: string, args: unknown, ctx: ReadReplicaSetContext = {}): ReadReplicaSetSpec {
  return parseWith(
    subjectOf("ReadReplicaSet", name),
    readReplicaSetSchema(),
    args,
    (input, p) => checkReplicas(input, ctx, p),
    (input) => {
      const source = ctx.source!;
      const lagPolicy: ReadReplicaSetSpec["lagPolicy"] = {};
      if (input.maxLagSeconds !== undefined) lagPolicy.maxSeconds = input.maxLagSeconds;
      if (input.maxLagBytes !== undefined) lagPolicy.maxBytes = input.maxLagBytes;
      if (input.maxLagSeconds === undefined && input.maxLagBytes === undefined) lagPolicy.maxSeconds = DEFAULTS.maxReplicaLagSeconds;
      const given = input.pooling;
      const maxClientConnections: number = given?.maxClientConnections ?? DEFAULTS.pooling.maxClientConnections;
      return {
        kind: "read_replica_set",
        name,
        source: linkOf(source),
        backend: source.backend,
        replicas: input.replicas,
        lagPolicy,
        endpointStrategy: input.endpointStrategy ?? DEFAULTS.endpointStrategy,
        pooling: {
          enabled: given ? (given.enabled ?? DEFAULTS.pooling.enabled) : false,
          mode: given?.mode ?? DEFAULTS.pooling.mode,
          maxClientConnections,
          // Never larger than the client limit, so giving only `maxClientConnections` is enough.
          defaultPoolSize: given?.defaultPoolSize ?? Math.min(DEFAULTS.pooling.defaultPoolSize, maxClientConnections),
        },
      };
    },
  );
}
