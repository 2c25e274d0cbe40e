/**
 * PgCluster args: shape, cross-field checks and resolution into a {@link PgClusterSpec}.
 */
import { z } from "zod";
import { DEFAULTS } from "../defaults";
import { Problems } from "../errors";
import { resourceIdOf } from "../ids";
import { Plan } from "../plans";
import { PgClusterSpec } from "../spec";
import { CommonFacts, checkCommon, commonShape, resolveCommon } from "./common";
import { parseWith, subjectOf } from "./parse";
import { ParseContext, backendOptionsShape, checkBackendOptions, checkNames, resolveBackendOptions } from "./pgSingle";
import { SHARDED_DATABASE, SHARDING_MAJORS, checkSharding, resolveSharding, shardingShape } from "./sharding";

/** The AWS topologies a pg_cluster can take. */
export const AWS_TOPOLOGIES = ["aurora", "multi_az_cluster"] as const;
/** Readable standbys an RDS Multi-AZ DB cluster always has (1 writer + 2 readers, in 3 zones). */
export const MULTI_AZ_CLUSTER_STANDBYS = 2;

/** zod shape of PgCluster args. */
export function pgClusterSchema() {
  const int = () => z.number().int();
  return z
    .object({
      ...commonShape(),
      databaseName: z.string().optional(),
      username: z.string().optional(),
      standbys: int().min(0).optional(),
      replicationMode: z.enum(["sync", "async"]).optional(),
      syncStandbys: int().min(0).optional(),
      multiAz: z.boolean().optional(),
      awsTopology: z.enum(AWS_TOPOLOGIES).optional(),
      readReplicas: int().min(0).optional(),
      sharding: shardingShape(),
      ...backendOptionsShape(),
    })
    .strict();
}

/** Checks the HA attributes against the plan, the tier and the back end. */
function checkHa(input: any, facts: CommonFacts, p: Problems): void {
  const plan: Plan | undefined = facts.plan;
  const int = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (plan && int(input.standbys) && (input.standbys < plan.ha.minStandbys || input.standbys > plan.ha.maxStandbys)) {
    p.add(
      "standbys",
      `\`standbys\` must be between ${plan.ha.minStandbys} and ${plan.ha.maxStandbys} for plan \`${plan.name}\`; got ${input.standbys}`,
    );
  }
  const standbys: number | undefined = int(input.standbys) ? input.standbys : plan?.ha.standbys;
  const mode = input.replicationMode ?? plan?.ha.replicationMode;
  const modeText = input.replicationMode !== undefined ? "`replicationMode` is `async`" : `plan \`${plan?.name}\` replicates \`async\``;
  if (int(input.syncStandbys)) {
    if (mode === "async" && input.syncStandbys !== 0) {
      p.add(
        "syncStandbys",
        `\`syncStandbys\` must be 0 or left out when replication is asynchronous (${modeText}; only \`sync\` waits for standbys); got ${input.syncStandbys}`,
      );
    } else if (mode === "sync" && standbys !== undefined && (input.syncStandbys < 1 || input.syncStandbys > standbys)) {
      p.add(
        "syncStandbys",
        `\`syncStandbys\` must be between 1 and \`standbys\` (${standbys}) when \`replicationMode\` is \`sync\`; got ${input.syncStandbys}`,
      );
    }
  }
  if (plan && input.multiAz === false && plan.ha.multiAz && facts.tier === "production") {
    p.add(
      "multiAz",
      `\`multiAz\` cannot be turned off for plan \`${plan.name}\` in a production environment (${facts.where}; the plan keeps standbys in other zones so a zone outage fails over); got false`,
    );
  }
  if (facts.backend === "aws" && (input.awsTopology ?? DEFAULTS.awsTopology) === "multi_az_cluster") {
    if (standbys !== undefined && standbys !== MULTI_AZ_CLUSTER_STANDBYS) {
      p.add(
        "standbys",
        `\`standbys\` must be ${MULTI_AZ_CLUSTER_STANDBYS} with \`awsTopology\` \`multi_az_cluster\` on AWS (an RDS Multi-AZ DB cluster always has exactly 2 readable standbys; use \`awsTopology\` \`aurora\` for another count); got ${standbys}${input.standbys === undefined ? ` (the default of plan \`${plan?.name}\`)` : ""}`,
      );
    }
    if (input.multiAz === false) {
      p.add(
        "multiAz",
        "`multiAz` cannot be false with `awsTopology` `multi_az_cluster` on AWS (an RDS Multi-AZ DB cluster always spans 3 zones; use `awsTopology` `aurora`); got false",
      );
    }
  }
  if (plan && int(input.readReplicas) && input.readReplicas > plan.maxReadReplicas) {
    p.add("readReplicas", `\`readReplicas\` must be at most ${plan.maxReadReplicas} for plan \`${plan.name}\`; got ${input.readReplicas}`);
  }
}

/**
 * Parses PgCluster args into a fully resolved Spec, or throws ONE ValidationError listing every
 * problem with its field, the value received and what is allowed.
 */
export function parsePgClusterArgs(name: string, args: unknown, ctx: ParseContext = {}): PgClusterSpec {
  return parseWith(
    subjectOf("PgCluster", name),
    pgClusterSchema(),
    args,
    (input, p) => {
      const facts = checkCommon(input, "pg_cluster", "PgCluster", p, ctx.stackBackend);
      checkNames(input, p);
      checkBackendOptions(input, name, "pg_cluster", facts, ctx, p);
      checkHa(input, facts, p);
      checkSharding(input, facts, p);
      return facts;
    },
    (input, facts) => {
      const plan = facts.plan!;
      const resourceId = resourceIdOf("pg_cluster", input.projectId, input.environmentId, name);
      const common = resolveCommon(input, name, "pg_cluster", { ...facts, plan, backend: facts.backend! }, resourceId);
      const replicationMode = input.replicationMode ?? plan.ha.replicationMode;
      const standbys = input.standbys ?? plan.ha.standbys;
      const multiAz = input.multiAz ?? plan.ha.multiAz;
      const sharding = resolveSharding(input, standbys, multiAz);
      return {
        ...common,
        // A sharded cluster runs the newest major Aurora Limitless offers when none is given.
        ...(sharding && input.version === undefined ? { version: SHARDING_MAJORS[SHARDING_MAJORS.length - 1] } : {}),
        kind: "pg_cluster",
        databaseName: input.databaseName ?? (sharding ? SHARDED_DATABASE : DEFAULTS.databaseName),
        username: input.username ?? DEFAULTS.username,
        standbys,
        replicationMode,
        syncStandbys: input.syncStandbys ?? (replicationMode === "sync" ? DEFAULTS.syncStandbys : 0),
        multiAz,
        awsTopology: input.awsTopology ?? DEFAULTS.awsTopology,
        readReplicas: input.readReplicas ?? DEFAULTS.readReplicas,
        ...(sharding ? { sharding } : {}),
        ...resolveBackendOptions(input, ctx),
      };
    },
  );
}
