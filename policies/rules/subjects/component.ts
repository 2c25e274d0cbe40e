/**
 * Normalizer of component args (`pgplatform:index:PgSingle`, `pgplatform:index:PgCluster`): the
 * user's intent, with the plan catalogue's defaults filled in for what the args leave out, the way
 * `resolveCommon` (components/model/schemas/common.ts) resolves them. No zod parsing: args that the
 * component would refuse are judged on what they say, and nothing throws but the SDK's unknown-value error.
 */
import { BACKENDS, BackendName, DEFAULTS } from "../../../components/model/defaults";
import { PLANS, Plan, PlanName, ResourceKind, isPlanName } from "../../../components/model/plans";
import { defaultVersionOf } from "../../../components/model/schemas/common";
import { allowlist, asBool, asMajor, asNumber, asString, cidrEntries, componentTier, fixed, given, withDefault } from "./readings";
import { DbSubject, FactReaders, SubjectBase } from "./types";

/** The component types this normalizer reads, with the kind each makes. */
export const COMPONENT_KINDS: Readonly<Record<string, ResourceKind>> = {
  "pgplatform:index:PgSingle": "pg_single",
  "pgplatform:index:PgCluster": "pg_cluster",
};

/** The base and readers of a PgSingle or PgCluster, from its args. */
export function componentSubject(type: string, name: string, props: Record<string, any>): { base: SubjectBase; readers: FactReaders } | undefined {
  const kind = COMPONENT_KINDS[type];
  if (!kind) return undefined;
  const component = type.slice(type.lastIndexOf(":") + 1);
  const planOf = (): Plan | undefined => (isPlanName(props.plan) ? PLANS[props.plan as PlanName] : undefined);
  const whose = (p: Plan | undefined) => (p ? `plan \`${p.name}\`'s default` : "the default");
  /** A reading of an optional arg at `path` (dotted) with the plan's default. */
  const arg = <T>(path: string, parse: (v: unknown) => T | undefined, fallback: (p: Plan) => T) => {
    const raw = at(props, path);
    if (raw !== undefined && raw !== null) return given(path, raw, parse);
    const plan = planOf();
    return withDefault(path, raw, parse, plan ? fallback(plan) : undefined, whose(plan));
  };
  const readers: FactReaders = {
    kind: () => fixed("type", kind, `\`${type}\``),
    backend: () => given<BackendName>("backend", props.backend, (v) => ((BACKENDS as readonly unknown[]).includes(v) ? (v as BackendName) : undefined)),
    plan: () => given<PlanName>("plan", props.plan, (v) => (isPlanName(v) ? v : undefined)),
    projectId: () => given("projectId", props.projectId, asString),
    environmentId: () => given("environmentId", props.environmentId, asString),
    tier: () => componentTier(props),
    version: () => arg("version", asMajor, (p) => defaultVersionOf(p)),
    storageGb: () => arg("storage.sizeGb", asNumber, (p) => p.storage.defaultGb),
    autoscaleMaxGb: (s: DbSubject) => {
      const plan = planOf();
      const size = s.storageGb;
      const fallback = plan && size !== undefined ? Math.max(plan.storage.autoscaleMaxGb, size) : undefined;
      return withDefault("storage.autoscaleMaxGb", props.storage?.autoscaleMaxGb, asNumber, fallback, whose(plan));
    },
    instanceClass: () => arg("compute.aws.instanceClass", asString, (p) => p.compute.aws.instanceClass),
    cpu: () => arg("compute.kubernetes.cpu", asString, (p) => p.compute.kubernetes.cpu),
    memory: () => arg("compute.kubernetes.memory", asString, (p) => p.compute.kubernetes.memory),
    backupEnabled: () => arg("backup.enabled", asBool, (p) => p.backup.enabled),
    backupSchedule: () => arg("backup.schedule", asString, (p) => p.backup.schedule),
    retentionDays: () => arg("backup.retentionDays", asNumber, (p) => p.backup.retentionDays),
    pitr: () => arg("backup.pitr", asBool, (p) => (props.backup?.enabled === false ? false : p.backup.pitr)),
    deletionProtection: (s: DbSubject) => {
      const plan = planOf();
      const fallback = plan ? plan.deletionProtection || s.tier === "production" : undefined;
      return withDefault("lifecycle.deletionProtection", props.lifecycle?.deletionProtection, asBool, fallback, whose(plan));
    },
    publicAccess: () => withDefault("network.publicAccess", props.network?.publicAccess, asBool, false),
    allowedCidrs: () => allowlist("network.allowedCidrs", cidrEntries("network.allowedCidrs", props.network?.allowedCidrs ?? DEFAULTS.allowedCidrs)),
  };
  if (kind === "pg_cluster") {
    readers.standbys = () => arg("standbys", asNumber, (p) => p.ha.standbys);
    readers.multiAz = () => arg("multiAz", asBool, (p) => p.ha.multiAz);
    readers.syncStandbys = () => {
      const mode = props.replicationMode;
      if (props.syncStandbys !== undefined || mode === undefined) {
        return arg("syncStandbys", asNumber, (p) => (p.ha.replicationMode === "sync" ? DEFAULTS.syncStandbys : 0));
      }
      const n = mode === "sync" ? DEFAULTS.syncStandbys : 0;
      return fixed("replicationMode", n, `${n} (\`replicationMode\` ${JSON.stringify(mode)})`, (op, want) => `\`replicationMode\` \`sync\` with \`syncStandbys\` ${op} ${want}`);
    };
  }
  return { base: { origin: "component", type, name, label: `${component} ${JSON.stringify(name)}`, role: "database" }, readers };
}

/** The value at a dotted path of the args (`backup.enabled`), or undefined. */
function at(props: Record<string, any>, path: string): unknown {
  let cur: any = props;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[part];
  }
  return cur;
}
