/**
 * A dev database on RDS: you give the VPC, two private subnets and the app's security group; you
 * get an encrypted gp3 instance with TLS forced, a generated password (a secret), and no backups,
 * deletion protection or alarms (a dev plan).
 */
import { PgSingle } from "pgplatform";

const db = new PgSingle("orders", {
  projectId: "shop",
  environmentId: "dev",
  plan: "dev_single",
  backend: "aws",
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  aws: { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"] },
});

export const uri = db.connection.uri; // a secret: postgresql://app:...@<instance>.rds.amazonaws.com:5432/app
export const host = db.connection.host;
export const topology = db.topology;
