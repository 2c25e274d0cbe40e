/**
 * The quota rules' thresholds: one defaults constant that both the config schemas (which the
 * engine fills in) and the rules' code (which must work when no config came) refer to.
 */
import { PolicyConfigSchema, StackValidationArgs } from "@pulumi/policy";

/** Every quota threshold and its default. Change a default here and the schema and code follow. */
export const QUOTA_DEFAULTS = {
  /** Most GiB of storage the db_resources of one project may declare, over all its environments. */
  maxStorageGbPerProject: 15000,
  /** Most GiB of storage the db_resources of one environment (of one project) may declare. */
  maxStorageGbPerEnvironment: 5000,
  /** Most db_resources one environment (of one project) may hold. */
  maxDbResourcesPerEnvironment: 20,
  /** Most tenants (TenantDatabases) one shared db_resource may carry. */
  maxTenantsPerCluster: 100,
  /** Highest `quotas.maxConnections` a tenant may be given. */
  maxConnectionsPerTenant: 100,
  /** Whether a tenant without `quotas.maxConnections` is a violation. */
  requireTenantConnectionLimit: false,
} as const;

/** The name of a numeric threshold of {@link QUOTA_DEFAULTS}. */
export type QuotaLimit = { [K in keyof typeof QUOTA_DEFAULTS]: (typeof QUOTA_DEFAULTS)[K] extends number ? K : never }[keyof typeof QUOTA_DEFAULTS];
/** The name of a switch of {@link QUOTA_DEFAULTS}. */
export type QuotaSwitch = Exclude<keyof typeof QUOTA_DEFAULTS, QuotaLimit>;

/** JSON-schema property of a numeric threshold: an integer >= 1 with its default. */
export function limitProperty(key: QuotaLimit, description: string): PolicyConfigSchema["properties"][string] {
  return { type: "integer", minimum: 1, default: QUOTA_DEFAULTS[key], description };
}

/** JSON-schema property of a switch, with its default. */
export function switchProperty(key: QuotaSwitch, description: string): PolicyConfigSchema["properties"][string] {
  return { type: "boolean", default: QUOTA_DEFAULTS[key], description };
}

/** A threshold from the policy's config, else its default (the engine fills defaults in; tests and other hosts may not). */
export function limitOf(args: Pick<StackValidationArgs, "getConfig">, key: QuotaLimit): number {
  const v = (args.getConfig<Record<string, unknown>>() ?? {})[key];
  return typeof v === "number" && Number.isFinite(v) ? v : QUOTA_DEFAULTS[key];
}

/** A switch from the policy's config, else its default. */
export function switchOf(args: Pick<StackValidationArgs, "getConfig">, key: QuotaSwitch): boolean {
  const v = (args.getConfig<Record<string, unknown>>() ?? {})[key];
  return typeof v === "boolean" ? v : QUOTA_DEFAULTS[key];
}

/** GiB as a message prints them: whole numbers as they are, others to 2 decimals (`93.13`). */
export function gib(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** How many ids a message lists before it says "and N more". */
export const MAX_LISTED = 10;

/** `\`a\`, \`b\`` for the first {@link MAX_LISTED} items, then `and N more`. */
export function listOf(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(", ");
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}
