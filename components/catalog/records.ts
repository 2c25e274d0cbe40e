/**
 * The catalogue's record types and their fields: which table each lives in, what each field must
 * hold, and the one rule every record obeys: the catalogue never holds a credential. Pure data and
 * functions (no Pulumi, no zod): the catalogue record provider is serialized with the program.
 */
import { BACKENDS } from "../model/defaults";

/** The kinds of record the catalogue holds. */
export const RECORD_TYPES = ["db_resource", "tenant", "backup", "scale_event", "migration", "failover"] as const;
/** One of {@link RECORD_TYPES}. */
export type RecordType = (typeof RECORD_TYPES)[number];

/** Lifecycle of every record. `DELETED` rows are kept: they are the history. */
export const LIFECYCLES = ["ACTIVE", "PAUSED", "DELETING", "DELETED"] as const;
/** Status of a db_resource or a tenant mapping. */
export const RESOURCE_STATUSES = ["PENDING", "RUNNING", "FAILED"] as const;
/** Status of a backup. */
export const BACKUP_STATUSES = ["PENDING", "RUNNING", "DONE", "FAILED"] as const;
/** Status of a scale event or a failover. */
export const EVENT_STATUSES = ["IN_PROGRESS", "DONE", "FAILED"] as const;
/** Status of a migration (blue-green upgrade, single to cluster, tenant move). */
export const MIGRATION_STATUSES = ["PENDING", "IN_PROGRESS", "DONE", "FAILED", "ROLLED_BACK"] as const;

type FieldType = "id" | "text" | "object" | "array" | "json" | "time" | "int";

/** One field of a record: its key in `data`, its column, what it holds. */
export interface FieldDef {
  key: string;
  column: string;
  type: FieldType;
  required?: boolean;
  oneOf?: readonly string[];
  /** Value stored when the field is absent. */
  fallback?: unknown;
}

/** A record type: its table, its fields, and which field names the db_resource it belongs to. */
export interface RecordDef {
  table: string;
  fields: readonly FieldDef[];
  /** The field holding the db_resource id the record belongs to (`id` for db_resource itself). */
  resourceField: string;
}

const column = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const f = (key: string, type: FieldType, more: Partial<FieldDef> = {}): FieldDef => ({ key, column: column(key), type, ...more });
const req = { required: true };
const status = (values: readonly string[], fallback: string) => f("status", "text", { oneOf: values, fallback });
const common = (statuses: readonly string[], initial: string): FieldDef[] => [
  status(statuses, initial),
  f("lifecycle", "text", { oneOf: LIFECYCLES, fallback: "ACTIVE" }),
  f("metadata", "object", { fallback: {} }),
];
const timing = [f("startedAt", "time"), f("finishedAt", "time"), f("detail", "object", { fallback: {} })];

/** Every record type, its table and fields. */
export const RECORDS: Readonly<Record<RecordType, RecordDef>> = {
  db_resource: {
    table: "resources",
    resourceField: "id",
    fields: [
      f("kind", "text", { ...req, oneOf: ["pg_single", "pg_cluster"] }),
      f("projectId", "text", req),
      f("environmentId", "text", req),
      f("plan", "text", req),
      f("version", "text", req),
      f("backend", "text", { ...req, oneOf: BACKENDS }),
      f("region", "text", req),
      f("endpoints", "object", { fallback: {} }),
      ...common(RESOURCE_STATUSES, "PENDING"),
    ],
  },
  tenant: {
    table: "tenants",
    resourceField: "resourceId",
    fields: [
      f("tenantId", "text", req),
      f("projectId", "text", req),
      f("environmentId", "text", req),
      f("resourceId", "id", req),
      f("mode", "text", { ...req, oneOf: ["database_per_tenant", "schema_per_tenant"] }),
      f("databaseName", "text", req),
      f("schemaName", "text"),
      f("roleName", "text", req),
      f("quota", "object", { fallback: {} }),
      ...common(RESOURCE_STATUSES, "PENDING"),
    ],
  },
  backup: {
    table: "backups",
    resourceField: "resourceId",
    fields: [
      f("resourceId", "id", req),
      f("policyId", "id"),
      f("backupType", "text", { oneOf: ["full", "incremental", "differential", "snapshot"], fallback: "full" }),
      f("method", "text"),
      f("location", "text"),
      f("sizeBytes", "int"),
      ...timing,
      ...common(BACKUP_STATUSES, "PENDING"),
    ],
  },
  scale_event: {
    table: "scale_events",
    resourceField: "resourceId",
    fields: [
      f("resourceId", "id", req),
      f("dimension", "text", req),
      f("fromValue", "json"),
      f("toValue", "json"),
      f("reason", "text"),
      ...timing,
      ...common(EVENT_STATUSES, "IN_PROGRESS"),
    ],
  },
  migration: {
    table: "migrations",
    resourceField: "sourceResourceId",
    fields: [
      f("migrationType", "text", { ...req, oneOf: ["blue_green_upgrade", "single_to_cluster", "tenant_move"] }),
      f("sourceResourceId", "id", req),
      f("targetResourceId", "id"),
      f("tenantId", "text"),
      f("fromVersion", "text"),
      f("toVersion", "text"),
      f("phase", "text", { fallback: "planned" }),
      f("log", "array", { fallback: [] }),
      ...timing,
      ...common(MIGRATION_STATUSES, "PENDING"),
    ],
  },
  failover: {
    table: "failovers",
    resourceField: "resourceId",
    fields: [
      f("resourceId", "id", req),
      f("failoverType", "text", { oneOf: ["failover", "switchover"], fallback: "failover" }),
      f("fromMember", "text"),
      f("toMember", "text"),
      f("timeline", "int"),
      f("lsn", "text"),
      f("reason", "text"),
      ...timing,
      ...common(EVENT_STATUSES, "IN_PROGRESS"),
    ],
  },
};

/** A problem with a record, with the path of the field (`data.kind`). */
export interface RecordProblem {
  path: string;
  message: string;
}

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : v === undefined ? "nothing" : JSON.stringify(v) ?? String(v));
const list = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(", ");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Words of a key (`adminPassword`, `read_uri`, `connection-string` → lower-case words). */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

// An array, not a Set: closure serialization copies plain values only.
const SECRET_WORDS = ["password", "passwd", "pwd", "secret", "token", "credential", "credentials", "uri", "url", "dsn", "connectionstring"];

/** True for a key named like a credential or a connection string: password, secret, token, uri, url, dsn. */
export function isSecretKey(key: string): boolean {
  const w = words(key);
  return w.some((x) => SECRET_WORDS.includes(x)) || w.join(" ").includes("connection string");
}

/** A value that carries a password inside a URI (`scheme://user:password@host`). */
const CREDENTIAL_URI = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]*@/i;

/** Every key named like a credential, and every string holding a URI with a password, under `value`. */
export function secretProblems(value: unknown, path = "data"): RecordProblem[] {
  const out: RecordProblem[] = [];
  const walk = (v: unknown, p: string) => {
    if (typeof v === "string" && CREDENTIAL_URI.test(v)) {
      out.push({ path: p, message: `\`${p}\` holds a URI with a password; the catalogue never holds credentials: record the host and port instead` });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        const at = `${p}.${k}`;
        if (isSecretKey(k)) {
          out.push({ path: at, message: `\`${at}\` is named like a credential or a connection string (password, secret, token, uri, url, dsn); the catalogue never holds credentials: remove it` });
        } else walk(x, at);
      }
    }
  };
  walk(value, path);
  return out;
}

function fieldProblem(fd: FieldDef, v: unknown, path: string): string | undefined {
  switch (fd.type) {
    case "id":
    case "text":
      if (typeof v !== "string" || v.trim() === "") return `\`${path}\` must be a non-empty string; got ${show(v)}`;
      if (fd.type === "id" && (v.length > 200 || /\s/.test(v))) return `\`${path}\` must be an id of at most 200 characters without spaces; got ${show(v)}`;
      if (fd.oneOf && !fd.oneOf.includes(v)) return `\`${path}\` must be one of ${list(fd.oneOf)}; got ${show(v)}`;
      return undefined;
    case "object":
      return isObject(v) ? undefined : `\`${path}\` must be an object; got ${show(v)}`;
    case "array":
      return Array.isArray(v) ? undefined : `\`${path}\` must be an array; got ${show(v)}`;
    case "time":
      return typeof v === "string" && !Number.isNaN(Date.parse(v)) ? undefined : `\`${path}\` must be an ISO 8601 timestamp; got ${show(v)}`;
    case "int":
      return Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : `\`${path}\` must be a non-negative integer; got ${show(v)}`;
    case "json":
      return undefined;
  }
}

/**
 * Every problem with a record's `data`: a missing or malformed field, a field the record type does
 * not have, a credential. `skip(v)` tells which values to leave alone (unknown during preview).
 */
export function recordProblems(recordType: string, data: unknown, skip: (v: unknown) => boolean = () => false): RecordProblem[] {
  const def = RECORDS[recordType as RecordType];
  if (!def) return [{ path: "recordType", message: `\`recordType\` must be one of ${list(RECORD_TYPES)}; got ${show(recordType)}` }];
  if (!isObject(data)) return [{ path: "data", message: `\`data\` must be an object with the ${recordType} record's fields; got ${show(data)}` }];
  const out: RecordProblem[] = [];
  const keys = def.fields.map((x) => x.key);
  for (const k of Object.keys(data)) {
    if (!keys.includes(k) && !isSecretKey(k)) out.push({ path: `data.${k}`, message: `\`data.${k}\` is not a field of a ${recordType} record; its fields are ${list(keys)}` });
  }
  for (const fd of def.fields) {
    const v = data[fd.key];
    const path = `data.${fd.key}`;
    if (skip(v)) continue;
    if (v === undefined || v === null) {
      if (fd.required) out.push({ path, message: `\`${path}\` is required for a ${recordType} record` });
      continue;
    }
    const problem = fieldProblem(fd, v, path);
    if (problem) out.push({ path, message: problem });
  }
  if (recordType === "tenant" && data.mode === "schema_per_tenant" && (data.schemaName === undefined || data.schemaName === null)) {
    out.push({ path: "data.schemaName", message: "`data.schemaName` is required when `data.mode` is `schema_per_tenant`" });
  }
  return [...out, ...secretProblems(data)];
}

/** Throws one error listing every problem of a record, or returns when it has none. */
export function assertRecord(recordType: string, recordId: unknown, data: unknown): void {
  const problems = recordProblems(recordType, data);
  if (typeof recordId !== "string" || recordId.trim() === "" || recordId.length > 200 || /\s/.test(recordId)) {
    problems.unshift({ path: "recordId", message: `\`recordId\` must be an id of at most 200 characters without spaces; got ${show(recordId)}` });
  }
  if (problems.length === 0) return;
  const head = `catalogue record ${recordType} ${show(recordId)}: ${problems.length} problem${problems.length > 1 ? "s" : ""}`;
  throw new Error(`${head}:\n  - ${problems.map((p) => p.message).join("\n  - ")}`);
}

/**
 * A record's data as the catalogue stores it: defaults filled in, absent optional fields left out,
 * timestamps in ISO form. Two records are the same when their normal forms are equal.
 */
export function normalizeData(recordType: RecordType, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fd of RECORDS[recordType].fields) {
    let v = data[fd.key];
    if (v === undefined || v === null) v = fd.fallback;
    if (v === undefined || v === null) continue;
    out[fd.key] = fd.type === "time" && typeof v === "string" ? new Date(v).toISOString() : v;
  }
  return out;
}

/** JSON with sorted keys, so equal values print the same whatever their key order (jsonb reorders keys). */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** The fields whose values differ between two normalized records, with both values. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (stableJson(before[k]) !== stableJson(after[k])) out[k] = { from: before[k] ?? null, to: after[k] ?? null };
  }
  return out;
}
