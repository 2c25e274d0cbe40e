/**
 * What the SQL providers' `check` shares: identifier rules worded as Pulumi check failures (each
 * naming its property), the `admin` connection's shape (never echoing its password), the `kind`
 * input, deletion policies; and the one way identifiers reach SQL text: the driver's own
 * `escapeIdentifier`. Values never reach SQL text: they go as query parameters.
 *
 * Pure: serialized with the providers, so it imports only the model's pure rule modules.
 */
import { allowed, show } from "../../model/errors";
import { identifierProblems } from "../../model/identifiers";
import { UNKNOWN } from "../values";
import { SqlConnection } from "./connection";

/** One failure of a provider's `check`, as the engine shows it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** What happens to a database or schema when its resource is deleted. */
export interface DataOnDelete {
  /** `lock`: kept, nobody but the platform admin reaches it; `drop`: dropped; `archive`: dumped, verified, dropped. */
  policy: "drop" | "lock" | "archive";
  /** With `drop`: dump (and verify) into `archiveLocation` first. */
  backupBeforeDelete: boolean;
  /** Absolute directory for dumps; required by `archive` and by `backupBeforeDelete`. */
  archiveLocation?: string;
}

/** The data deletion policies, safest first. */
export const DATA_POLICIES = ["lock", "drop", "archive"] as const;

/** The default deletion of a database or schema: keep the data, lock it. */
export const DEFAULT_DATA_ON_DELETE: DataOnDelete = { policy: "lock", backupBeforeDelete: false };

/** True when `v` is the preview sentinel: judged later, at `up`. */
export function unknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/** Quotes an identifier with the `pg` driver's escaping (the client of the statement at hand). */
export function ident(client: any, name: string): string {
  return client.escapeIdentifier(name);
}

/** `host:port` of the server a connection reaches; ids start with it. */
export function serverOf(c: SqlConnection): string {
  return `${c.host}:${c.port}`;
}

/**
 * Failures of a required identifier: missing, not a string, or breaking a rule of
 * {@link identifierProblems} (lower case, at most 63 bytes, no `pg_`, not reserved).
 */
export function nameFailures(property: string, value: unknown, reserved: readonly string[]): CheckFailure[] {
  if (unknown(value)) return [];
  if (value === undefined || value === null) return [{ property, reason: `\`${property}\` is required` }];
  if (typeof value !== "string") return [{ property, reason: `\`${property}\` must be a string; got ${show(value)}` }];
  return identifierProblems(property, value, reserved).map((p) => ({ property, reason: p.message }));
}

/** Failures of the `admin` connection. The password is never shown, only whether it is there. */
export function adminFailures(admin: unknown, opts: { needsDatabase?: boolean } = {}): CheckFailure[] {
  if (unknown(admin)) return [];
  const fail = (reason: string): CheckFailure => ({ property: "admin", reason });
  if (!admin || typeof admin !== "object" || Array.isArray(admin)) return [fail("`admin` must be a connection `{ host, port, user, password, database? }`")];
  const a = admin as Record<string, unknown>;
  const out: CheckFailure[] = [];
  if (!unknown(a.host) && (typeof a.host !== "string" || a.host === "")) out.push(fail(`\`admin.host\` must be a host name or address; got ${show(a.host)}`));
  if (!unknown(a.port) && !(Number.isInteger(a.port) && (a.port as number) > 0 && (a.port as number) < 65536)) out.push(fail(`\`admin.port\` must be a TCP port (1-65535); got ${show(a.port)}`));
  if (!unknown(a.user) && (typeof a.user !== "string" || a.user === "")) out.push(fail(`\`admin.user\` must be a role name; got ${show(a.user)}`));
  if (!unknown(a.password) && typeof a.password !== "string") out.push(fail("`admin.password` must be a string"));
  if (opts.needsDatabase && !unknown(a.database) && (typeof a.database !== "string" || a.database === "")) {
    out.push(fail(`\`admin.database\` must name the shared database the schema lives in; got ${show(a.database)}`));
  } else if (!unknown(a.database) && a.database !== undefined && typeof a.database !== "string") {
    out.push(fail(`\`admin.database\` must be a database name; got ${show(a.database)}`));
  }
  const tls = a.ssl as Record<string, unknown> | undefined;
  if (!unknown(tls) && tls !== undefined && (!tls || typeof tls !== "object" || (tls.mode !== "require" && tls.mode !== "verify-full") || (tls.ca !== undefined && typeof tls.ca !== "string"))) {
    out.push(fail(`\`admin.ssl\` must be \`{ mode: "require" | "verify-full", ca?: <PEM text> }\`; got ${tls && typeof tls === "object" ? `mode ${show(tls.mode)}` : show(tls)}`));
  }
  return out;
}

/** Failure when `kind` is not the one this provider manages. */
export function kindFailures(kind: unknown, expected: string): CheckFailure[] {
  if (unknown(kind) || kind === expected) return [];
  return [{ property: "kind", reason: `\`kind\` must be \`${expected}\`; got ${show(kind)}` }];
}

/** Failures of `connectionLimit`: an integer, -1 for none. */
export function connectionLimitFailures(value: unknown): CheckFailure[] {
  if (unknown(value) || (Number.isInteger(value) && (value as number) >= -1)) return [];
  return [{ property: "connectionLimit", reason: `\`connectionLimit\` must be an integer >= 0, or -1 for no limit; got ${show(value)}` }];
}

/** The data deletion policy with its defaults filled in (unknown parts kept as they are). */
export function dataOnDelete(value: unknown): DataOnDelete {
  if (value === undefined || value === null) return { ...DEFAULT_DATA_ON_DELETE };
  if (unknown(value) || typeof value !== "object") return value as DataOnDelete;
  const v = value as Partial<DataOnDelete>;
  const out: DataOnDelete = { policy: v.policy ?? DEFAULT_DATA_ON_DELETE.policy, backupBeforeDelete: v.backupBeforeDelete ?? false };
  if (v.archiveLocation !== undefined) out.archiveLocation = v.archiveLocation;
  return out;
}

/** Failures of a data deletion policy (after {@link dataOnDelete}). */
export function dataOnDeleteFailures(value: unknown): CheckFailure[] {
  if (unknown(value)) return [];
  const fail = (reason: string): CheckFailure => ({ property: "onDelete", reason });
  if (!value || typeof value !== "object") return [fail(`\`onDelete\` must be \`{ policy, backupBeforeDelete, archiveLocation? }\`; got ${show(value)}`)];
  const v = value as DataOnDelete;
  const out: CheckFailure[] = [];
  if (!unknown(v.policy) && !DATA_POLICIES.includes(v.policy)) out.push(fail(`\`onDelete.policy\` must be one of ${allowed(DATA_POLICIES)}; got ${show(v.policy)}`));
  if (!unknown(v.backupBeforeDelete) && typeof v.backupBeforeDelete !== "boolean") out.push(fail(`\`onDelete.backupBeforeDelete\` must be a boolean; got ${show(v.backupBeforeDelete)}`));
  const loc = v.archiveLocation;
  if (unknown(loc)) return out;
  if (loc !== undefined && (typeof loc !== "string" || !loc.startsWith("/"))) {
    out.push(fail(`\`onDelete.archiveLocation\` must be an absolute path; got ${show(loc)}`));
  } else if (loc === undefined && v.policy === "archive") {
    out.push(fail("`onDelete.archiveLocation` is required when `onDelete.policy` is `archive` (an absolute directory for the dump)"));
  } else if (loc === undefined && v.backupBeforeDelete === true && v.policy === "drop") {
    out.push(fail("`onDelete.archiveLocation` is required when `onDelete.backupBeforeDelete` is true (an absolute directory for the dump)"));
  }
  return out;
}

/**
 * Throws when inputs that reached create/update/delete directly (not through the engine's check)
 * break a rule: the providers never run SQL for a name check would refuse.
 */
export function assertNoFailures(subject: string, failures: readonly CheckFailure[]): void {
  if (failures.length === 0) return;
  throw new Error(`${subject}: invalid inputs:\n${failures.map((f) => `  - ${f.reason}`).join("\n")}`);
}

/** True when two connections reach the same server (host and port). */
export function sameServer(a: SqlConnection | undefined, b: SqlConnection | undefined): boolean {
  return !!a && !!b && a.host === b.host && Number(a.port) === Number(b.port);
}

/** True when the login of two connections differs (user, password, database or TLS): state to refresh, not a replace. */
export function loginChanged(a: SqlConnection | undefined, b: SqlConnection | undefined): boolean {
  return !a || !b || a.user !== b.user || a.password !== b.password || (a.database ?? "") !== (b.database ?? "") || JSON.stringify(a.ssl ?? null) !== JSON.stringify(b.ssl ?? null);
}

/** Whether `news.admin` is known enough to compare its server with `olds.admin`. */
export function serverKnown(admin: unknown): admin is SqlConnection {
  return !!admin && typeof admin === "object" && !unknown(admin) && !unknown((admin as any).host) && !unknown((admin as any).port);
}

/** Sorted copy of a list of names, for set comparisons. */
export function sorted(list: readonly string[] | undefined): string[] {
  return [...(list ?? [])].sort();
}

/** True when two name lists hold the same set. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify([...new Set(sorted(a))]) === JSON.stringify([...new Set(sorted(b))]);
}
