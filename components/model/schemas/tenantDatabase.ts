/**
 * TenantDatabase args: shape, cross-field checks and resolution into a {@link TenantDatabaseSpec}.
 * A tenant gets its own database (`database_per_tenant`) or its own schema in the target's
 * database (`schema_per_tenant`), and a login role of the same name.
 */
import { z } from "zod";
import { DEFAULTS } from "../defaults";
import { ENVIRONMENT_TIERS, EnvironmentTier, tierOf } from "../environments";
import { Problems, allowed, show } from "../errors";
import { RESERVED_DATABASES, RESERVED_ROLES, RESERVED_SCHEMAS, identifierFaults, slugProblems } from "../identifiers";
import { resourceIdOf } from "../ids";
import { DbResourceRef, TenantDatabaseSpec } from "../spec";
import { parseWith, subjectOf } from "./parse";
import { checkRef, linkOf, refShape } from "./refs";

/** What the TenantDatabase parse takes besides the args: the facts of its target. */
export interface TenantDatabaseContext {
  /** The target db_resource, as the component read it from `args.target`; undefined when it is not one. */
  target?: DbResourceRef;
}

/** The placeholders a naming template may use, and the arg each one takes its value from. */
export const NAMING_PLACEHOLDERS = { tenant_id: "tenantId", project_id: "projectId", environment_id: "environmentId" } as const;

const MODES = ["database_per_tenant", "schema_per_tenant"] as const;

/** zod shape of TenantDatabase args. */
export function tenantDatabaseSchema() {
  const int = () => z.number().int();
  return z
    .object({
      tenantId: z.string(),
      projectId: z.string(),
      environmentId: z.string(),
      target: refShape(),
      mode: z.enum(MODES),
      naming: z.string().optional(),
      quotas: z
        .object({ maxConnections: int().min(1), maxStorageGb: z.number().gt(0), warnAtPercent: int().min(1).max(100), onLimit: z.enum(["warn", "lock"]) })
        .partial()
        .strict()
        .optional(),
      deletion: z
        .object({ policy: z.enum(["drop", "lock", "archive"]), backupBeforeDelete: z.boolean(), archiveLocation: z.string() })
        .partial()
        .strict()
        .optional(),
    })
    .strict();
}

/** The stricter of two tiers (production > staging > dev). */
function stricter(a: EnvironmentTier, b: EnvironmentTier): EnvironmentTier {
  return ENVIRONMENT_TIERS.indexOf(a) >= ENVIRONMENT_TIERS.indexOf(b) ? a : b;
}

/**
 * The tier a tenant is judged by: its own environment's, or the target's when that is stricter;
 * with how it was decided, for messages.
 */
function tenantTier(input: any, ref: DbResourceRef | undefined): { tier: EnvironmentTier; where: string } {
  const own = tierOf(typeof input.environmentId === "string" ? input.environmentId : "");
  const tier = ref?.environmentTier ? stricter(own, ref.environmentTier) : own;
  const where = tier === own ? `\`environmentId\` ${show(input.environmentId)} is ${own}` : `the target is ${tier}`;
  return { tier, where };
}

/** Fills a naming template; `-` in a substituted id becomes `_`. */
export function applyNaming(template: string, ids: { tenantId: string; projectId: string; environmentId: string }): string {
  return template.replace(/\{(tenant_id|project_id|environment_id)\}/g, (_, key: keyof typeof NAMING_PLACEHOLDERS) =>
    ids[NAMING_PLACEHOLDERS[key]].replace(/-/g, "_"),
  );
}

/** Checks the naming template and the name it gives this tenant. */
function checkNaming(input: any, ref: DbResourceRef | undefined, p: Problems): void {
  const given = input.naming;
  const template: string = typeof given === "string" ? given : DEFAULTS.tenantNaming;
  const placeholders = Object.keys(NAMING_PLACEHOLDERS).map((k) => `{${k}}`);
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[0]).filter((m) => !placeholders.includes(m));
  if (unknown.length > 0) {
    p.add("naming", `\`naming\` uses ${allowed(unknown)}, which ${unknown.length === 1 ? "is not a placeholder" : "are not placeholders"}; the placeholders are ${allowed(placeholders)}; got ${show(template)}`);
    return;
  }
  if (!template.includes("{tenant_id}")) {
    p.add("naming", `\`naming\` must contain \`{tenant_id}\`, or every tenant on the target would get the same name; got ${show(template)}`);
    return;
  }
  const ids = { tenantId: input.tenantId, projectId: input.projectId, environmentId: input.environmentId };
  const used = Object.entries(NAMING_PLACEHOLDERS).filter(([k]) => template.includes(`{${k}}`));
  // A bad id is reported on its own field; judging the name built from it would say it twice.
  if (!used.every(([, field]) => typeof ids[field] === "string" && slugProblems(field, ids[field]).length === 0)) return;
  const result = applyNaming(template, ids);
  const schema = input.mode === "schema_per_tenant";
  const what = schema ? "schema" : "database";
  // The role takes the same name, so the name must be free both as a database (or schema) and as a role.
  const reserved = [...new Set<string>([...(schema ? RESERVED_SCHEMAS : RESERVED_DATABASES), ...RESERVED_ROLES])];
  for (const fault of identifierFaults(result, reserved)) {
    p.add("naming", `\`naming\` gives ${show(result)} as the tenant's ${what} and role name, which ${fault.rule}${fault.note ? ` (${fault.note})` : ""}; got ${show(template)}`);
  }
  if (!schema && ref?.databaseName === result) {
    p.add("naming", `\`naming\` gives ${show(result)}, the name of the target's application database; got ${show(template)}`);
  }
  if (ref?.username === result) {
    p.add("naming", `\`naming\` gives ${show(result)}, the name of the target's application role; got ${show(template)}`);
  }
}

/** Checks quotas and the deletion policy. */
function checkPolicies(input: any, { tier, where }: { tier: EnvironmentTier; where: string }, p: Problems): void {
  const quotas = input.quotas;
  if (quotas && typeof quotas === "object" && quotas.maxConnections === undefined && quotas.maxStorageGb === undefined && Object.keys(quotas).length > 0) {
    p.add("quotas", `\`quotas\` must set \`maxConnections\` or \`maxStorageGb\` (\`warnAtPercent\` and \`onLimit\` apply to those limits); got ${show(quotas)}`);
  }
  const deletion = input.deletion && typeof input.deletion === "object" ? input.deletion : {};
  const policy = deletion.policy ?? (tier === "production" ? DEFAULTS.tenantDeletionPolicy.production : DEFAULTS.tenantDeletionPolicy.other);
  const backupDefault = policy === "drop" && tier === "production";
  const location = deletion.archiveLocation;
  if (typeof location === "string" && !location.startsWith("/")) {
    p.add("deletion.archiveLocation", `\`deletion.archiveLocation\` must be an absolute path; got ${show(location)}`);
  }
  if (location !== undefined) return;
  if (policy === "archive") {
    p.add("deletion.archiveLocation", "`deletion.archiveLocation` is required when `deletion.policy` is `archive` (an absolute path where the tenant's dump is kept)");
  } else if (deletion.backupBeforeDelete === true) {
    p.add("deletion.archiveLocation", "`deletion.archiveLocation` is required when `deletion.backupBeforeDelete` is true (an absolute path where the tenant's dump is kept)");
  } else if (deletion.backupBeforeDelete === undefined && backupDefault) {
    p.add(
      "deletion.archiveLocation",
      `\`deletion.archiveLocation\` is required: in a production environment (${where}) a tenant is backed up before it is dropped (\`deletion.backupBeforeDelete\` defaults to true); give an absolute path, or set \`deletion.backupBeforeDelete\` to false`,
    );
  }
}

/**
 * Parses TenantDatabase args into a fully resolved Spec, or throws ONE ValidationError listing
 * every problem with its field, the value received and what is allowed.
 */
export function parseTenantDatabaseArgs(name: string, args: unknown, ctx: TenantDatabaseContext = {}): TenantDatabaseSpec {
  return parseWith(
    subjectOf("TenantDatabase", name),
    tenantDatabaseSchema(),
    args,
    (input, p) => {
      for (const field of ["tenantId", "projectId", "environmentId"]) {
        if (typeof input[field] === "string") p.addAll(slugProblems(field, input[field]));
      }
      const target = checkRef(input, "target", ctx.target, p);
      checkNaming(input, target?.ref, p);
      const tier = tenantTier(input, target?.ref);
      checkPolicies(input, tier, p);
      return { target: target!, tier: tier.tier };
    },
    (input, { target, tier }) => {
      const naming: string = input.naming ?? DEFAULTS.tenantNaming;
      const resolved = applyNaming(naming, input);
      const production = tier === "production";
      const policy = input.deletion?.policy ?? (production ? DEFAULTS.tenantDeletionPolicy.production : DEFAULTS.tenantDeletionPolicy.other);
      const deletion: TenantDatabaseSpec["deletion"] = {
        policy,
        backupBeforeDelete: input.deletion?.backupBeforeDelete ?? (policy === "drop" && production),
      };
      if (input.deletion?.archiveLocation !== undefined) deletion.archiveLocation = input.deletion.archiveLocation;
      const quotas: TenantDatabaseSpec["quotas"] = {
        warnAtPercent: input.quotas?.warnAtPercent ?? DEFAULTS.quotaWarnAtPercent,
        onLimit: input.quotas?.onLimit ?? DEFAULTS.quotaOnLimit,
      };
      if (input.quotas?.maxConnections !== undefined) quotas.maxConnections = input.quotas.maxConnections;
      if (input.quotas?.maxStorageGb !== undefined) quotas.maxStorageGb = input.quotas.maxStorageGb;
      const base = {
        kind: "tenant_database" as const,
        name,
        resourceId: resourceIdOf("tenant_database", input.projectId, input.environmentId, name),
        tenantId: input.tenantId,
        projectId: input.projectId,
        environmentId: input.environmentId,
        environmentTier: tier,
        target: linkOf(target.ref),
        backend: target.ref.backend,
        naming,
        roleName: resolved,
        quotas,
        deletion,
      };
      return input.mode === "schema_per_tenant"
        ? { ...base, mode: "schema_per_tenant", schemaName: resolved }
        : { ...base, mode: "database_per_tenant", databaseName: resolved };
    },
  );
}
