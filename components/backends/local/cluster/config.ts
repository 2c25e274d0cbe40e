/**
 * The configuration files of a local cluster: one Patroni YAML per member (written as JSON, which
 * YAML reads as it is), and HAProxy's configuration with a write and a read port.
 */
import * as os from "os";
import { PEER_MAP, listenAddresses, renderHba } from "../config";
import { socketDirOf } from "../instance";
import { serviceUser } from "../serviceUser";
import { ClusterLayout, ClusterMember, LocalClusterSpec, REPLICATION_USER, REST_USER, clusterPaths, memberPaths } from "./spec";

/** Settings every cluster needs for streaming replication and pg_rewind, under the user's parameters. */
export const REPLICATION_PARAMETERS: Readonly<Record<string, string>> = {
  wal_level: "replica",
  hot_standby: "on",
  wal_log_hints: "on",
  max_wal_senders: "10",
  max_replication_slots: "10",
  wal_keep_size: "128MB",
};

/** The cluster-wide PostgreSQL parameters (Patroni's dynamic configuration). */
export function clusterParameters(spec: LocalClusterSpec): Record<string, string> {
  const out: Record<string, string> = { ...REPLICATION_PARAMETERS, ...spec.parameters };
  if (spec.archiveCommand) {
    out.archive_mode = "on";
    out.archive_command = spec.archiveCommand;
  }
  return out;
}

/** pg_hba lines: replication for `replicator` from loopback, then the single-server rules (superuser, app, tenants, reject). */
export function clusterHba(spec: LocalClusterSpec): string[] {
  const base = renderHba({ port: 0, allowedCidrs: spec.allowedCidrs, superuser: spec.superuser, databaseName: spec.databaseName, username: spec.username, parameters: {} });
  const rules = base.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const peer = spec.backupAccess ? [`local all "${spec.superuser}" peer map=${PEER_MAP}`] : [];
  return [...peer, `host replication "${REPLICATION_USER}" 127.0.0.1/32 scram-sha-256`, ...rules];
}

/** The members' private socket directory (backup access), or undefined when they have no Unix socket. */
export function clusterSocketDir(spec: Pick<LocalClusterSpec, "dataRoot" | "resourceId" | "backupAccess">): string | undefined {
  return spec.backupAccess ? socketDirOf({ instanceDir: clusterPaths(spec.dataRoot, spec.resourceId).dir }) : undefined;
}

/** pg_ident lines: the service user and the program's user may log in as the superuser over the private socket. */
export function clusterIdent(spec: LocalClusterSpec): string[] {
  if (!spec.backupAccess) return [];
  const users = [...new Set([serviceUser(spec.runAs).name, os.userInfo().username])];
  return users.map((u) => `${PEER_MAP} "${u}" "${spec.superuser}"`);
}

/** Patroni's dynamic configuration as it is bootstrapped (and later PATCHed on /config). */
export function dynamicConfig(spec: LocalClusterSpec): Record<string, unknown> {
  return {
    ttl: spec.timing.ttl,
    loop_wait: spec.timing.loopWait,
    retry_timeout: spec.timing.retryTimeout,
    maximum_lag_on_failover: 1048576,
    synchronous_mode: spec.syncStandbys > 0,
    synchronous_node_count: Math.max(1, spec.syncStandbys),
    postgresql: { use_pg_rewind: true, use_slots: true, parameters: clusterParameters(spec) },
  };
}

/** The Patroni configuration of one member. `nofailover` marks a read replica (never promoted). */
export function patroniConfig(spec: LocalClusterSpec, layout: ClusterLayout, m: ClusterMember, binDir: string, tags: { nofailover?: boolean } = {}): string {
  const dir = clusterPaths(spec.dataRoot, spec.resourceId).dir;
  const mp = memberPaths(dir, m.name);
  const bootstrap: Record<string, unknown> = {
    dcs: dynamicConfig(spec),
    initdb: [{ encoding: "UTF8" }, { locale: "C" }, "data-checksums", { "auth-host": "scram-sha-256" }, { "auth-local": "scram-sha-256" }],
  };
  if (spec.bootstrap) {
    bootstrap.method = "pgplatform_restore";
    bootstrap.pgplatform_restore = {
      command: spec.bootstrap.command,
      keep_existing_recovery_conf: spec.bootstrap.keepExistingRecoveryConf ?? false,
      no_params: false,
      ...(spec.bootstrap.recoveryConf ? { recovery_conf: spec.bootstrap.recoveryConf } : {}),
    };
  }
  const config = {
    scope: spec.resourceId,
    namespace: "/pgplatform/",
    name: m.name,
    log: { level: "INFO", format: "%(asctime)s %(levelname)s: %(message)s" },
    restapi: {
      listen: `127.0.0.1:${m.restPort}`,
      connect_address: `127.0.0.1:${m.restPort}`,
      authentication: { username: REST_USER, password: spec.superuserPassword },
    },
    etcd3: { hosts: `127.0.0.1:${layout.ports.etcdClient}` },
    bootstrap,
    postgresql: {
      listen: `${listenAddresses(spec.allowedCidrs)}:${m.pgPort}`,
      connect_address: `127.0.0.1:${m.pgPort}`,
      data_dir: mp.dataDir,
      bin_dir: binDir,
      pgpass: mp.pgpass,
      authentication: {
        superuser: { username: spec.superuser, password: spec.superuserPassword },
        replication: { username: REPLICATION_USER, password: spec.replicationPassword },
      },
      parameters: {
        unix_socket_directories: clusterSocketDir(spec) ?? "",
        ...(spec.backupAccess ? { unix_socket_permissions: "0700" } : {}),
        password_encryption: "scram-sha-256",
      },
      pg_hba: clusterHba(spec),
      ...(spec.backupAccess ? { pg_ident: clusterIdent(spec) } : {}),
      use_unix_socket: false,
      // A new member's base backup starts with a checkpoint: a spread one made new members wait ~100 s (measured).
      basebackup: [{ checkpoint: "fast" }],
      remove_data_directory_on_rewind_failure: true,
      remove_data_directory_on_diverged_timelines: true,
      ...(spec.restoreCommand ? { recovery_conf: { restore_command: spec.restoreCommand } } : {}),
    },
    watchdog: { mode: "off" },
    tags: { nofailover: tags.nofailover ?? false, noloadbalance: false, clonefrom: false, nosync: tags.nofailover ?? false },
  };
  return JSON.stringify(config, null, 2) + "\n";
}

/** HAProxy timing: how fast a dead primary leaves the write pool and the new one joins it. */
export const HAPROXY_CHECK = "inter 1s fastinter 250ms downinter 250ms fall 2 rise 1 on-marked-down shutdown-sessions";

/** Where HAProxy binds: loopback when the allowlist is loopback only, else every address. */
export function bindAddress(cidrs: readonly string[]): string {
  return listenAddresses(cidrs) === "*" ? "0.0.0.0" : "127.0.0.1";
}

/** One `listen` section of HAProxy balancing over `servers` whose Patroni REST answers 200 on `check`. */
export function haproxyListen(name: string, bind: string, port: number, check: string, servers: readonly ClusterMember[], balance = "first"): string {
  return [
    `listen ${name}`,
    `    bind ${bind}:${port}`,
    `    balance ${balance}`,
    `    option httpchk OPTIONS ${check}`,
    "    http-check expect status 200",
    `    default-server ${HAPROXY_CHECK}`,
    ...servers.map((s) => `    server ${s.name} 127.0.0.1:${s.pgPort} maxconn 1000 check port ${s.restPort}`),
  ].join("\n");
}

/** The head every pgplatform HAProxy configuration starts with (TCP mode, long client timeouts). */
export function haproxyHead(extraGlobal: string[] = []): string {
  return [
    "# Managed by pgplatform: rewritten on every update.",
    "global",
    "    maxconn 4000",
    ...extraGlobal.map((l) => `    ${l}`),
    "defaults",
    "    mode tcp",
    "    retries 2",
    "    timeout connect 2s",
    "    timeout client 30m",
    "    timeout server 30m",
    "    timeout check 1s",
  ].join("\n");
}

/** HAProxy for a cluster: the write port checks Patroni's `/primary`, the read port `/replica`. */
export function clusterHaproxy(spec: LocalClusterSpec, layout: ClusterLayout): string {
  const bind = bindAddress(spec.allowedCidrs);
  return [
    haproxyHead(),
    haproxyListen("pg_write", bind, layout.ports.write, "/primary", layout.members),
    haproxyListen("pg_read", bind, layout.ports.read, "/replica", layout.members, "roundrobin"),
  ].join("\n") + "\n";
}
