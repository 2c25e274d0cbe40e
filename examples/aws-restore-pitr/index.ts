/**
 * Restore to a point in time on RDS: the production database and its BackupPolicy, and a clone of
 * it as it was at a given time (`restoreToPointInTime` from its automated backups), a new
 * instance with its own endpoint. Swap `targetTime` for `backupId` to start from a snapshot.
 */
import { BackupPolicy, PgSingle } from "pgplatform";

const network = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
};

const db = new PgSingle("ledger", {
  projectId: "shop",
  environmentId: "prod",
  plan: "medium_single",
  backend: "aws",
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  aws: network,
});

const backups = new BackupPolicy("ledger-backups", { target: db, schedule: "daily", retentionDays: 14, pitr: true });

const clone = new PgSingle("ledger-at-incident", {
  projectId: "shop",
  environmentId: "prod",
  plan: "medium_single",
  backend: "aws",
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  restore: { from: backups, targetTime: "2025-06-01T09:30:00Z" },
  aws: network,
});

export const cloneUri = clone.connection.uri; // a secret
export const cloneHost = clone.connection.host;
