/**
 * Production HA on Kubernetes: a `prod_ha` PgCluster (CNPG Cluster of 3 instances, quorum-synchronous,
 * spread over zones, WAL archived with the Barman Cloud plugin), and a ReadReplicaSet (a replica
 * cluster of 2 that leaves the read pool past 64 MiB of lag) behind PgBouncer Poolers.
 * Prerequisites: the CNPG operator, the Barman Cloud plugin, the Prometheus Operator CRDs, a Secret
 * `backup-s3` with `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY` in namespace `shop`.
 */
import { PgCluster, ReadReplicaSet } from "pgplatform";

const db = new PgCluster("orders", {
  projectId: "shop",
  environmentId: "prod",
  plan: "prod_ha",
  backend: "kubernetes",
  network: { allowedNamespaces: ["shop"], allowedPodLabels: { app: "orders-api" } },
  kubernetes: {
    namespace: "shop",
    storageClass: "gp3-expandable",
    backupStore: { bucket: "shop-pg-backups", credentials: { secretName: "backup-s3" } },
    monitoringNamespace: "monitoring",
  },
});

const reads = new ReadReplicaSet("orders-reads", {
  source: db,
  replicas: 2,
  maxLagBytes: 64 * 1024 * 1024,
  endpointStrategy: "per_replica",
  pooling: { mode: "transaction", maxClientConnections: 500, defaultPoolSize: 40 },
});

export const writerUri = db.connection.uri; // secret: through orders-rw
export const readerUri = db.readConnection.uri; // secret: through orders-ro (the standbys)
export const replicaReadUri = reads.readConnection.uri; // secret: through the read pooler
export const poolers = reads.pooler;
export const topology = db.topology;
