/**
 * `sharding` on a PgCluster: its shape, its cross-field checks and its resolution. Sharding is
 * Aurora PostgreSQL Limitless Database (the `aws` back end): a DB shard group of routers and
 * shards whose compute scales between `minAcu` and `maxAcu` Aurora capacity units. The other back
 * ends refuse it in their `checkCluster` with {@link shardingElsewhere}.
 *
 * AWS facts the rules follow (Aurora User Guide, "Aurora PostgreSQL Limitless Database requirements
 * and considerations", "Creating your DB cluster"): a shard group's capacity is 16-6144 ACUs (the
 * minimum at least 16), compute redundancy 0, 1 or 2 standbys per shard, engine versions
 * `16.x-limitless` only, no DB instances (so no read replicas), not a restore target of another
 * cluster's backups (AWS Backup does not cover it, cloning is not supported), and its one database
 * is `postgres_limitless` (a cluster cannot name one at create).
 */
import { z } from "zod";
import { Problems, show } from "../errors";
import { Plan } from "../plans";
import { Major } from "../versions";
import type { CommonFacts } from "./common";

/** Capacity bounds of a DB shard group, in Aurora capacity units (about 2 GiB of memory each). */
export const SHARD_GROUP_ACU = { min: 16, max: 6144 } as const;
/** Compute standbys each shard may have (each in another availability zone). */
export const COMPUTE_REDUNDANCY = [0, 1, 2] as const;
/** One of {@link COMPUTE_REDUNDANCY}. */
export type ComputeRedundancy = (typeof COMPUTE_REDUNDANCY)[number];
/** The majors Aurora Limitless Database runs (engine versions `16.x-limitless`). */
export const SHARDING_MAJORS: readonly Major[] = ["16"];
/** The one database of an Aurora Limitless cluster. */
export const SHARDED_DATABASE = "postgres_limitless";

/** Sharding as the user gives it (on PgCluster args). */
export interface ShardingArgs {
  /**
   * Most capacity the shard group may scale to, in ACUs (16-6144), summed over every router and
   * shard. It also sets how many routers and shards are made at create (a larger maximum, more of
   * them); later changes scale capacity only.
   */
  maxAcu: number;
  /**
   * Least capacity the shard group keeps, in ACUs (16 to `maxAcu`).
   * @default - AWS's default for the shard group's size (16 ACUs for up to 400 ACUs, 4 more per further node)
   */
  minAcu?: number;
  /**
   * Compute standbys per shard, each in another availability zone: 0, 1 or 2 (1 and 2 double or triple the compute bill).
   * @default - `standbys` capped at 2 when `multiAz` is on (2 for `prod_ha`), else 0
   */
  computeRedundancy?: number;
}

/** Resolved sharding of a pg_cluster. */
export interface ShardingSpec {
  maxAcu: number;
  /** Absent: AWS's default for the shard group's size. */
  minAcu?: number;
  computeRedundancy: ComputeRedundancy;
}

/** zod shape of `sharding` (bounds are checked by {@link checkSharding}, with their reasons). */
export function shardingShape() {
  const int = () => z.number().int();
  return z.object({ maxAcu: int(), minAcu: int().optional(), computeRedundancy: int().optional() }).strict().optional();
}

/** The reason every back end but `aws` gives when it refuses `sharding`. */
export function shardingElsewhere(backend: string, why: string, sharding: unknown): string {
  return `\`sharding\` is offered on the \`aws\` back end only (Aurora PostgreSQL Limitless Database); ${why}: leave \`sharding\` out on \`${backend}\`, or use \`backend: "aws"\`; got ${show(sharding)}`;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** The compute redundancy a sharded cluster gets when `sharding.computeRedundancy` is not given. */
export function defaultComputeRedundancy(standbys: number, multiAz: boolean): ComputeRedundancy {
  return multiAz ? (Math.min(standbys, 2) as ComputeRedundancy) : 0;
}

/**
 * Checks `sharding` on the raw input. The capacity bounds hold on every back end (they are what
 * `sharding` means); the rules that weigh it against other args apply where it runs, on `aws`.
 */
export function checkSharding(input: any, facts: CommonFacts, p: Problems): void {
  const s = input.sharding;
  if (s === null || typeof s !== "object" || Array.isArray(s)) return;
  const { min, max } = SHARD_GROUP_ACU;
  if (isInt(s.maxAcu) && (s.maxAcu < min || s.maxAcu > max)) {
    p.add("sharding.maxAcu", `\`sharding.maxAcu\` must be between ${min} and ${max} (the capacity range of an Aurora Limitless DB shard group, in ACUs); got ${s.maxAcu}`);
  }
  if (isInt(s.minAcu)) {
    const top = isInt(s.maxAcu) && s.maxAcu >= min && s.maxAcu <= max ? s.maxAcu : max;
    if (s.minAcu < min || s.minAcu > top) {
      const upper = top === s.maxAcu ? `\`sharding.maxAcu\` (${top})` : String(top);
      p.add("sharding.minAcu", `\`sharding.minAcu\` must be between ${min} and ${upper} (a DB shard group keeps at least ${min} ACUs); got ${s.minAcu}`);
    }
  }
  if (isInt(s.computeRedundancy) && !(COMPUTE_REDUNDANCY as readonly number[]).includes(s.computeRedundancy)) {
    p.add("sharding.computeRedundancy", `\`sharding.computeRedundancy\` must be 0, 1 or 2 (compute standbys per shard, each in another availability zone); got ${s.computeRedundancy}`);
  }
  if (facts.backend === "aws") checkShardingOnAws(input, s, facts, p);
}

/** The rules that weigh `sharding` against the other args on the `aws` back end. */
function checkShardingOnAws(input: any, s: any, facts: CommonFacts, p: Problems): void {
  const plan: Plan | undefined = facts.plan;
  if (facts.version !== undefined && !SHARDING_MAJORS.includes(facts.version)) {
    p.add(
      "version",
      `\`version\` must be ${SHARDING_MAJORS.join(" or ")} with \`sharding\` (Aurora Limitless Database runs PostgreSQL 16 only, engine versions \`16.x-limitless\`; leave \`version\` out to get it); got ${show(input.version)}`,
    );
  }
  if (input.awsTopology === "multi_az_cluster") {
    p.add("awsTopology", "`awsTopology` must be `aurora` with `sharding` (sharding is Aurora Limitless Database; an RDS Multi-AZ DB cluster does not shard); got \"multi_az_cluster\"");
  }
  if (isInt(input.readReplicas) && input.readReplicas > 0) {
    p.add(
      "readReplicas",
      `\`readReplicas\` is not possible with \`sharding\` (an Aurora Limitless cluster has no DB instances to add readers to: its routers serve reads and writes, and \`sharding.maxAcu\` scales them); got ${input.readReplicas}`,
    );
  }
  if (input.restore !== undefined) {
    p.add(
      "restore",
      "`restore` is not possible with `sharding`: an Aurora Limitless cluster is not made from another cluster's backups (AWS Backup does not cover it, and pgplatform does not restore a DB shard group); create it empty and load the data with Limitless Database's data loading utility",
    );
  }
  if (input.databaseName !== undefined && input.databaseName !== SHARDED_DATABASE) {
    p.add(
      "databaseName",
      `\`databaseName\` must be \`${SHARDED_DATABASE}\` with \`sharding\` (the one database of an Aurora Limitless cluster, which cannot name another at create); leave it out; got ${show(input.databaseName)}`,
    );
  }
  if (isInt(input.standbys) && input.standbys > 2) {
    p.add("standbys", `\`standbys\` must be at most 2 with \`sharding\` (each shard has at most 2 compute standbys: \`sharding.computeRedundancy\`); got ${input.standbys}`);
  }
  // Left out, it follows `standbys` and `multiAz`, which the plan's own rules already bound.
  if (!isInt(s.computeRedundancy)) return;
  const r = s.computeRedundancy;
  if (isInt(input.standbys) && input.standbys <= 2 && input.standbys !== r) {
    p.add(
      "sharding.computeRedundancy",
      `\`sharding.computeRedundancy\` and \`standbys\` disagree (on a sharded cluster a shard's compute standbys are its standbys): give one of them, or the same number; got ${r} and \`standbys\` ${input.standbys}`,
    );
  }
  if (r === 0 && plan?.ha.multiAz && facts.tier === "production") {
    p.add(
      "sharding.computeRedundancy",
      `\`sharding.computeRedundancy\` cannot be 0 for plan \`${plan.name}\` in a production environment (${facts.where}; each shard needs a compute standby in another zone to fail over to); got 0`,
    );
  }
  if (input.multiAz === false && r > 0) {
    p.add("sharding.computeRedundancy", `\`sharding.computeRedundancy\` must be 0 when \`multiAz\` is false (compute standbys always go to other zones); got ${r}`);
  }
}

/** Resolves `sharding`, or undefined when it is not asked for. */
export function resolveSharding(input: any, standbys: number, multiAz: boolean): ShardingSpec | undefined {
  const s = input.sharding;
  if (s === undefined) return undefined;
  return {
    maxAcu: s.maxAcu,
    ...(s.minAcu !== undefined ? { minAcu: s.minAcu } : {}),
    computeRedundancy: (s.computeRedundancy ?? defaultComputeRedundancy(standbys, multiAz)) as ComputeRedundancy,
  };
}
