/**
 * The configuration files of a local replica set: each replica's Patroni configuration (cloned
 * from a member of the source cluster, renamed, on its own ports, tagged `nofailover`/`nosync`),
 * HAProxy with the lag policy as its health check, the external lag check, PgBouncer's ini and
 * auth file.
 */
import { HAPROXY_CHECK, haproxyHead } from "../cluster/config";
import { memberPaths } from "../cluster/spec";
import { LocalReplicasSpec, ReplicaMember, ReplicasLayout, replicasPaths } from "./spec";

/** A replica's Patroni configuration from `source` (a member's parsed patroni.yml). */
export function replicaPatroniConfig(source: any, spec: LocalReplicasSpec, m: ReplicaMember): string {
  const dir = replicasPaths(spec.dataRoot, spec.setId).dir;
  const mp = memberPaths(dir, m.name);
  const listenHost = String(source.postgresql.listen).replace(/:\d+$/, "");
  const config = {
    ...source,
    name: m.name,
    restapi: { ...source.restapi, listen: `127.0.0.1:${m.restPort}`, connect_address: `127.0.0.1:${m.restPort}` },
    postgresql: { ...source.postgresql, listen: `${listenHost}:${m.pgPort}`, connect_address: `127.0.0.1:${m.pgPort}`, data_dir: mp.dataDir, pgpass: mp.pgpass },
    tags: { nofailover: true, nosync: true, noloadbalance: false, clonefrom: false },
  };
  return JSON.stringify(config, null, 2) + "\n";
}

/**
 * How HAProxy judges a replica: Patroni's `/replica?lag=<bytes>` when the policy is in bytes only
 * (Patroni compares the leader's last WAL position with the replica's REPLAYED position), else the
 * external lag check, which also bounds the replay delay in seconds (and is the only check for
 * replicas of a pg_single, which have no Patroni).
 */
export function usesPatroniCheck(spec: LocalReplicasSpec): boolean {
  if (spec.sourceKind === "single") return false; // no Patroni: the external check measures bytes and seconds
  return spec.lagPolicy.maxBytes !== undefined && spec.lagPolicy.maxSeconds === undefined;
}

function checkLines(spec: LocalReplicasSpec): string[] {
  if (usesPatroniCheck(spec)) return [`    option httpchk OPTIONS /replica?lag=${spec.lagPolicy.maxBytes}`, "    http-check expect status 200"];
  return ["    option external-check", '    external-check path "/usr/bin:/bin"', `    external-check command ${replicasPaths(spec.dataRoot, spec.setId).lagCheck}`];
}

function server(m: ReplicaMember, spec: LocalReplicasSpec): string {
  return `    server ${m.name} 127.0.0.1:${m.pgPort} maxconn 1000 check${usesPatroniCheck(spec) ? ` port ${m.restPort}` : ""}`;
}

/** HAProxy for the set: one read port over every replica within the lag policy, and one per replica when asked. */
export function replicasHaproxy(spec: LocalReplicasSpec, layout: ReplicasLayout): string {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const global = [`stats socket ${p.haproxySocket} mode 600 level user`, ...(usesPatroniCheck(spec) ? [] : ["external-check", "insecure-fork-wanted"])];
  const listen = (name: string, port: number, members: readonly ReplicaMember[]) => [
    `listen ${name}`,
    `    bind ${spec.bindAddress}:${port}`,
    "    balance roundrobin",
    ...checkLines(spec),
    `    default-server ${HAPROXY_CHECK}`,
    ...members.map((m) => server(m, spec)),
  ].join("\n");
  const sections = [haproxyHead(global), listen("replicas", layout.readPort, layout.members)];
  if (spec.endpointStrategy === "per_replica") for (const m of layout.members) sections.push(listen(`replica_${m.name}`, m.endpointPort!, [m]));
  return sections.join("\n") + "\n";
}

/**
 * The external lag check HAProxy runs for each replica (`$3` address, `$4` port). In the pool when
 * the replica is in recovery, its replay position is within `maxBytes` of the primary's current
 * WAL position, and it has not been stuck for more than `maxSeconds`: the check keeps a mark (the
 * primary's position and the time it saw it) per server; a replica that has replayed past the mark
 * gets a new one, so `now - mark` is how long its replay has trailed a position the primary had
 * (a lower bound of its delay, to one check interval; an idle primary does not count as lag).
 * Passwords come from the 0600 pgpass file, never the command line.
 */
export function lagCheckScript(spec: LocalReplicasSpec, psql: string): string {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const su = spec.superuser.replace(/'/g, "");
  const bytes = spec.lagPolicy.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const seconds = spec.lagPolicy.maxSeconds ?? 1_000_000_000;
  return [
    "#!/bin/sh",
    "# Managed by pgplatform: HAProxy's lag check for one replica ($3 address, $4 port); exit 0 keeps it in the read pool.",
    `PGPASSFILE='${p.pgpass}'; PGCONNECT_TIMEOUT=2; export PGPASSFILE PGCONNECT_TIMEOUT`,
    `q() { '${psql}' -X -A -t -w -q -h "$1" -p "$2" -U '${su}' -d postgres -c "$3" 2>/dev/null; }`,
    `state='${p.dir}/lag-'"$2-$4"`,
    "host=$3; port=$4; now=$(date +%s)",
    `cur=$(q 127.0.0.1 ${spec.primaryPort} "SELECT pg_current_wal_lsn()") || exit 1`,
    '[ -n "$cur" ] || exit 1',
    'mark=; at=; [ -f "$state" ] && read mark at < "$state"',
    '[ -n "$mark" ] || { mark=$cur; at=$now; }',
    `r=$(q "$host" "$port" "SELECT pg_is_in_recovery()::int || ' ' || pg_wal_lsn_diff('$cur', pg_last_wal_replay_lsn())::bigint || ' ' || (pg_last_wal_replay_lsn() >= '$mark'::pg_lsn)::int") || exit 1`,
    "set -- $r",
    '[ "$1" = 1 ] || exit 1',
    'if [ "$3" = 1 ]; then mark=$cur; at=$now; fi',
    'echo "$mark $at" > "$state"',
    `[ "$2" -le ${bytes} ] || exit 1`,
    `[ "$2" -le 0 ] || [ $((now - at)) -le ${seconds} ] || exit 1`,
    "exit 0",
    "",
  ].join("\n");
}

/** A pgpass line for the superuser on every local port. */
export function pgpassLine(spec: LocalReplicasSpec): string {
  const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
  return `127.0.0.1:*:*:${esc(spec.superuser)}:${esc(spec.superuserPassword)}\n`;
}

/** PgBouncer in front of the set's read port, with the pool sizes of the spec. */
export function pgbouncerIni(spec: LocalReplicasSpec, layout: ReplicasLayout): string {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  return [
    "; Managed by pgplatform: rewritten on every update.",
    "[databases]",
    `${spec.databaseName} = host=127.0.0.1 port=${layout.readPort} dbname=${spec.databaseName}`,
    "[pgbouncer]",
    `listen_addr = ${spec.bindAddress}`,
    `listen_port = ${layout.poolerPort}`,
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${p.pgbouncerUsers}`,
    `pool_mode = ${spec.pooling.mode}`,
    `max_client_conn = ${spec.pooling.maxClientConnections}`,
    `default_pool_size = ${spec.pooling.defaultPoolSize}`,
    "server_check_query = select 1",
    "server_login_retry = 1",
    "ignore_startup_parameters = extra_float_digits",
    "",
  ].join("\n");
}

/** PgBouncer's auth file: the role's SCRAM verifier as the server stores it (so PgBouncer can log in on the client's behalf). */
export function pgbouncerUsers(username: string, verifier: string): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return `${q(username)} ${q(verifier)}\n`;
}
