/**
 * What every resource rule shares: its config (the schema the engine shows and fills, and the same
 * defaults in code, since only the engine fills schema defaults), and {@link dbRule}, which turns a
 * judgement of a {@link DbSubject} into a `ResourceValidationPolicy`.
 */
import { EnforcementLevel, PolicyConfigSchema, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { EnvironmentTier } from "../../components/model/environments";
import { PLANS, Plan } from "../../components/model/plans";
import { DbSubject, subjectOf } from "./subjects";

/** One JSON-schema property of a rule's config, without its default (taken from the defaults object). */
export type ConfigProperty = Omit<PolicyConfigSchema["properties"][string], "default">;

/**
 * The config schema of a rule: every key of `defaults`, each with its JSON-schema property and,
 * as its `default`, the very value the code falls back on.
 */
export function configSchemaOf<C extends Record<string, unknown>>(defaults: C, properties: { [K in keyof C]: ConfigProperty }): PolicyConfigSchema {
  const out: PolicyConfigSchema["properties"] = {};
  for (const key of Object.keys(defaults)) out[key] = { ...properties[key], default: defaults[key] as any };
  return { properties: out };
}

/**
 * A rule's config: what the policy's config gives, over `defaults`. A key whose value is missing or
 * of another JSON type than its default (array, number, boolean, string) falls back to the default.
 */
export function configOf<C extends Record<string, unknown>>(args: Pick<ResourceValidationArgs, "getConfig">, defaults: C): C {
  const given = (args.getConfig<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const v = given[key];
    const d = defaults[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(d) ? Array.isArray(v) : typeof v === typeof d) out[key] = v;
  }
  return out as C;
}

/** Reports one violation message of a rule. */
export type Report = (message: string) => void;

/** What {@link dbRule} needs: the policy's fields and the judgement of one subject. */
export interface DbRuleDefinition<C extends Record<string, unknown>> {
  name: string;
  /** Starts with "Checks that ...". */
  description: string;
  enforcementLevel: EnforcementLevel;
  defaults: C;
  properties: { [K in keyof C]: ConfigProperty };
  /** Judges one subject; reports each violation as `<label>: <what is needed>; got <value>`. */
  judge: (subject: DbSubject, config: C, report: Report) => void;
  /**
   * The one resource type the rule judges, when there is one. The validation function then carries
   * it as `__pulumiType` (as the SDK's `validateResourceOfType` does), so the SDK answers "not
   * applicable" for every other type without deserializing its properties.
   */
  appliesTo?: string;
}

/** A resource rule over {@link DbSubject}s: resources no normalizer reads are left alone. */
export function dbRule<C extends Record<string, unknown>>(def: DbRuleDefinition<C>): ResourceValidationPolicy {
  const only = def.appliesTo;
  const validate: ResourceValidation & { __pulumiType?: string } = (args, reportViolation) => {
    // The SDK skips other types itself when it sees `__pulumiType`; this answers the same (as the
    // SDK's `validateResourceOfType` does) for a host that dropped it, e.g. a wrapper.
    if (only !== undefined && args.type !== only) return args.notApplicable(`Policy only applies to resources of type '${only}'`);
    const subject = subjectOf(args);
    if (!subject) return;
    def.judge(subject, configOf(args, def.defaults), (message) => reportViolation(message));
  };
  if (only !== undefined) validate.__pulumiType = only;
  return {
    name: def.name,
    description: def.description,
    enforcementLevel: def.enforcementLevel,
    configSchema: configSchemaOf(def.defaults, def.properties),
    validateResource: validate,
  };
}

/** The catalogue plan a subject names, or undefined (no label, or a name the catalogue does not have). */
export function planOf(s: DbSubject): Plan | undefined {
  const name = s.plan;
  return name === undefined ? undefined : PLANS[name];
}

/** The subject's tier for safety rules: a subject without an environment counts as production, the strictest (as `tierOf` does for unknown names). */
export function strictTier(s: DbSubject): EnvironmentTier {
  return s.tier ?? "production";
}

/** How a subject's tier was decided, for messages: `` `environmentId` "prod" is production ``. */
export function whereOf(s: DbSubject): string {
  const r = s.read("tier");
  if (!r) return "no environment";
  return r.value === undefined ? `${r.got}, so judged as production` : r.got;
}

/** `a \`dev\` environment`, `a \`dev\` or \`staging\` environment`, or `no environment`. */
export function tiersText(tiers: readonly string[]): string {
  if (tiers.length === 0) return "no environment";
  const names = tiers.map((t) => `\`${t}\``);
  return `a ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`} environment`;
}

/** JSON-schema property of a list of environment tiers. */
export const TIERS_PROPERTY: ConfigProperty = { type: "array", items: { type: "string", enum: ["dev", "staging", "production"] }, uniqueItems: true };
