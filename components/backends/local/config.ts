/**
 * The configuration files pgplatform owns in a local server's data directory: `pgplatform.conf`
 * (included last from postgresql.conf) and `pg_hba.conf`; and how settings compare, since
 * PostgreSQL reports `1000ms` as `1s` and `1024MB` as `1GB`.
 */
import { isIP } from "net";

/** The NOLOGIN group every tenant role joins; pg_hba admits its members to their own databases. */
export const TENANT_GROUP = "pgplatform_tenants";

export interface ServerConfig {
  port: number;
  allowedCidrs: readonly string[];
  superuser: string;
  databaseName: string;
  username: string;
  parameters: Readonly<Record<string, string>>;
  /** WAL archiving and the private socket pgBackRest uses; absent = neither (no Unix socket at all). */
  backupAccess?: BackupAccess;
}

/**
 * What a server that can be backed up by pgBackRest gets: WAL archiving through `archiveCommand`,
 * and a Unix socket in a private (0700) directory on which the operating-system users `osUsers`
 * (the service user, the program's user) log in as the superuser by peer authentication, since
 * pgBackRest reaches a local PostgreSQL only over a socket and no password is kept on disk.
 */
export interface BackupAccess {
  socketDir: string;
  osUsers: readonly string[];
  archiveCommand: string;
}

/** The pg_ident.conf map that lets {@link BackupAccess.osUsers} in as the superuser. */
export const PEER_MAP = "pgplatform";

/** Where the server listens: loopback only when the allowlist is loopback only, else everywhere. */
export function listenAddresses(cidrs: readonly string[]): string {
  const loopback4 = (c: string) => c.startsWith("127.");
  const loopback6 = (c: string) => c === "::1/128";
  if (cidrs.every((c) => loopback4(c) || loopback6(c))) {
    return cidrs.some(loopback6) ? "127.0.0.1,::1" : "127.0.0.1";
  }
  return "*";
}

function quoteConf(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** postgresql.conf lines for the managed settings and the plan's parameters. */
export function renderConf(c: ServerConfig): string {
  const lines = [
    "# Managed by pgplatform: rewritten on every update. Use the component's `parameters` instead.",
    `listen_addresses = ${quoteConf(listenAddresses(c.allowedCidrs))}`,
    `port = ${c.port}`,
    `unix_socket_directories = ${quoteConf(c.backupAccess?.socketDir ?? "")}`,
    "password_encryption = 'scram-sha-256'",
  ];
  if (c.backupAccess) {
    lines.push("unix_socket_permissions = 0700", "archive_mode = 'on'", `archive_command = ${quoteConf(c.backupAccess.archiveCommand)}`);
  }
  const managed = ["password_encryption", ...(c.backupAccess ? ["unix_socket_permissions", "archive_mode", "archive_command"] : [])];
  for (const [k, v] of Object.entries(c.parameters).sort(([a], [b]) => a.localeCompare(b))) {
    if (managed.includes(k)) continue;
    lines.push(`${k} = ${quoteConf(v)}`);
  }
  return lines.join("\n") + "\n";
}

function hbaAddress(cidr: string): string {
  const [addr] = cidr.split("/");
  return isIP(addr) ? cidr : "127.0.0.1/32";
}

function hbaName(name: string): string {
  return `"${name}"`;
}

/**
 * pg_hba.conf: the superuser from loopback only (also for replication: streaming replicas of this
 * server run on this machine); the app user to the app database from the
 * allowlist only; tenant roles (members of TENANT_GROUP) to the database named after them or to the
 * shared app database, from the allowlist only; everything else is rejected. No Unix sockets are used.
 * Database privileges (CONNECT revoked from PUBLIC) are the second fence.
 */
export function renderHba(c: ServerConfig): string {
  const lines = [
    "# Managed by pgplatform: rewritten on every update.",
    "# TYPE  DATABASE  USER  ADDRESS  METHOD",
    ...(c.backupAccess ? [`local all ${hbaName(c.superuser)} peer map=${PEER_MAP}`] : []),
    `host all ${hbaName(c.superuser)} 127.0.0.1/32 scram-sha-256`,
    `host all ${hbaName(c.superuser)} ::1/128 scram-sha-256`,
    // Streaming replicas of this server (a ReadReplicaSet, `readReplicas`) connect as the superuser from loopback.
    `host replication ${hbaName(c.superuser)} 127.0.0.1/32 scram-sha-256`,
  ];
  for (const cidr of c.allowedCidrs) {
    lines.push(`host ${hbaName(c.databaseName)} ${hbaName(c.username)} ${hbaAddress(cidr)} scram-sha-256`);
  }
  // Tenants (members of TENANT_GROUP) reach their own database (named as the role) or the shared app database.
  for (const cidr of c.allowedCidrs) {
    lines.push(`host sameuser +${TENANT_GROUP} ${hbaAddress(cidr)} scram-sha-256`);
    lines.push(`host ${hbaName(c.databaseName)} +${TENANT_GROUP} ${hbaAddress(cidr)} scram-sha-256`);
  }
  lines.push("host all all 0.0.0.0/0 reject", "host all all ::/0 reject");
  return lines.join("\n") + "\n";
}

/** pg_ident.conf: the operating-system users that may log in as the superuser over the private socket. */
export function renderIdent(c: ServerConfig): string {
  const lines = ["# Managed by pgplatform: rewritten on every update.", "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME"];
  for (const u of c.backupAccess?.osUsers ?? []) lines.push(`${PEER_MAP} ${hbaName(u)} ${hbaName(c.superuser)}`);
  return lines.join("\n") + "\n";
}

/** The settings pgplatform.conf manages besides the parameters, with their values (to tell whether a change needs a restart). */
export function managedSettings(c: ServerConfig): Record<string, string> {
  return {
    listen_addresses: listenAddresses(c.allowedCidrs),
    unix_socket_directories: c.backupAccess?.socketDir ?? "",
    archive_mode: c.backupAccess ? "on" : "off",
  };
}

const MEMORY: Record<string, number> = { b: 1 / 1024, kb: 1, mb: 1024, gb: 1024 ** 2, tb: 1024 ** 3 };
const TIME: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const BOOL: Record<string, string> = { on: "on", true: "on", yes: "on", "1": "on", off: "off", false: "off", no: "off", "0": "off" };

/** A comparable form of a setting value: memory in kB, times in ms, booleans as on/off. */
export function normalizeSetting(value: string): string {
  const v = String(value).trim().toLowerCase();
  const m = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(v);
  if (m) {
    const n = Number(m[1]);
    if (m[2] in MEMORY) return `${n * MEMORY[m[2]]}kB`;
    if (m[2] in TIME) return `${n * TIME[m[2]]}ms`;
  }
  if (v in BOOL && !/^\d+$/.test(v)) return BOOL[v];
  return v;
}

/** True when two setting values mean the same. */
export function sameSetting(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return normalizeSetting(a) === normalizeSetting(b);
}
