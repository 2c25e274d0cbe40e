/**
 * A pg_cluster on this machine: a primary and two standbys under Patroni (one synchronous, so a
 * failover loses no acknowledged commit), etcd, and HAProxy giving one write and one read
 * host:port that survive a failover. Two read replicas that never take over serve read-heavy work
 * behind PgBouncer, and leave the read pool when they fall more than 16 MB behind.
 *
 * The local PgCluster needs a full PostgreSQL installation of its major (Patroni uses
 * pg_basebackup and pg_rewind): `apt-get install postgresql-15 patroni etcd-server haproxy pgbouncer`.
 */
import { PgCluster, ReadReplicaSet } from "pgplatform";

const db = new PgCluster("orders", { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: "15" });

const reads = new ReadReplicaSet("orders-reads", {
  source: db,
  replicas: 2,
  maxLagBytes: 16 * 1024 * 1024,
  pooling: { enabled: true, mode: "transaction", maxClientConnections: 200, defaultPoolSize: 20 },
});

export const writeUri = db.connection.uri; // a secret: the primary, wherever Patroni put it
export const readUri = db.readConnection.uri; // a secret: the standbys
export const reportingUri = reads.readConnection.uri; // a secret: PgBouncer over the replicas
export const endpoints = db.endpoints;
export const topology = db.topology;
export const replicas = reads.topology;
export const status = db.status;
