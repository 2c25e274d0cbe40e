/**
 * BlueGreenUpgrade args: shape, cross-field checks and resolution into a {@link BlueGreenUpgradeSpec}.
 * One component covers a major upgrade and a pg_single to pg_cluster migration; `phase` moves it on.
 */
import { z } from "zod";
import { DEFAULTS, LIMITS } from "../defaults";
import { Problems, allowed, show } from "../errors";
import { PLAN_NAMES, PLANS, Plan, isPlanName } from "../plans";
import { BlueGreenUpgradeSpec, VersionedDbResourceRef } from "../spec";
import { Major, UPGRADE_EDGES, compareMajors, isSupportedMajor, normalizeMajor } from "../versions";
import { majorProblem } from "./common";
import { parseWith, subjectOf } from "./parse";
import { checkRef, linkOf, refShape } from "./refs";

/** What the BlueGreenUpgrade parse takes besides the args: the facts of its source, with its version. */
export interface BlueGreenUpgradeContext {
  /** The source db_resource, as the component read it from `args.source`; undefined when it is not one. */
  source?: VersionedDbResourceRef;
}

/** Phases that switch the application over or make the switch final: production asks for `confirm`. */
export const CONFIRMED_PHASES = ["cutover", "finalize"] as const;

/** zod shape of BlueGreenUpgrade args. */
export function blueGreenUpgradeSchema() {
  return z
    .object({
      source: refShape(),
      targetVersion: z.union([z.string(), z.number()]).optional(),
      targetPlan: z.string().optional(),
      strategy: z.enum(["blue_green", "in_place"]).optional(),
      phase: z.enum(["prepare", "cutover", "finalize", "rollback"]).optional(),
      tablesWithoutPrimaryKey: z.enum(["replica_identity_full", "refuse"]).optional(),
      maxWritePauseSeconds: z.number().int().min(1).max(LIMITS.maxWritePauseSeconds).optional(),
      confirm: z.boolean().optional(),
    })
    .strict();
}

/** What the checks learnt, for the resolve step. */
interface UpgradeFacts {
  source: VersionedDbResourceRef;
  targetPlan: Plan;
  targetVersion: Major;
}

/** Checks `targetPlan` against the source; returns the plan the upgrade lands on, when known. */
function checkTargetPlan(input: any, source: VersionedDbResourceRef, from: Plan, p: Problems): Plan | undefined {
  if (typeof input.targetPlan !== "string") return input.targetPlan === undefined ? from : undefined;
  const name: string = input.targetPlan;
  if (!isPlanName(name)) {
    p.add("targetPlan", `\`targetPlan\` must be one of ${allowed(PLAN_NAMES)}; got ${show(name)}`);
    return undefined;
  }
  const to = PLANS[name];
  if (from.kind === "pg_cluster" && to.kind === "pg_single") {
    const clusterPlans = PLAN_NAMES.filter((n) => PLANS[n].kind === "pg_cluster");
    p.add(
      "targetPlan",
      `\`targetPlan\` must be a pg_cluster plan (${allowed(clusterPlans)}) for a pg_cluster source: a cluster cannot move back to a single node; got ${show(name)}`,
    );
    return undefined;
  }
  if (source.environmentTier && !to.tiers.includes(source.environmentTier)) {
    p.add(
      "targetPlan",
      `\`targetPlan\` \`${name}\` is not allowed in a ${source.environmentTier} environment (the source is ${source.environmentTier}); allowed tiers: ${allowed(to.tiers)}`,
    );
  }
  return to;
}

/** Checks `targetVersion` against the source's version and the plan; returns it when valid. */
function checkTargetVersion(input: any, source: VersionedDbResourceRef, from: Plan, to: Plan | undefined, p: Problems): Major | undefined {
  const edges = UPGRADE_EDGES[source.version];
  const kindChange = to !== undefined && to.kind !== from.kind;
  const upgradesTo = edges.length > 0 ? `upgrades to ${allowed(edges)}` : "is the newest supported major";
  const v = input.targetVersion;
  if (v === undefined) {
    if (kindChange) return source.version;
    if (to !== undefined) p.add("targetVersion", `\`targetVersion\` is required (the source's \`${source.version}\` ${upgradesTo})`);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  const major = normalizeMajor(v);
  if (major === undefined || !isSupportedMajor(major)) {
    p.add("targetVersion", majorProblem("targetVersion", v));
    return undefined;
  }
  if (major === source.version) {
    if (!kindChange) {
      const unless = from.kind === "pg_single" ? " unless `targetPlan` makes the pg_single a pg_cluster" : "";
      p.add("targetVersion", `\`targetVersion\` must differ from the source's \`${source.version}\`${unless} (\`${source.version}\` ${upgradesTo}); got ${show(v)}`);
      return undefined;
    }
  } else if (compareMajors(major, source.version) < 0) {
    p.add(
      "targetVersion",
      `\`targetVersion\` cannot go down from the source's \`${source.version}\` (a major downgrade needs a dump and restore into a new db_resource); got ${show(v)}`,
    );
    return undefined;
  } else if (!edges.includes(major)) {
    p.add("targetVersion", `\`targetVersion\` must be one of ${allowed(edges)}, the upgrades from the source's \`${source.version}\`; got ${show(v)}`);
    return undefined;
  }
  if (to && !to.versions.includes(major)) {
    p.add("targetVersion", `\`targetVersion\` must be one of ${allowed(to.versions)} for plan \`${to.name}\`; got ${show(v)}`);
    return undefined;
  }
  return major;
}

/** Checks strategy, phase and confirmation against each other and the source's tier. */
function checkRun(input: any, source: VersionedDbResourceRef, from: Plan, to: Plan | undefined, p: Problems): void {
  const strategy = input.strategy ?? DEFAULTS.upgradeStrategy;
  const phase = input.phase ?? DEFAULTS.upgradePhase;
  if (strategy === "in_place" && to && to.name !== from.name) {
    const what = to.kind !== from.kind ? `the kind (\`${from.kind}\` to \`${to.kind}\`)` : `the plan (\`${from.name}\` to \`${to.name}\`)`;
    p.add("strategy", `\`strategy\` \`in_place\` cannot change ${what}; use \`blue_green\`, or leave \`targetPlan\` out; got "in_place"`);
  }
  if (strategy === "in_place" && phase === "rollback") {
    p.add(
      "phase",
      "`phase` `rollback` is not possible with `strategy` `in_place` (an in-place major upgrade cannot be undone; restore a backup into a new db_resource instead); got \"rollback\"",
    );
  }
  if ((CONFIRMED_PHASES as readonly string[]).includes(phase) && input.confirm !== true) {
    const tier = source.environmentTier;
    if (tier === undefined || tier === "production") {
      const why = tier ? "the source is production" : "the source's tier is not known, so it is treated as production";
      const does = phase === "cutover" ? "it moves the application to the new db_resource" : "it makes the move final and retires the old db_resource";
      p.add("confirm", `\`confirm\` must be true to run phase \`${phase}\` in a production environment (${why}; ${does}); got ${show(input.confirm)}`);
    }
  }
}

/**
 * Parses BlueGreenUpgrade args into a fully resolved Spec, or throws ONE ValidationError listing
 * every problem with its field, the value received and what is allowed.
 */
export function parseBlueGreenUpgradeArgs(name: string, args: unknown, ctx: BlueGreenUpgradeContext = {}): BlueGreenUpgradeSpec {
  return parseWith(
    subjectOf("BlueGreenUpgrade", name),
    blueGreenUpgradeSchema(),
    args,
    (input, p): UpgradeFacts | undefined => {
      const known = checkRef(input, "source", ctx.source, p);
      if (!known) return undefined;
      const source = known.ref;
      const to = checkTargetPlan(input, source, known.plan, p);
      const targetVersion = checkTargetVersion(input, source, known.plan, to, p);
      checkRun(input, source, known.plan, to, p);
      return to && targetVersion ? { source, targetPlan: to, targetVersion } : undefined;
    },
    (input, facts) => {
      const { source, targetPlan, targetVersion } = facts!;
      return {
        kind: "blue_green_upgrade",
        name,
        source: { ...linkOf(source), version: source.version },
        backend: source.backend,
        targetVersion,
        targetPlan: targetPlan.name,
        targetKind: targetPlan.kind,
        strategy: input.strategy ?? DEFAULTS.upgradeStrategy,
        phase: input.phase ?? DEFAULTS.upgradePhase,
        tablesWithoutPrimaryKey: input.tablesWithoutPrimaryKey ?? DEFAULTS.tablesWithoutPrimaryKey,
        maxWritePauseSeconds: input.maxWritePauseSeconds ?? DEFAULTS.maxWritePauseSeconds,
        confirm: input.confirm ?? false,
      };
    },
  );
}
