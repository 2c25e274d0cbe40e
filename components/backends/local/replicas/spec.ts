/**
 * What defines a local ReadReplicaSet and where it lives: `<dataRoot>/<setId>/` holds one
 * `members/<name>/` per replica (a Patroni member of the source cluster tagged `nofailover` and
 * `nosync`), the set's own HAProxy (`haproxy.cfg`, a stats socket, `lagcheck.sh` for the lag
 * policy), PgBouncer when pooling is on (`pgbouncer.ini`, `userlist.txt` with SCRAM verifiers),
 * `pgpass` (0600) and the `pgplatform.json` marker with the ports chosen at create. A replica of a
 * pg_single (`sourceKind: single`) has no Patroni: `members/<name>/` holds its `data/` (made by
 * `pg_basebackup -R`) and `postgres.log`. While the source is paused nothing of the set runs and
 * all of it is kept on disk (pause.ts).
 */
import * as path from "path";

/** Everything that defines a replica set. Passwords are plaintext here and never logged. */
export interface LocalReplicasSpec {
  /** Directory name of the set under the data root. */
  setId: string;
  /** The source pg_cluster's resource id (its directory under the same data root). */
  clusterId: string;
  dataRoot: string;
  runAs?: string;
  /** The source's write endpoint (HAProxy), where the lag check reads the primary's WAL position. */
  primaryPort: number;
  superuser: string;
  superuserPassword: string;
  /** The application database and role the pooler serves. */
  databaseName: string;
  username: string;
  replicas: number;
  lagPolicy: { maxSeconds?: number; maxBytes?: number };
  endpointStrategy: "single" | "per_replica";
  pooling: { enabled: boolean; mode: "transaction" | "session"; maxClientConnections: number; defaultPoolSize: number };
  /** Where the set's HAProxy binds (`127.0.0.1`, or `0.0.0.0` when the source's allowlist is wider). */
  bindAddress: string;
  /**
   * What the replicas stream from: `cluster` (Patroni members of the pg_cluster `clusterId`) or
   * `single` (`pg_basebackup -R` copies of the local pg_single `clusterId`, each its own PostgreSQL).
   * @default "cluster"
   */
  sourceKind?: "cluster" | "single";
  /** The pg_single's server binaries (`sourceKind: single`); pg_basebackup is looked for there, then in Debian's directory of the same major. */
  binDir?: string;
  /**
   * The source's `lifecycle.state`: the set follows it. `paused`: every process of the set is
   * stopped (HAProxy, PgBouncer, each replica), its data directories, slots and ports kept (pause.ts).
   * @default "active"
   */
  sourceState?: "active" | "paused";
}

/** One replica with its ports. */
export interface ReplicaMember {
  name: string;
  pgPort: number;
  /** Its Patroni REST port; 0 for a replica of a pg_single (no Patroni). */
  restPort: number;
  /** Its own HAProxy port with `endpointStrategy: per_replica`. */
  endpointPort?: number;
}

/** Ports a set keeps for its life. */
export interface ReplicasLayout {
  readPort: number;
  poolerPort?: number;
  members: ReplicaMember[];
}

/** Paths of a replica set. */
export function replicasPaths(dataRoot: string, setId: string) {
  const dir = path.join(dataRoot, setId);
  return {
    dir,
    marker: path.join(dir, "pgplatform.json"),
    members: path.join(dir, "members"),
    haproxyCfg: path.join(dir, "haproxy.cfg"),
    haproxyPid: path.join(dir, "haproxy.pid"),
    haproxyLog: path.join(dir, "log", "haproxy.log"),
    haproxySocket: path.join(dir, "haproxy.sock"),
    lagCheck: path.join(dir, "lagcheck.sh"),
    pgpass: path.join(dir, "pgpass"),
    pgbouncerIni: path.join(dir, "pgbouncer.ini"),
    pgbouncerUsers: path.join(dir, "userlist.txt"),
    pgbouncerPid: path.join(dir, "pgbouncer.pid"),
    pgbouncerLog: path.join(dir, "log", "pgbouncer.log"),
  };
}
