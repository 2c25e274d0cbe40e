/**
 * Small production on RDS: a small_single in production gets deletion protection (and Pulumi
 * `protect`), a final snapshot with a stable unique name, automated backups with PITR kept after
 * a delete, Performance Insights off on its burstable class, enhanced monitoring, CloudWatch
 * alarms to an SNS topic, one read replica, a Route53 name the app uses, and AWS Backup on top.
 * The program runs inside the VPC (`aws.sqlAccess`), so the app gets its own least-privilege role
 * `billing_app` (owner of `billing`) and the master user `pgadmin` stays the admin; the program's
 * SQL verifies the server with the RDS CA bundle when `RDS_CA_BUNDLE` names it (else TLS `require`).
 */
import { BackupPolicy, PgSingle } from "pgplatform";

const db = new PgSingle("billing", {
  projectId: "shop",
  environmentId: "prod",
  plan: "small_single",
  backend: "aws",
  readReplicas: 1,
  databaseName: "billing",
  username: "billing_app",
  storage: { sizeGb: 100 },
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"], allowedCidrs: ["10.20.0.0/16"] },
  parameters: { statement_timeout: "30s" },
  lifecycle: { maintenanceWindow: "sat:04:00-sat:05:00" },
  aws: {
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    alarms: { createSnsTopic: true },
    dns: { zoneId: "Z0123456789ABCDEFGHIJ", name: "billing.db.shop.internal" },
    sqlAccess: true,
    // https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem, downloaded beside the program.
    ...(process.env.RDS_CA_BUNDLE ? { caBundle: process.env.RDS_CA_BUNDLE } : {}),
  },
});

const backups = new BackupPolicy("billing-backups", { target: db, schedule: "daily", retentionDays: 14, pitr: true });

export const uri = db.connection.uri; // a secret: billing_app, through billing.db.shop.internal
export const readHost = db.endpoints.read.host;
export const nextBackup = backups.nextSchedule;
