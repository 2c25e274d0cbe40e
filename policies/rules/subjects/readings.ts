/**
 * Building blocks of the normalizers: readings with and without defaults, the `pgplatform.io/*`
 * label facts, value parsers, and {@link makeSubject}, which turns readers into a lazy subject.
 * Nothing here catches an error: the SDK's unknown-value error must reach the SDK.
 */
import { LABEL_KEYS } from "../../../components/model/defaults";
import { ENVIRONMENT_TIERS, EnvironmentTier, tierOf } from "../../../components/model/environments";
import { show } from "../../../components/model/errors";
import { parseCidr } from "../../../components/model/network";
import { PlanName, ResourceKind, isPlanName } from "../../../components/model/plans";
import { normalizeMajor } from "../../../components/model/versions";
import { AllowlistEntry, DbSubject, FACT_NAMES, FactName, FactReaders, Facts, Op, Reading, SubjectBase } from "./types";

/** Renders a wanted value for a message: numbers and booleans bare, strings in backticks. */
export function wanted(v: unknown): string {
  return typeof v === "string" ? `\`${v}\`` : Array.isArray(v) ? v.map(wanted).join(", ") : String(v);
}

/** The default way to ask for a value: `` `field` >= 2 ``, `` `field` true ``, `` `field` set ``. */
export function needOf(field: string, op: Op, want: unknown): string {
  if (op === "set") return `\`${field}\` set`;
  return op === "=" ? `\`${field}\` ${wanted(want)}` : `\`${field}\` ${op} ${wanted(want)}`;
}

/** A reading of a value as written, parsed by `parse` (undefined when it does not parse). */
export function given<T>(field: string, raw: unknown, parse: (raw: unknown) => T | undefined, need?: Reading<T>["need"]): Reading<T> {
  return { value: raw === undefined || raw === null ? undefined : parse(raw), field, got: show(raw ?? undefined), need };
}

/**
 * A reading with a default: `fallback` applies when nothing is written, and `got` then says so:
 * `nothing (the default, 0)` or `nothing (plan \`small_single\`'s default, true)`.
 */
export function withDefault<T>(
  field: string,
  raw: unknown,
  parse: (raw: unknown) => T | undefined,
  fallback: T | undefined,
  whose = "the default",
  need?: Reading<T>["need"],
): Reading<T> {
  if (raw !== undefined && raw !== null) return given(field, raw, parse, need);
  return { value: fallback, field, got: fallback === undefined ? "nothing" : `nothing (${whose}, ${show(fallback)})`, need, defaulted: fallback !== undefined };
}

/** A fixed reading: a fact the resource's type decides. */
export function fixed<T>(field: string, value: T, got: string, need?: Reading<T>["need"]): Reading<T> {
  return { value, field, got, need };
}

/** A string, or undefined. */
export const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** A boolean, also from `"true"`/`"false"`, or undefined. */
export const asBool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);
/** Numbers, and numeric strings (AWS inputs sometimes arrive as either). */
export const asNumber = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
/** A major from `16`, `"16"`, `"16.3"` (RDS `engineVersion` may carry the minor); other text as written. */
export const asMajor = (v: unknown): string | undefined => {
  if (typeof v !== "number" && typeof v !== "string") return undefined;
  // An Aurora Limitless version names its major the same way: `16.9-limitless`.
  const m = /^\s*(\d+)(\.\d+)*(-limitless)?\s*$/.exec(String(v));
  return m ? normalizeMajor(m[1]) : String(v);
};

/** Allowlist entries from a list of CIDR strings written at `field`. */
export function cidrEntries(field: string, list: unknown, ports?: AllowlistEntry["ports"]): AllowlistEntry[] {
  if (!Array.isArray(list)) return [];
  const out: AllowlistEntry[] = [];
  list.forEach((text, i) => {
    if (typeof text !== "string") return;
    const c = parseCidr(text);
    out.push({ field: `${field}[${i}]`, text, cidr: c ? `${c.address}/${c.prefix}` : undefined, ports });
  });
  return out;
}

/** The reading of an allowlist: its entries, and what they say as `got`. */
export function allowlist(field: string, entries: AllowlistEntry[]): Reading<AllowlistEntry[]> {
  return { value: entries, field, got: show(entries.map((e) => e.text)) };
}

/** Where the `pgplatform.io/*` keys sit on a resource: AWS `tags`, Kubernetes `metadata.labels`, the local server's `labels`. */
export interface LabelSource {
  /** Reads the label map (may throw the SDK's unknown-value error). */
  read: () => unknown;
  /** The map's field for messages: `tags`, `metadata.labels`. */
  field: string;
  /** What one entry is called: `tag` or `label`. */
  word: "tag" | "label";
}

/** The label facts (plan, project, environment, tier, kind) of a primitive. */
export function labelReaders(src: LabelSource): FactReaders {
  const label = (key: string): unknown => {
    const map = src.read();
    return map && typeof map === "object" ? (map as Record<string, unknown>)[key] : undefined;
  };
  const at = (key: string) => `${src.field}["${key}"]`;
  return {
    plan: () => given<PlanName>(at(LABEL_KEYS.plan), label(LABEL_KEYS.plan), (v) => (isPlanName(v) ? v : undefined)),
    projectId: () => given(at(LABEL_KEYS.project), label(LABEL_KEYS.project), asString),
    environmentId: () => given(at(LABEL_KEYS.environment), label(LABEL_KEYS.environment), asString),
    kind: () => given<ResourceKind>(at(LABEL_KEYS.kind), label(LABEL_KEYS.kind), (v) => (v === "pg_single" || v === "pg_cluster" ? v : undefined)),
    tier: () => {
      const explicit = label(LABEL_KEYS.environmentTier);
      if (explicit === "dev" || explicit === "staging" || explicit === "production") {
        return { value: explicit, field: at(LABEL_KEYS.environmentTier), got: `${src.word} \`${LABEL_KEYS.environmentTier}\` is ${explicit}` };
      }
      const env = label(LABEL_KEYS.environment);
      const field = at(LABEL_KEYS.environment);
      if (typeof env !== "string" || env === "") return { value: undefined, field, got: `no \`${LABEL_KEYS.environment}\` ${src.word}` };
      const tier = tierOf(env);
      return { value: tier, field, got: `${src.word} \`${LABEL_KEYS.environment}\` ${show(env)} is ${tier}` };
    },
  };
}

/**
 * `readers` with the label facts of `src` under them (a reader of `readers` wins, as in
 * `{ ...labelReaders(src), ...readers }`). Assigned, not spread: V8 runs a literal that spreads an
 * object of closures and adds more closures some 50 times slower, on every resource of every rule.
 */
export function withLabels(src: LabelSource, readers: FactReaders): FactReaders {
  return Object.assign(labelReaders(src), readers);
}

/** The tier of component args: `environmentTier` when given, else derived from `environmentId`. */
export function componentTier(props: Record<string, any>): Reading<EnvironmentTier> {
  const tierArg = props.environmentTier;
  if ((ENVIRONMENT_TIERS as readonly unknown[]).includes(tierArg)) {
    return { value: tierArg, field: "environmentTier", got: `\`environmentTier\` is \`${tierArg}\`` };
  }
  const env = props.environmentId;
  if (typeof env !== "string") return { value: undefined, field: "environmentId", got: "no `environmentId`" };
  const tier = tierOf(env);
  return { value: tier, field: "environmentId", got: `\`environmentId\` ${show(env)} is ${tier}` };
}

/**
 * A {@link DbSubject}: the base as own fields, every fact a lazy getter of the prototype (defined
 * once, below), read (and remembered) the first time a rule asks for it. An unknown-value error
 * thrown while reading is not remembered and not caught: it goes to the SDK, which skips the rule
 * that asked. A rule builds one per resource it judges, so building one only stores its parts.
 */
class Subject implements SubjectBase {
  readonly origin: SubjectBase["origin"];
  readonly type: string;
  readonly name: string;
  readonly label: string;
  readonly role: SubjectBase["role"];
  readonly #readers: FactReaders;
  #memo: { [K in FactName]?: Reading<Facts[K]> } | undefined;

  constructor(base: SubjectBase, readers: FactReaders) {
    this.origin = base.origin;
    this.type = base.type;
    this.name = base.name;
    this.label = base.label;
    this.role = base.role;
    this.#readers = readers;
  }

  read<K extends FactName>(fact: K): Reading<Facts[K]> | undefined {
    const memo = (this.#memo ??= {});
    const had = memo[fact];
    if (had !== undefined) return had as Reading<Facts[K]>;
    const reader = this.#readers[fact] as ((s: DbSubject) => Reading<Facts[K]>) | undefined;
    if (!reader) return undefined;
    const r = reader(this as unknown as DbSubject);
    memo[fact] = r as (typeof memo)[K];
    return r;
  }

  need(fact: FactName, op: Op, want: unknown): string {
    const r = this.read(fact);
    if (!r) return needOf(fact, op, want);
    return r.need ? r.need(op, want) : needOf(r.field, op, want);
  }
}
for (const fact of FACT_NAMES) {
  Object.defineProperty(Subject.prototype, fact, {
    enumerable: false,
    get(this: Subject) {
      return this.read(fact)?.value;
    },
  });
}
// `read` and `need` are methods of the prototype, so, as before, not enumerable.

/** Turns readers into a {@link DbSubject} (see {@link Subject}). */
export function makeSubject(base: SubjectBase, readers: FactReaders): DbSubject {
  return new Subject(base, readers) as unknown as DbSubject;
}
