/**
 * RDS parameter groups: the family follows the engine and major (`postgres17`,
 * `aurora-postgresql17`, never hard-coded), the plan's parameters with TLS forced, and values in
 * the units RDS takes (a parameter group takes `600000`, not PostgreSQL's `10min`).
 */
import { PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { AwsSettings } from "./settings";

/** The engines a parameter group can be for. */
export type RdsEngine = "postgres" | "aurora-postgresql";

/** One parameter as `rds.ParameterGroup` takes it. */
export interface RdsParameter {
  name: string;
  value: string;
  applyMethod: "immediate" | "pending-reboot";
}

/** The parameter group family of an engine and major: `postgres17`, `aurora-postgresql16`. */
export function familyOf(engine: RdsEngine, major: string): string {
  return `${engine}${major}`;
}

/** Parameters that take effect only after a reboot (RDS refuses `immediate` for them). */
export const STATIC_PARAMETERS = [
  "max_connections",
  "shared_preload_libraries",
  "rds.logical_replication",
  "max_worker_processes",
  "max_wal_senders",
  "max_replication_slots",
  "max_logical_replication_workers",
  "track_commit_timestamp",
  "cron.database_name",
  "max_locks_per_transaction",
  "max_prepared_transactions",
];

/** Base units of the time and memory parameters pgplatform converts: what a bare number means to RDS. */
export const PARAMETER_UNITS: Readonly<Record<string, "ms" | "s" | "min" | "kB" | "8kB">> = {
  idle_in_transaction_session_timeout: "ms",
  idle_session_timeout: "ms",
  statement_timeout: "ms",
  lock_timeout: "ms",
  deadlock_timeout: "ms",
  log_min_duration_statement: "ms",
  log_autovacuum_min_duration: "ms",
  wal_sender_timeout: "ms",
  wal_receiver_timeout: "ms",
  checkpoint_timeout: "s",
  autovacuum_naptime: "s",
  tcp_keepalives_idle: "s",
  tcp_keepalives_interval: "s",
  log_rotation_age: "min",
  temp_file_limit: "kB",
  logical_decoding_work_mem: "kB",
  autovacuum_work_mem: "kB",
  log_rotation_size: "kB",
  temp_buffers: "8kB",
  wal_buffers: "8kB",
};

const TIME_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const MEMORY_KB: Record<string, number> = { B: 1 / 1024, kB: 1, MB: 1024, GB: 1024 * 1024, TB: 1024 * 1024 * 1024 };
const WITH_UNIT = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d|B|kB|MB|GB|TB)\s*$/;
const BOOLEAN: Record<string, string> = { on: "1", off: "0", true: "1", false: "0", yes: "1", no: "0" };

/**
 * The value RDS takes for `name`: booleans as 1/0, a value with a unit converted to the
 * parameter's base unit; undefined when it has a unit pgplatform cannot convert (the check says so).
 */
export function rdsValueOf(name: string, value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  if (BOOLEAN[lower] !== undefined && !PARAMETER_UNITS[name]) return BOOLEAN[lower];
  const m = WITH_UNIT.exec(value);
  if (!m) return value;
  const base = PARAMETER_UNITS[name];
  const n = Number(m[1]);
  const unit = m[2];
  if (!base) return undefined;
  if (base === "ms" || base === "s" || base === "min") {
    if (TIME_MS[unit] === undefined) return undefined;
    if (n === -1) return "-1";
    return String(Math.round((n * TIME_MS[unit]) / TIME_MS[base]));
  }
  if (MEMORY_KB[unit] === undefined) return undefined;
  return String(Math.round((n * MEMORY_KB[unit]) / (base === "8kB" ? 8 : 1)));
}

/** The parameters RDS gets for `spec`: the spec's (plan + user), TLS forced, pg_cron and logical replication when asked. */
export function rdsParameters(spec: PgSingleSpec | PgClusterSpec, settings: Pick<AwsSettings, "pgCron" | "logicalReplication">): RdsParameter[] {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.parameters)) values[name] = rdsValueOf(name, value) ?? value;
  if (settings.pgCron) {
    const libs = (values.shared_preload_libraries ?? "pg_stat_statements").split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (!libs.includes("pg_cron")) libs.push("pg_cron");
    values.shared_preload_libraries = libs.join(",");
    values["cron.database_name"] = spec.databaseName;
  }
  if (settings.logicalReplication) values["rds.logical_replication"] = "1";
  values["rds.force_ssl"] = "1";
  return Object.keys(values)
    .sort()
    .map((name) => ({ name, value: values[name], applyMethod: STATIC_PARAMETERS.includes(name) ? "pending-reboot" : "immediate" }));
}

/** Parameters whose value has a unit pgplatform cannot turn into the base unit RDS wants. */
export function unconvertibleParameters(parameters: Record<string, string>): string[] {
  return Object.keys(parameters).filter((name) => rdsValueOf(name, parameters[name]) === undefined);
}
