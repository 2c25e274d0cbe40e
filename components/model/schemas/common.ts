/**
 * The attributes every db_resource shares (project, environment, plan, version, compute, storage,
 * network allowlist, backup, monitoring, lifecycle): their zod shape, their cross-field checks and
 * how they resolve against the plan catalogue into a Spec.
 *
 * Schemas are built by functions, not held in module constants, so nothing here is captured when a
 * dynamic provider is serialized.
 */
import { z } from "zod";
import { BACKENDS, BackendName, DEFAULTS, LABEL_KEYS, MANAGED_PARAMETERS } from "../defaults";
import { ENVIRONMENT_TIERS, EnvironmentTier, tierOf } from "../environments";
import { Problems, allowed, show } from "../errors";
import { slugProblems } from "../identifiers";
import { isLoopback, isWholeInternet, parseCidr } from "../network";
import { BACKUP_CRON, BackupSchedule, PLANS, Plan, ResourceKind, isPlanName, plansOfKind } from "../plans";
import { DbResourceSpec } from "../spec";
import { DEFAULT_MAJOR, END_OF_LIFE, Major, SUPPORTED_MAJORS, isSupportedMajor, normalizeMajor } from "../versions";

const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;
const PARAMETER_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** zod shape of the common attributes; components spread it into their own object schema. */
export function commonShape() {
  const int = () => z.number().int();
  return {
    projectId: z.string(),
    environmentId: z.string(),
    environmentTier: z.enum(ENVIRONMENT_TIERS).optional(),
    plan: z.string(),
    version: z.union([z.string(), z.number()]).optional(),
    backend: z.enum(BACKENDS).optional(),
    compute: z
      .object({
        aws: z.object({ instanceClass: z.string() }).partial().strict().optional(),
        kubernetes: z.object({ cpu: z.string(), memory: z.string() }).partial().strict().optional(),
        local: z
          .object({ sharedBuffers: z.string(), effectiveCacheSize: z.string(), workMem: z.string(), maintenanceWorkMem: z.string() })
          .partial()
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    storage: z.object({ sizeGb: int().min(1), autoscaleMaxGb: int().min(0) }).partial().strict().optional(),
    network: z
      .object({
        allowedCidrs: z.array(z.string()),
        allowedSecurityGroupIds: z.array(z.string()),
        allowedNamespaces: z.array(z.string()),
        allowedPodLabels: z.record(z.string(), z.string()),
        publicAccess: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
    backup: z
      .object({ enabled: z.boolean(), schedule: z.enum(["hourly", "daily"]), retentionDays: int().min(1).max(3650), pitr: z.boolean() })
      .partial()
      .strict()
      .optional(),
    monitoring: z.object({ enabled: z.boolean(), slowQueryMs: int().min(0) }).partial().strict().optional(),
    lifecycle: z
      .object({
        state: z.enum(["active", "paused"]),
        deletionProtection: z.boolean(),
        deletionPolicy: z.enum(["hard", "soft"]),
        softDeleteRetentionDays: int().min(1).max(365),
        maintenanceWindow: z.string(),
        applyImmediately: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    quotas: z
      .object({ maxStorageGb: z.number().positive(), maxConnections: int().min(1), maxQps: z.number().positive(), warnAtPercent: int().min(1).max(100), onLimit: z.enum(["warn", "read_only"]) })
      .partial()
      .strict()
      .optional(),
    maintenance: z.object({ vacuumAnalyze: z.boolean() }).partial().strict().optional(),
    tags: z.record(z.string(), z.string()).optional(),
  };
}

/** What the cross-field checks learnt, for the resolve step. */
export interface CommonFacts {
  plan?: Plan;
  version?: Major;
  tier: EnvironmentTier;
  /** How the tier was decided, for messages: `` `environmentId` "prod" is production ``. */
  where: string;
  backend?: BackendName;
}

/**
 * Cross-field checks of the common attributes, run on the raw input so that every problem is
 * reported even when the shape check failed elsewhere. `kind` is the kind the component makes.
 */
export function checkCommon(input: any, kind: ResourceKind, component: string, p: Problems, stackBackend?: unknown): CommonFacts {
  const str = (v: unknown): v is string => typeof v === "string";
  if (str(input.projectId)) p.addAll(slugProblems("projectId", input.projectId));
  if (str(input.environmentId)) p.addAll(slugProblems("environmentId", input.environmentId));
  const tierGiven = (ENVIRONMENT_TIERS as readonly string[]).includes(input.environmentTier);
  const tier: EnvironmentTier = tierGiven ? input.environmentTier : tierOf(str(input.environmentId) ? input.environmentId : "");
  const where = tierGiven ? `\`environmentTier\` is \`${tier}\`` : `\`environmentId\` ${show(input.environmentId)} is ${tier}`;

  // An invalid `backend` is reported by the shape check; leave it unknown so no rule judges by it.
  let backend: BackendName | undefined = (BACKENDS as readonly unknown[]).includes(input.backend) ? input.backend : undefined;
  if (input.backend === undefined) {
    if (stackBackend === undefined || stackBackend === "") backend = DEFAULTS.backend;
    else if ((BACKENDS as readonly unknown[]).includes(stackBackend)) backend = stackBackend as BackendName;
    else p.add("pgplatform:backend", `stack config \`pgplatform:backend\` must be one of ${allowed(BACKENDS)}; got ${show(stackBackend)}`);
  }

  let plan: Plan | undefined;
  const kindPlans = plansOfKind(kind);
  if (str(input.plan)) {
    const name: string = input.plan;
    if (!isPlanName(name)) {
      p.add("plan", `\`plan\` must be one of ${allowed(kindPlans)}; got ${show(name)}`);
    } else if (PLANS[name].kind !== kind) {
      const other = PLANS[name].kind === "pg_cluster" ? "PgCluster" : "PgSingle";
      p.add("plan", `\`plan\` \`${name}\` is a ${PLANS[name].kind} plan; ${component} takes ${allowed(kindPlans)} (use ${other} for \`${name}\`)`);
    } else {
      plan = PLANS[name];
      if (!plan.tiers.includes(tier)) {
        p.add("plan", `\`plan\` \`${plan.name}\` is not allowed in a ${tier} environment (${where}); allowed tiers: ${allowed(plan.tiers)}`);
      }
    }
  }

  let version: Major | undefined;
  if (input.version !== undefined) {
    const major = normalizeMajor(input.version);
    if (major !== undefined && isSupportedMajor(major)) {
      if (plan && !plan.versions.includes(major)) {
        p.add("version", `\`version\` must be one of ${allowed(plan.versions)} for plan \`${plan.name}\`; got ${show(input.version)}`);
      } else version = major;
    } else if (typeof input.version === "string" || typeof input.version === "number") {
      p.add("version", majorProblem("version", input.version));
    }
  }

  if (plan) checkStorage(input.storage, plan, p);
  checkNetwork(input.network, tier, where, backend, p);
  checkBackup(input.backup, plan, p);
  checkLifecycle(input.lifecycle, p);
  checkQuotas(input.quotas, p);
  checkParameters(input.parameters, p);
  return { plan, version, tier, where, backend };
}

/**
 * The problem of a value that is not a supported major: names the end of life of a retired major,
 * and the major to write when a minor version (`16.2`) was given.
 */
export function majorProblem(field: string, value: string | number): string {
  const major = normalizeMajor(value);
  const eol = major !== undefined ? END_OF_LIFE[major] : undefined;
  const minor = /^\s*(\d+)\.\d+(\.\d+)?\s*$/.exec(String(value));
  let why = "";
  if (eol) why = ` (PostgreSQL ${major} reached end of life on ${eol})`;
  else if (minor) why = ` (give the major only, such as \`${Number(minor[1])}\`; the back end picks the minor release)`;
  return `\`${field}\` must be a supported major, one of ${allowed(SUPPORTED_MAJORS)}${why}; got ${show(value)}`;
}

function checkStorage(storage: any, plan: Plan, p: Problems): void {
  if (!storage || typeof storage !== "object") return;
  const { sizeGb, autoscaleMaxGb } = storage;
  const { minGb, maxGb } = plan.storage;
  // Below 1 the shape check already says so.
  if (Number.isInteger(sizeGb) && sizeGb >= 1 && (sizeGb < minGb || sizeGb > maxGb)) {
    p.add("storage.sizeGb", `\`storage.sizeGb\` must be between ${minGb} and ${maxGb} for plan \`${plan.name}\`; got ${sizeGb}`);
  }
  const size = Number.isInteger(sizeGb) ? sizeGb : plan.storage.defaultGb;
  if (Number.isInteger(autoscaleMaxGb) && autoscaleMaxGb !== 0 && (autoscaleMaxGb < size || autoscaleMaxGb > maxGb)) {
    p.add(
      "storage.autoscaleMaxGb",
      `\`storage.autoscaleMaxGb\` must be 0 (off) or between \`storage.sizeGb\` (${size}) and ${maxGb} for plan \`${plan.name}\`; got ${autoscaleMaxGb}`,
    );
  }
}

function checkNetwork(network: any, tier: EnvironmentTier, where: string, backend: BackendName | undefined, p: Problems): void {
  if (!network || typeof network !== "object") return;
  const cidrs: unknown[] = Array.isArray(network.allowedCidrs) ? network.allowedCidrs : [];
  cidrs.forEach((text, i) => {
    if (typeof text !== "string") return;
    const field = `network.allowedCidrs[${i}]`;
    const cidr = parseCidr(text);
    if (!cidr) p.add(field, `\`${field}\` must be an IPv4 or IPv6 CIDR such as \`10.0.0.0/16\`; got ${show(text)}`);
    else if (isWholeInternet(cidr) && tier !== "dev") {
      p.add(field, `\`${field}\` admits the whole internet, which only a dev environment may do (${where}); got ${show(text)}`);
    }
  });
  if (network.publicAccess === true && tier !== "dev") {
    p.add("network.publicAccess", `\`network.publicAccess\` may only be \`true\` in a dev environment (${where}); got true`);
  }
  if (backend === undefined) return;
  const onlyFor: [string, BackendName][] = [
    ["allowedSecurityGroupIds", "aws"],
    ["allowedNamespaces", "kubernetes"],
    ["allowedPodLabels", "kubernetes"],
  ];
  for (const [field, owner] of onlyFor) {
    const v = network[field];
    const given = Array.isArray(v) ? v.length > 0 : v && typeof v === "object" && Object.keys(v).length > 0;
    if (given && owner !== backend) {
      p.add(`network.${field}`, `\`network.${field}\` applies to the \`${owner}\` back end only, and this db_resource uses \`${backend}\`; got ${show(v)}`);
    }
  }
}

function checkBackup(backup: any, plan: Plan | undefined, p: Problems): void {
  if (!backup || typeof backup !== "object" || backup.pitr !== true) return;
  if (backup.enabled === false) {
    p.add("backup.pitr", "`backup.pitr` needs `backup.enabled` to be true (PITR replays WAL on top of a backup); got true");
  } else if (backup.enabled === undefined && plan && !plan.backup.enabled) {
    p.add(
      "backup.pitr",
      `\`backup.pitr\` needs backups, and plan \`${plan.name}\` has none by default (PITR replays WAL on top of a backup); set \`backup.enabled\` to true; got true`,
    );
  }
}

function checkLifecycle(lifecycle: any, p: Problems): void {
  if (!lifecycle || typeof lifecycle !== "object") return;
  const w = lifecycle.maintenanceWindow;
  if (typeof w === "string" && !MAINTENANCE_WINDOW.test(w)) {
    p.add(
      "lifecycle.maintenanceWindow",
      `\`lifecycle.maintenanceWindow\` must look like \`sun:04:00-sun:05:00\` (lower-case day, 24-hour UTC time); got ${show(w)}`,
    );
  }
}

function checkQuotas(quotas: any, p: Problems): void {
  if (!quotas || typeof quotas !== "object") return;
  if (quotas.maxStorageGb === undefined && quotas.maxConnections === undefined && quotas.maxQps === undefined) {
    p.add("quotas", `\`quotas\` must set at least one of \`maxStorageGb\`, \`maxConnections\`, \`maxQps\`; got ${show(quotas)}`);
  }
}

function checkParameters(parameters: any, p: Problems): void {
  if (!parameters || typeof parameters !== "object") return;
  for (const [name, value] of Object.entries(parameters)) {
    const field = `parameters.${name}`;
    if (!PARAMETER_NAME.test(name)) {
      p.add(field, `\`${field}\` is not a valid PostgreSQL parameter name (lower-case letters, digits, \`_\`, one optional \`.\`); got ${show(value)}`);
    } else if ((MANAGED_PARAMETERS as readonly string[]).includes(name)) {
      p.add(field, `\`${field}\` is managed by pgplatform and cannot be set here (use the plan, \`compute\` or \`network\`); got ${show(value)}`);
    }
    if (typeof value === "string" && /[\n\r\0]/.test(value)) {
      p.add(field, `\`${field}\` must be a single line; got ${show(value)}`);
    }
  }
}

/** Resolves the common attributes of a valid input against its plan. */
export function resolveCommon(input: any, name: string, kind: ResourceKind, facts: Required<Omit<CommonFacts, "version">> & { version?: Major }, resourceId: string): DbResourceSpec {
  const plan = facts.plan;
  const production = facts.tier === "production";
  const parameters: Record<string, string> = { ...plan.parameters };
  const monitoring = { enabled: input.monitoring?.enabled ?? true, slowQueryMs: input.monitoring?.slowQueryMs ?? DEFAULTS.slowQueryMs };
  parameters.log_min_duration_statement = monitoring.enabled ? `${monitoring.slowQueryMs}ms` : "-1";
  for (const [k, v] of Object.entries(input.parameters ?? {})) parameters[k] = typeof v === "boolean" ? (v ? "on" : "off") : String(v);
  const sizeGb = input.storage?.sizeGb ?? plan.storage.defaultGb;
  const labels = {
    [LABEL_KEYS.project]: input.projectId,
    [LABEL_KEYS.environment]: input.environmentId,
    [LABEL_KEYS.environmentTier]: facts.tier,
    [LABEL_KEYS.plan]: plan.name,
    [LABEL_KEYS.resourceId]: resourceId,
    [LABEL_KEYS.kind]: kind,
    [LABEL_KEYS.managedBy]: "pgplatform",
  };
  return {
    kind,
    name,
    resourceId,
    projectId: input.projectId,
    environmentId: input.environmentId,
    environmentTier: facts.tier,
    plan: plan.name,
    version: facts.version ?? defaultVersionOf(plan),
    backend: facts.backend,
    compute: {
      aws: { ...plan.compute.aws, ...input.compute?.aws },
      kubernetes: { ...plan.compute.kubernetes, ...input.compute?.kubernetes },
      local: { ...plan.compute.local, ...input.compute?.local },
    },
    storage: {
      ...plan.storage,
      sizeGb,
      autoscaleMaxGb: input.storage?.autoscaleMaxGb ?? Math.max(plan.storage.autoscaleMaxGb, sizeGb),
    },
    parameters,
    network: {
      allowedCidrs: [...(input.network?.allowedCidrs ?? DEFAULTS.allowedCidrs)].map((c: string) => {
        const cidr = parseCidr(c)!;
        return `${cidr.address}/${cidr.prefix}`;
      }),
      allowedSecurityGroupIds: input.network?.allowedSecurityGroupIds ?? [],
      allowedNamespaces: input.network?.allowedNamespaces ?? [],
      allowedPodLabels: input.network?.allowedPodLabels ?? {},
      publicAccess: input.network?.publicAccess ?? false,
    },
    backup: {
      enabled: input.backup?.enabled ?? plan.backup.enabled,
      schedule: input.backup?.schedule ?? plan.backup.schedule,
      cron: input.backup?.schedule ? BACKUP_CRON[input.backup.schedule as BackupSchedule] : plan.backup.cron,
      retentionDays: input.backup?.retentionDays ?? plan.backup.retentionDays,
      pitr: input.backup?.pitr ?? (input.backup?.enabled === false ? false : plan.backup.pitr),
    },
    monitoring,
    lifecycle: {
      state: input.lifecycle?.state ?? "active",
      deletionProtection: input.lifecycle?.deletionProtection ?? (plan.deletionProtection || production),
      deletionPolicy: input.lifecycle?.deletionPolicy ?? (production ? "soft" : "hard"),
      softDeleteRetentionDays: input.lifecycle?.softDeleteRetentionDays ?? DEFAULTS.softDeleteRetentionDays,
      maintenanceWindow: input.lifecycle?.maintenanceWindow ?? plan.maintenanceWindow,
      ...(input.lifecycle?.applyImmediately !== undefined ? { applyImmediately: input.lifecycle.applyImmediately } : {}),
    },
    tags: { ...(input.tags ?? {}) },
    ...(input.quotas
      ? {
          quotas: {
            ...input.quotas,
            warnAtPercent: input.quotas.warnAtPercent ?? DEFAULTS.quotaWarnAtPercent,
            onLimit: input.quotas.onLimit ?? "warn",
          },
        }
      : {}),
    ...(input.maintenance ? { maintenance: { vacuumAnalyze: input.maintenance.vacuumAnalyze ?? false } } : {}),
    labels,
  };
}

/** The version a plan gets when none is given: the newest of the plan's versions not newer than the default. */
export function defaultVersionOf(plan: Plan): Major {
  return plan.versions.includes(DEFAULT_MAJOR) ? DEFAULT_MAJOR : plan.versions[plan.versions.length - 1];
}

/** True when every allowlisted CIDR is loopback. */
export function loopbackOnly(cidrs: readonly string[]): boolean {
  return cidrs.every((c) => {
    const cidr = parseCidr(c);
    return cidr !== undefined && isLoopback(cidr);
  });
}
