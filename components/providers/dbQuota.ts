/**
 * The quotas of one db_resource, measured and enforced by a dynamic provider
 * (`pulumi-nodejs:dynamic/pgplatform:DbQuota`, input `kind: pgplatform:sql:db-quota`) at every
 * create, update and refresh.
 *
 * Measured on the application database: storage (`pg_database_size`), connections (client
 * backends in `pg_stat_activity`), and queries per second (commits + rollbacks of
 * `pg_stat_database` over a 1.5-second window, as the statistics collector flushes them about once a second). Each limit is `ok`, `warning` from `warnAtPercent`,
 * or `over` at the limit. Alerts are catalogue events on the db_resource (`quota_warning`,
 * `quota_exceeded`, `quota_blocked`, `quota_cleared`), appended when a limit's state changes.
 *
 * With `onLimit: "read_only"`: past `maxStorageGb` the database gets
 * `default_transaction_read_only = on` and the application's sessions are ended (they reconnect
 * read-only), marked with the database setting `pgplatform.quota_read_only` so only the quota
 * lifts it again (usage below the limit, the limit raised, the policy `warn`, the quota removed);
 * `maxConnections` becomes the database's CONNECTION LIMIT, which PostgreSQL itself enforces for
 * every role but superusers. `maxQps` only alerts. Serialized with the program: `pg` is required
 * inside functions (through `connection.ts`).
 */
import * as pulumi from "@pulumi/pulumi";
import { appendEvent, withCatalog } from "../catalog/store";
import { ensureLocalCatalog } from "../catalog/localCatalog";
import type { CatalogInput } from "./catalogRecord";
import { SqlConnection, withClient } from "./sql/connection";
import { known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const DB_QUOTA_KIND = "pgplatform:sql:db-quota";

/** The database setting that marks a read-only block as the quota's own. */
export const READ_ONLY_MARK = "pgplatform.quota_read_only";

/** The state of one limit. */
export type LimitState = "ok" | "warning" | "over";

/** The inputs of a db quota as the provider sees them. */
export interface DbQuotaInputs {
  kind: string;
  admin: SqlConnection;
  /** The db_resource (for the catalogue events). */
  resourceId: string;
  database: string;
  maxStorageBytes?: number;
  maxConnections?: number;
  maxQps?: number;
  warnAtPercent: number;
  onLimit: "warn" | "read_only";
  catalog?: CatalogInput;
}

/** What was measured, and what each limit's state is. */
export interface DbQuotaUsage {
  storageBytes: number;
  connections: number;
  qps: number;
  states: { storage?: LimitState; connections?: LimitState; qps?: LimitState };
  /** True while the quota's read-only block is in place. */
  readOnly: boolean;
  measuredAt: string;
}

/** The state of `used` against `limit` (pure). */
export function limitState(used: number, limit: number | undefined, warnAtPercent: number): LimitState | undefined {
  if (limit === undefined) return undefined;
  if (used >= limit) return "over";
  return used * 100 >= limit * warnAtPercent ? "warning" : "ok";
}

/** Check failures; unknown preview values are skipped. */
export function dbQuotaFailures(news: any): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  const fail = (property: string, reason: string) => out.push({ property, reason });
  if (news.kind !== DB_QUOTA_KIND) fail("kind", `\`kind\` must be \`${DB_QUOTA_KIND}\`; got ${JSON.stringify(news.kind)}`);
  for (const k of ["maxStorageBytes", "maxQps"]) {
    if (known(news[k]) && news[k] !== undefined && !(typeof news[k] === "number" && news[k] > 0)) fail(k, `\`${k}\` must be a number greater than 0; got ${JSON.stringify(news[k])}`);
  }
  if (known(news.maxConnections) && news.maxConnections !== undefined && !(Number.isInteger(news.maxConnections) && news.maxConnections >= 1)) {
    fail("maxConnections", `\`maxConnections\` must be a whole number of at least 1; got ${JSON.stringify(news.maxConnections)}`);
  }
  if (known(news.warnAtPercent) && !(Number.isInteger(news.warnAtPercent) && news.warnAtPercent >= 1 && news.warnAtPercent <= 100)) {
    fail("warnAtPercent", `\`warnAtPercent\` must be an integer from 1 to 100; got ${JSON.stringify(news.warnAtPercent)}`);
  }
  if (known(news.onLimit) && news.onLimit !== "warn" && news.onLimit !== "read_only") fail("onLimit", `\`onLimit\` must be \`warn\` or \`read_only\`; got ${JSON.stringify(news.onLimit)}`);
  if ([news.maxStorageBytes, news.maxConnections, news.maxQps].every((v) => v === undefined)) fail("maxStorageBytes", "a quota needs at least one of `maxStorageBytes`, `maxConnections`, `maxQps`");
  return out;
}

async function measure(p: DbQuotaInputs): Promise<{ storageBytes: number; connections: number; qps: number } | undefined> {
  return withClient(p.admin, async (c) => {
    const sample = async () =>
      (
        await c.query(
          `SELECT pg_database_size(d.oid)::bigint AS bytes, s.xact_commit + s.xact_rollback AS xacts, clock_timestamp() AS at,
                  (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname AND a.backend_type = 'client backend')::int AS conns
             FROM pg_database d JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datname = $1`,
          [p.database],
        )
      ).rows[0];
    const a = await sample();
    if (!a) return undefined;
    let qps = 0;
    if (p.maxQps !== undefined) {
      await c.query("SELECT pg_stat_clear_snapshot()");
      await new Promise((r) => setTimeout(r, 1500));
      await c.query("SELECT pg_stat_clear_snapshot()");
      const b = await sample();
      const secs = (new Date(b.at).getTime() - new Date(a.at).getTime()) / 1000;
      // The measuring session is on another database, so it does not count itself.
      qps = Math.max(0, Math.round(((Number(b.xacts) - Number(a.xacts)) / secs) * 10) / 10);
    }
    return { storageBytes: Number(a.bytes), connections: a.conns, qps };
  });
}

async function readOnlyMarked(p: DbQuotaInputs): Promise<boolean> {
  return withClient(p.admin, async (c) => {
    const rows = (
      await c.query(
        `SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) cfg WHERE d.datname = $1 AND s.setrole = 0 AND cfg LIKE $2`,
        [p.database, `${READ_ONLY_MARK}=%`],
      )
    ).rows;
    return rows.length > 0;
  });
}

/** Blocks writes: the database read-only for new sessions, the quota's mark, and every other client session of it ended. */
async function block(p: DbQuotaInputs): Promise<void> {
  await withClient(p.admin, async (c) => {
    const db = c.escapeIdentifier(p.database);
    await c.query(`ALTER DATABASE ${db} SET default_transaction_read_only = on`);
    await c.query(`ALTER DATABASE ${db} SET ${READ_ONLY_MARK} = 'storage'`);
    await c.query(
      "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.datname = $1 AND a.backend_type = 'client backend' AND NOT r.rolsuper AND a.pid <> pg_backend_pid()",
      [p.database],
    );
  });
}

/** Lifts the quota's own block (nothing when the database is read-only for another reason). */
async function unblock(p: DbQuotaInputs): Promise<void> {
  if (!(await readOnlyMarked(p))) return;
  await withClient(p.admin, async (c) => {
    const db = c.escapeIdentifier(p.database);
    await c.query(`ALTER DATABASE ${db} RESET default_transaction_read_only`);
    await c.query(`ALTER DATABASE ${db} RESET ${READ_ONLY_MARK}`);
  });
}

async function setConnectionLimit(p: DbQuotaInputs, limit: number): Promise<void> {
  await withClient(p.admin, (c) => c.query(`ALTER DATABASE ${c.escapeIdentifier(p.database)} CONNECTION LIMIT ${Number(limit)}`));
}

/** Appends one catalogue event per limit whose state changed since `before`. */
async function alert(p: DbQuotaInputs, before: DbQuotaUsage["states"] | undefined, now: DbQuotaUsage): Promise<void> {
  if (!p.catalog) return;
  const events: [string, Record<string, unknown>][] = [];
  const used = { storage: now.storageBytes, connections: now.connections, qps: now.qps };
  const limit = { storage: p.maxStorageBytes, connections: p.maxConnections, qps: p.maxQps };
  for (const k of ["storage", "connections", "qps"] as const) {
    const was = before?.[k] ?? "ok";
    const is = now.states[k];
    if (is === undefined || is === was) continue;
    const detail = { limit: k, used: used[k], max: limit[k], warnAtPercent: p.warnAtPercent, onLimit: p.onLimit };
    if (is === "ok") events.push(["quota_cleared", detail]);
    else if (is === "warning") events.push(["quota_warning", detail]);
    else events.push([p.onLimit === "read_only" && k !== "qps" ? "quota_blocked" : "quota_exceeded", detail]);
  }
  if (events.length === 0) return;
  const connection = "connection" in p.catalog ? p.catalog.connection : await ensureLocalCatalog(p.catalog.local);
  await withCatalog(connection, async (c) => {
    for (const [event, detail] of events) await appendEvent(c, "db_resource", p.resourceId, event, detail, p.resourceId);
  });
}

/** Measures and, with `enforce`, blocks or unblocks and alerts. */
export async function convergeDbQuota(p: DbQuotaInputs, before: DbQuotaUsage["states"] | undefined, enforce: boolean): Promise<DbQuotaUsage | undefined> {
  const m = await measure(p);
  if (!m) {
    if (enforce) throw new Error(`the database \`${p.database}\` of db_resource \`${p.resourceId}\` does not exist`);
    return undefined;
  }
  const states = {
    ...(p.maxStorageBytes !== undefined ? { storage: limitState(m.storageBytes, p.maxStorageBytes, p.warnAtPercent) } : {}),
    ...(p.maxConnections !== undefined ? { connections: limitState(m.connections, p.maxConnections, p.warnAtPercent) } : {}),
    ...(p.maxQps !== undefined ? { qps: limitState(m.qps, p.maxQps, p.warnAtPercent) } : {}),
  };
  if (enforce) {
    if (p.onLimit === "read_only" && states.storage === "over") await block(p);
    else await unblock(p);
    await setConnectionLimit(p, p.onLimit === "read_only" && p.maxConnections !== undefined ? p.maxConnections : -1);
  }
  const usage: DbQuotaUsage = { ...m, states, readOnly: await readOnlyMarked(p), measuredAt: new Date().toISOString() };
  if (enforce) await alert(p, before, usage);
  return usage;
}

function inputsOf(p: any): DbQuotaInputs {
  const { kind, admin, resourceId, database, maxStorageBytes, maxConnections, maxQps, warnAtPercent, onLimit, catalog } = p;
  return { kind, admin, resourceId, database, maxStorageBytes, maxConnections, maxQps, warnAtPercent, onLimit, ...(catalog ? { catalog } : {}) };
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const dbQuotaProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    return { inputs: news, failures: dbQuotaFailures(news) };
  },
  async diff(id: string, olds: any, news: any) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const replaces = (["database", "resourceId"] as const).filter((k) => known(news[k]) && olds[k] !== news[k]);
    const changed = ["maxStorageBytes", "maxConnections", "maxQps", "warnAtPercent", "onLimit", "admin", "catalog"].filter((k) => known(news[k]) && !same(olds[k], news[k]));
    // What refresh measured: a storage state that asks for a block not in place (or the other way round) is drift.
    const wantBlock = news.onLimit === "read_only" && olds.states?.storage === "over";
    const drift = wantBlock !== (olds.readOnly === true);
    return { changes: replaces.length > 0 || changed.length > 0 || drift, replaces, deleteBeforeReplace: true };
  },
  async create(inputs: any) {
    const usage = (await convergeDbQuota(inputsOf(inputs), undefined, true))!;
    return { id: `db-quota:${inputs.resourceId}`, outs: { ...inputs, ...usage } };
  },
  async read(id: string, props: any) {
    const usage = await convergeDbQuota(inputsOf(props), props.states, false);
    if (!usage) return { id: "", props: {} };
    return { id, props: { ...props, ...usage } };
  },
  async update(id: string, olds: any, news: any) {
    const usage = (await convergeDbQuota(inputsOf(news), olds.states, true))!;
    return { outs: { ...news, ...usage } };
  },
  async delete(id: string, props: any) {
    const p = inputsOf(props);
    const exists = await withClient(p.admin, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [p.database])).rowCount > 0);
    if (!exists) return;
    await unblock(p);
    await setConnectionLimit(p, -1);
  },
};

/** Inputs of a {@link DbQuota}. */
export interface DbQuotaArgs {
  /** A superuser connection to the db_resource (its `adminConnection`). Secret. */
  admin: pulumi.Input<{ host: pulumi.Input<string>; port: pulumi.Input<number>; user: pulumi.Input<string>; password: pulumi.Input<string>; database?: pulumi.Input<string> }>;
  resourceId: pulumi.Input<string>;
  database: pulumi.Input<string>;
  maxStorageBytes?: pulumi.Input<number>;
  maxConnections?: pulumi.Input<number>;
  maxQps?: pulumi.Input<number>;
  warnAtPercent: pulumi.Input<number>;
  onLimit: pulumi.Input<"warn" | "read_only">;
  /** Where alerts go as events; none = no events. Secret. */
  catalog?: pulumi.Input<CatalogInput>;
}

/** The quotas of a db_resource (type `pulumi-nodejs:dynamic/pgplatform:DbQuota`). */
export class DbQuota extends pulumi.dynamic.Resource {
  declare readonly storageBytes: pulumi.Output<number>;
  declare readonly connections: pulumi.Output<number>;
  declare readonly qps: pulumi.Output<number>;
  declare readonly states: pulumi.Output<DbQuotaUsage["states"]>;
  declare readonly readOnly: pulumi.Output<boolean>;
  declare readonly measuredAt: pulumi.Output<string>;

  constructor(name: string, args: DbQuotaArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { storageBytes: undefined, connections: undefined, qps: undefined, states: undefined, readOnly: undefined, measuredAt: undefined };
    const a = pulumi.output(args.admin);
    super(
      dbQuotaProvider,
      name,
      {
        kind: DB_QUOTA_KIND,
        ...outputs,
        ...args,
        admin: pulumi.secret(pulumi.all([a.host, a.port, a.user, a.password]).apply(([host, port, user, password]) => ({ host, port, user, password, database: "postgres" }))),
        ...(args.catalog ? { catalog: pulumi.secret(args.catalog) } : {}),
      },
      opts,
      "pgplatform",
      "DbQuota",
    );
  }
}
