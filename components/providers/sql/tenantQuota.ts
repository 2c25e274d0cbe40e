/**
 * The storage quota of one tenant, measured and enforced by a dynamic provider
 * (`pulumi-nodejs:dynamic/pgplatform:TenantQuota`, input `kind: pgplatform:sql:tenant-quota`).
 *
 * Measure: a database tenant uses `pg_database_size` of its database; a schema tenant the sum of
 * `pg_total_relation_size` of its schema's tables, materialized views and sequences (the same SQL
 * as the monitoring collector `schemaSizes`). Evaluate: {@link evaluateQuota}. Enforce, when
 * `onLimit` is `lock` and the tenant is over its limit: the tenant's role loses LOGIN, its open
 * sessions are terminated, and the lock is marked as the quota's own with the role setting
 * {@link QUOTA_LOCK_SETTING}. Only the quota removes that lock again (usage fell below the limit,
 * the limit was raised, `onLimit` became `warn`, or the quota was deleted), and it gives LOGIN back
 * only when it took it away and no other pgplatform lock ({@link LOCK_SETTING_PATTERN}) remains.
 *
 * `read` measures now, so `pulumi refresh` shows the truth; `diff` reports a change when the state
 * the limit implies differs from the state applied (usage crossed the limit since the last run:
 * the update locks; the limit was raised: it unlocks). Serialized with the program: it requires
 * `pg` inside its methods (through `connection.ts`) and keeps zod out of its module graph.
 */
import * as pulumi from "@pulumi/pulumi";
import { show } from "../../model/errors";
import { MAX_IDENTIFIER_BYTES } from "../../model/identifiers";
import { SCHEMA_SIZE_SQL } from "../../monitoring/sizes";
import { KINDS, UNKNOWN, known } from "../values";
import { SqlConnection, describeConnection, withClient } from "./connection";
import { lockRole, quotaLocked, unlockRole } from "./tenantQuotaLock";

export { LOCK_SETTING_PATTERN, QUOTA_LOCK_SETTING, QUOTA_LOCK_VALUES, roleLockKey } from "./tenantQuotaLock";

/** The `kind` input that tells policies what this dynamic resource is. */
export const TENANT_QUOTA_KIND = KINDS.tenantQuota;

/** Where a tenant's data lives: its own database, or its own schema in a shared database. */
export type TenantQuotaScope = { type: "database"; name: string } | { type: "schema"; database: string; name: string };

/** What happens at the limit: `warn` only reports `over`; `lock` also locks the tenant out. */
export type QuotaAction = "warn" | "lock";

/** `ok` below the warn threshold, `warning` at or above it, `over` at or above the limit, `locked` when over and locked. */
export type QuotaState = "ok" | "warning" | "over" | "locked";

/** The inputs of a tenant quota as the provider sees them (plain values). */
export interface TenantQuotaInputs {
  kind: string;
  /** A superuser-capable connection (plaintext inside the provider, a secret everywhere else). */
  admin: SqlConnection;
  scope: TenantQuotaScope;
  /** The tenant's login role. */
  role: string;
  /** The limit, in bytes (> 0). */
  maxStorageBytes: number;
  /** Usage in percent of the limit at which the state becomes `warning` (1 to 100). */
  warnAtPercent: number;
  onLimit: QuotaAction;
}

/** The outputs of a tenant quota: its inputs plus what was measured and applied. */
export interface TenantQuotaOutputs extends TenantQuotaInputs {
  /** Bytes the tenant uses, measured at `measuredAt`. */
  usageBytes: number;
  /** `usageBytes` in percent of `maxStorageBytes`, to 2 decimals (above 100 when over). */
  usagePercent: number;
  state: QuotaState;
  /** True while the quota's own lock is in place (the role holds the quota's mark and cannot log in). */
  locked: boolean;
  /** When the usage was measured (ISO 8601). */
  measuredAt: string;
}

/** What a usage means for a quota. */
export interface QuotaEvaluation {
  /** The state the limit implies: `locked` when `onLimit` is `lock` and the usage is at or above the limit. */
  state: QuotaState;
  /** Usage in percent of the limit, to 2 decimals. */
  usagePercent: number;
  /** Whether the tenant must be locked out. */
  lock: boolean;
}

/**
 * The state a usage implies (pure): `over` at or above `maxStorageBytes` (`locked` when `onLimit`
 * is `lock`), `warning` at or above `warnAtPercent` percent of it, `ok` below.
 */
export function evaluateQuota(usageBytes: number, maxStorageBytes: number, warnAtPercent: number, onLimit: QuotaAction): QuotaEvaluation {
  const usagePercent = Math.round((usageBytes / maxStorageBytes) * 10_000) / 100;
  if (usageBytes >= maxStorageBytes) {
    const lock = onLimit === "lock";
    return { state: lock ? "locked" : "over", usagePercent, lock };
  }
  // Compared in bytes, not through the rounded percentage: 79.999% is not 80%.
  const state = usageBytes * 100 >= maxStorageBytes * warnAtPercent ? "warning" : "ok";
  return { state, usagePercent, lock: false };
}

/** The state to report: `locked` when the quota's lock is in place, else the usage level. */
function appliedState(e: QuotaEvaluation, locked: boolean): QuotaState {
  if (locked) return "locked";
  return e.state === "locked" ? "over" : e.state;
}

/** The deterministic id of a quota: its role and scope. */
export function tenantQuotaId(role: string, scope: TenantQuotaScope): string {
  return scope.type === "database" ? `storage-quota:${role}:database:${scope.name}` : `storage-quota:${role}:schema:${scope.database}.${scope.name}`;
}

/** Check failures of a tenant quota's inputs; unknown preview values are skipped. */
export function tenantQuotaFailures(news: any): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const identifier = (property: string, v: unknown, what: string) => {
    if (v === UNKNOWN) return;
    if (typeof v !== "string" || v.length === 0) fail(property, `\`${property}\` must be the name of ${what}; got ${show(v)}`);
    else if (Buffer.byteLength(v) > MAX_IDENTIFIER_BYTES) fail(property, `\`${property}\` must be at most ${MAX_IDENTIFIER_BYTES} bytes long (PostgreSQL would cut it); got ${show(v)}`);
  };
  if (known(news.kind) && news.kind !== TENANT_QUOTA_KIND) fail("kind", `\`kind\` must be \`${TENANT_QUOTA_KIND}\`; got ${show(news.kind)}`);
  const admin = news.admin;
  if (admin !== UNKNOWN) {
    if (!admin || typeof admin !== "object") fail("admin", `\`admin\` must be a connection { host, port, user, password, database? }; got ${admin === undefined ? "nothing" : typeof admin}`);
    else {
      for (const k of ["host", "user", "password"]) {
        // The password's value is never shown.
        if (known(admin[k]) && (typeof admin[k] !== "string" || admin[k].length === 0)) fail(`admin.${k}`, `\`admin.${k}\` must be a non-empty string${k === "password" ? "" : `; got ${show(admin[k])}`}`);
        if (admin[k] === undefined) fail(`admin.${k}`, `\`admin.${k}\` is required`);
      }
      if (known(admin.port) && !(Number.isInteger(admin.port) && admin.port >= 1 && admin.port <= 65535)) fail("admin.port", `\`admin.port\` must be an integer from 1 to 65535; got ${show(admin.port)}`);
      if (admin.port === undefined) fail("admin.port", "`admin.port` is required");
      if (admin.database !== undefined) identifier("admin.database", admin.database, "a database");
    }
  }
  const scope = news.scope;
  if (scope !== UNKNOWN) {
    if (!scope || typeof scope !== "object") fail("scope", `\`scope\` must be { type: "database", name } or { type: "schema", database, name }; got ${show(scope)}`);
    else if (known(scope.type) && scope.type !== "database" && scope.type !== "schema") fail("scope.type", `\`scope.type\` must be \`database\` or \`schema\`; got ${show(scope.type)}`);
    else {
      identifier("scope.name", scope.name, scope.type === "schema" ? "the tenant's schema" : "the tenant's database");
      if (scope.type === "schema") identifier("scope.database", scope.database, "the database that holds the schema");
    }
  }
  identifier("role", news.role, "the tenant's login role");
  if (known(news.maxStorageBytes) && !(typeof news.maxStorageBytes === "number" && Number.isFinite(news.maxStorageBytes) && news.maxStorageBytes > 0)) {
    fail("maxStorageBytes", `\`maxStorageBytes\` must be a number of bytes greater than 0; got ${show(news.maxStorageBytes)}`);
  }
  if (known(news.warnAtPercent) && !(Number.isInteger(news.warnAtPercent) && news.warnAtPercent >= 1 && news.warnAtPercent <= 100)) {
    fail("warnAtPercent", `\`warnAtPercent\` must be an integer from 1 to 100; got ${show(news.warnAtPercent)}`);
  }
  if (known(news.onLimit) && news.onLimit !== "warn" && news.onLimit !== "lock") fail("onLimit", `\`onLimit\` must be \`warn\` or \`lock\`; got ${show(news.onLimit)}`);
  for (const k of ["maxStorageBytes", "warnAtPercent", "onLimit"]) if (news[k] === undefined) fail(k, `\`${k}\` is required`);
  return failures;
}

/** Bytes the scope uses now, or undefined when its database or schema is gone. */
async function measure(admin: SqlConnection, scope: TenantQuotaScope): Promise<number | undefined> {
  const database = scope.type === "database" ? scope.name : scope.database;
  const db = await withClient(admin, async (c) => (await c.query("SELECT pg_database_size(oid) AS bytes FROM pg_database WHERE datname = $1 AND datconnlimit <> -2", [database])).rows[0]);
  if (!db) return undefined;
  if (scope.type === "database") return Number(db.bytes);
  const row = await withClient(admin, async (c) => (await c.query(SCHEMA_SIZE_SQL, [[scope.name]])).rows[0], database);
  return row ? Number(row.bytes) : undefined;
}

/** Measures, and with `enforce` locks or unlocks so the role matches what the limit implies. */
async function converge(p: TenantQuotaInputs, enforce: boolean): Promise<TenantQuotaOutputs | undefined> {
  const usageBytes = await measure(p.admin, p.scope);
  if (usageBytes === undefined) {
    if (!enforce) return undefined;
    const where = p.scope.type === "database" ? `database \`${p.scope.name}\`` : `schema \`${p.scope.name}\` in database \`${p.scope.database}\``;
    throw new Error(`the tenant's ${where} does not exist on ${describeConnection(p.admin)}`);
  }
  const e = evaluateQuota(usageBytes, p.maxStorageBytes, p.warnAtPercent, p.onLimit);
  if (enforce) await (e.lock ? lockRole(p.admin, p.role) : unlockRole(p.admin, p.role));
  const locked = await quotaLocked(p.admin, p.role);
  if (locked === undefined) {
    if (!enforce) return undefined;
    throw new Error(`the tenant role \`${p.role}\` does not exist on ${describeConnection(p.admin)}`);
  }
  return { ...p, usageBytes, usagePercent: e.usagePercent, state: appliedState(e, locked), locked, measuredAt: new Date().toISOString() };
}

/** The inputs of `p` (outputs stripped), for converging. */
function inputsOf(p: any): TenantQuotaInputs {
  return { kind: p.kind, admin: p.admin, scope: p.scope, role: p.role, maxStorageBytes: p.maxStorageBytes, warnAtPercent: p.warnAtPercent, onLimit: p.onLimit };
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const tenantQuotaProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    return { inputs: news, failures: tenantQuotaFailures(news) };
  },

  async diff(id: string, olds: TenantQuotaOutputs, news: TenantQuotaInputs) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const replaces = (["scope", "role"] as const).filter((k) => known(news[k]) && !same(olds[k], news[k]));
    const changed = (["maxStorageBytes", "warnAtPercent", "onLimit", "admin"] as const).filter((k) => known(news[k]) && !same(olds[k], news[k]));
    // The state the (new) limit implies for the usage last measured, against the state applied.
    const pick = <K extends "maxStorageBytes" | "warnAtPercent" | "onLimit">(k: K) => (known(news[k]) ? news[k] : olds[k]);
    const implied = evaluateQuota(olds.usageBytes, pick("maxStorageBytes"), pick("warnAtPercent"), pick("onLimit"));
    const drift = implied.state !== olds.state;
    // A replacement on the same role must not have the old quota's delete undo the new quota's lock.
    return { changes: replaces.length > 0 || changed.length > 0 || drift, replaces, deleteBeforeReplace: replaces.length > 0 };
  },

  async create(inputs: TenantQuotaInputs) {
    const outs = (await converge(inputsOf(inputs), true))!;
    return { id: tenantQuotaId(inputs.role, inputs.scope), outs };
  },

  async read(id: string, props: TenantQuotaOutputs) {
    const outs = await converge(inputsOf(props), false);
    if (!outs) return { id: "", props: {} };
    return { id, props: outs };
  },

  async update(id: string, olds: TenantQuotaOutputs, news: TenantQuotaInputs) {
    return { outs: (await converge(inputsOf(news), true))! };
  },

  async delete(id: string, props: TenantQuotaOutputs) {
    const exists = await withClient(props.admin, async (c) => (await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [props.role])).rowCount > 0);
    if (exists) await unlockRole(props.admin, props.role);
  },
};

/** A connection whose members may be Outputs, such as a db_resource's `adminConnection`. */
export interface SqlConnectionArgs {
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /** @default - `postgres` */
  database?: pulumi.Input<string>;
}

/** Inputs of a {@link TenantQuota} resource. */
export interface TenantQuotaArgs {
  /** A superuser-capable connection to the tenant's server; kept secret. */
  admin: pulumi.Input<SqlConnectionArgs>;
  /** The tenant's database, or its schema in a shared database; changing it replaces the quota. */
  scope: pulumi.Input<TenantQuotaScope>;
  /** The tenant's login role, the one locked out; changing it replaces the quota. */
  role: pulumi.Input<string>;
  /** The limit, in bytes (> 0). */
  maxStorageBytes: pulumi.Input<number>;
  /** Usage in percent of the limit from which the state is `warning` (integer, 1 to 100). */
  warnAtPercent: pulumi.Input<number>;
  /** `warn`: report `over` only; `lock`: also lock the tenant out until usage falls below the limit or the limit is raised. */
  onLimit: pulumi.Input<QuotaAction>;
}

/**
 * The storage quota of one tenant (type `pulumi-nodejs:dynamic/pgplatform:TenantQuota`): measured
 * at every create, update and refresh, and enforced (the tenant's role locked out) when `onLimit`
 * is `lock` and usage reaches the limit.
 */
export class TenantQuota extends pulumi.dynamic.Resource {
  declare readonly usageBytes: pulumi.Output<number>;
  declare readonly usagePercent: pulumi.Output<number>;
  declare readonly state: pulumi.Output<QuotaState>;
  declare readonly locked: pulumi.Output<boolean>;
  declare readonly measuredAt: pulumi.Output<string>;

  constructor(name: string, args: TenantQuotaArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { usageBytes: undefined, usagePercent: undefined, state: undefined, locked: undefined, measuredAt: undefined };
    // Only the members a SqlConnection has (a db_resource's connection also carries a `uri`).
    const admin = pulumi.output(args.admin).apply((a) => ({ host: a.host, port: a.port, user: a.user, password: a.password, ...(a.database === undefined ? {} : { database: a.database }) }));
    super(
      tenantQuotaProvider,
      name,
      { kind: TENANT_QUOTA_KIND, ...outputs, ...args, admin: pulumi.secret(admin) },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["admin"] }),
      "pgplatform",
      "TenantQuota",
    );
  }
}
