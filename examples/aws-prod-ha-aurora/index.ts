/**
 * Production HA on Aurora PostgreSQL: prod_ha gives a writer and 2 standbys (promotion tier 1) in
 * 3 zones, quorum-replicated storage, 30 days of backups with PITR, deletion protection and alarms.
 * A ReadReplicaSet adds 2 readers (tier 15) behind their own READER endpoint, and RDS Proxy.
 */
import { BackupPolicy, PgCluster, ReadReplicaSet } from "pgplatform";

const db = new PgCluster("orders", {
  projectId: "shop",
  environmentId: "prod",
  plan: "prod_ha",
  backend: "aws",
  awsTopology: "aurora",
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  aws: {
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f", "subnet-0fff5555aaaa6666b"],
    alarms: { snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:db-alerts" },
    performanceInsights: { retentionDays: 31 },
  },
});

const reads = new ReadReplicaSet("orders-reads", {
  source: db,
  replicas: 2,
  maxLagSeconds: 10,
  pooling: { mode: "transaction", defaultPoolSize: 80 },
});

const backups = new BackupPolicy("orders-backups", { target: db, schedule: "hourly", retentionDays: 30, pitr: true });

export const writer = db.connection.uri; // a secret: the cluster endpoint follows the writer
export const reader = db.readConnection.uri; // a secret: the reader endpoint
export const reportingUri = reads.readConnection.uri; // a secret: through RDS Proxy's read-only endpoint
export const topology = db.topology;
export const nextBackup = backups.nextSchedule;
