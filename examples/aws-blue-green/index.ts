/**
 * Upgrades on RDS. `orders` runs with `aws.blueGreenUpdate`: changing its `version` (here to 17)
 * goes through an RDS blue/green deployment (green copy, switchover, the old one retired) in one
 * `pulumi up`. `catalog` moves to Aurora: BlueGreenUpgrade's `prepare` builds the green cluster,
 * copies the schema and feeds it by logical replication, run by this program over TLS
 * (`aws.sqlAccess`: the program must reach both databases, e.g. from an in-VPC runner); the stable
 * Route53 name points at blue until `phase: "cutover"` (see docs/aws.md).
 */
import { BlueGreenUpgrade, PgSingle } from "pgplatform";

const aws = { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f", "subnet-0fff5555aaaa6666b"] };
const network = { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] };

const orders = new PgSingle("orders", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  backend: "aws",
  version: "17", // was "16": RDS blue/green moves it
  network,
  aws: { ...aws, blueGreenUpdate: true },
});

const catalog = new PgSingle("catalog", {
  projectId: "shop",
  environmentId: "staging",
  plan: "medium_single",
  backend: "aws",
  version: "16",
  network,
  aws: { ...aws, sqlAccess: true, logicalReplication: true, dns: { zoneId: "Z0123456789ABCDEFGHIJ", name: "catalog.db.shop.internal" } },
});

const toAurora = new BlueGreenUpgrade("catalog-ha", { source: catalog, targetVersion: "17", targetPlan: "prod_ha", phase: "prepare" });

export const ordersUri = orders.connection.uri; // a secret: same endpoint before and after the switchover
export const catalogUri = toAurora.connection.uri; // a secret: catalog-ha.catalog.db.shop.internal, blue until cut-over, then green
export const activeSide = toAurora.activeSide;
