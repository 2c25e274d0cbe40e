/**
 * PgSingle args: shape, cross-field checks and resolution into a {@link PgSingleSpec}.
 */
import { z } from "zod";
import { DEFAULTS } from "../defaults";
import { Problems, show } from "../errors";
import { RESERVED_DATABASES, RESERVED_ROLES, identifierProblems } from "../identifiers";
import { resourceIdOf } from "../ids";
import { ResourceKind } from "../plans";
import { BackendOptions, PgSingleSpec } from "../spec";
import { awsShape, checkAws, resolveAws } from "./aws";
import { CommonFacts, checkCommon, commonShape, defaultVersionOf, resolveCommon } from "./common";
import { checkKubernetes, kubernetesShape, resolveKubernetes } from "./kubernetes";
import { parseWith, subjectOf } from "./parse";
import { RestoreSourceRef, checkRestore, resolveRestore, restoreShape } from "./restore";

/** What every parse takes besides the args: facts of the stack the component runs in. */
export interface ParseContext {
  /** Stack config `pgplatform:backend`, when set. */
  stackBackend?: unknown;
  /** The BackupPolicy named by `restore.from`, as the component read it; undefined when it is not one. */
  restoreFrom?: RestoreSourceRef;
}

/** zod shape of the per-back-end options and `restore`, shared by PgSingle and PgCluster. */
export function backendOptionsShape() {
  return { local: localShape(), kubernetes: kubernetesShape(), aws: awsShape(), restore: restoreShape() };
}

/** Checks the per-back-end options and `restore` of a db_resource of `kind` named `name`. */
export function checkBackendOptions(input: any, name: string, kind: ResourceKind, facts: CommonFacts, ctx: ParseContext, p: Problems): void {
  checkLocal(input, facts.backend, p);
  checkKubernetes(input, facts.backend, p);
  checkAws(input, facts.backend, p);
  const ids = typeof input.projectId === "string" && typeof input.environmentId === "string";
  const resourceId = ids ? resourceIdOf(kind, input.projectId, input.environmentId, name) : "";
  const version = facts.version ?? (input.version === undefined && facts.plan ? defaultVersionOf(facts.plan) : undefined);
  const backupEnabled: boolean | undefined = input.backup?.enabled ?? facts.plan?.backup.enabled;
  const pitr: boolean | undefined = input.backup?.pitr ?? (backupEnabled === false ? false : facts.plan?.backup.pitr);
  checkRestore(input, ctx.restoreFrom, { kind, backend: facts.backend, version, resourceId, backupEnabled, pitr }, p);
}

/** Resolves the per-back-end options and `restore`. */
export function resolveBackendOptions(input: any, ctx: ParseContext): BackendOptions {
  const options: BackendOptions = { local: { ...input.local }, kubernetes: resolveKubernetes(input), aws: resolveAws(input) };
  const restore = resolveRestore(input, ctx.restoreFrom);
  if (restore) options.restore = restore;
  return options;
}

/** zod shape of PgSingle args. */
export function pgSingleSchema() {
  return z
    .object({
      ...commonShape(),
      databaseName: z.string().optional(),
      username: z.string().optional(),
      readReplicas: z.number().int().min(0).optional(),
      ...backendOptionsShape(),
    })
    .strict();
}

/** `local` options shared by PgSingle and PgCluster. */
export function localShape() {
  return z
    .object({ dataRoot: z.string(), port: z.number().int().min(1024).max(65535) })
    .partial()
    .strict()
    .optional();
}

/** Checks the application database and user names. */
export function checkNames(input: any, p: Problems): void {
  if (typeof input.databaseName === "string") p.addAll(identifierProblems("databaseName", input.databaseName, RESERVED_DATABASES));
  if (typeof input.username === "string") p.addAll(identifierProblems("username", input.username, RESERVED_ROLES));
}

/** Checks `local` options: only for the local back end, an absolute `dataRoot`. */
export function checkLocal(input: any, backend: string | undefined, p: Problems): void {
  const local = input.local;
  if (!local || typeof local !== "object") return;
  if (backend !== undefined && backend !== "local" && Object.keys(local).length > 0) {
    p.add("local", `\`local\` options apply to the \`local\` back end only, and this db_resource uses \`${backend}\`; got ${show(local)}`);
  }
  if (typeof local.dataRoot === "string" && !local.dataRoot.startsWith("/")) {
    p.add("local.dataRoot", `\`local.dataRoot\` must be an absolute path; got ${show(local.dataRoot)}`);
  }
}

/**
 * Parses PgSingle args into a fully resolved Spec, or throws ONE ValidationError listing every
 * problem with its field, the value received and what is allowed.
 */
export function parsePgSingleArgs(name: string, args: unknown, ctx: ParseContext = {}): PgSingleSpec {
  return parseWith(
    subjectOf("PgSingle", name),
    pgSingleSchema(),
    args,
    (input, p) => {
      const facts = checkCommon(input, "pg_single", "PgSingle", p, ctx.stackBackend);
      checkNames(input, p);
      checkBackendOptions(input, name, "pg_single", facts, ctx, p);
      if (facts.plan && Number.isInteger(input.readReplicas) && input.readReplicas > facts.plan.maxReadReplicas) {
        p.add(
          "readReplicas",
          `\`readReplicas\` must be at most ${facts.plan.maxReadReplicas} for plan \`${facts.plan.name}\`; got ${input.readReplicas}`,
        );
      }
      return facts;
    },
    (input, facts) => {
      const resourceId = resourceIdOf("pg_single", input.projectId, input.environmentId, name);
      const common = resolveCommon(input, name, "pg_single", { ...facts, plan: facts.plan!, backend: facts.backend! }, resourceId);
      return {
        ...common,
        kind: "pg_single",
        databaseName: input.databaseName ?? DEFAULTS.databaseName,
        username: input.username ?? DEFAULTS.username,
        readReplicas: input.readReplicas ?? DEFAULTS.readReplicas,
        ...resolveBackendOptions(input, ctx),
      };
    },
  );
}
