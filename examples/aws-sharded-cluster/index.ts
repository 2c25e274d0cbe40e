/**
 * A sharded PgCluster: prod_ha on Aurora PostgreSQL Limitless Database. One endpoint (the shard
 * group's routers) in front of shards that scale between 64 and 768 ACUs, each shard with 2 compute
 * standbys in other zones (prod_ha's standbys), PostgreSQL 16, database `postgres_limitless`.
 */
import { PgCluster } from "pgplatform";

const events = new PgCluster("events", {
  projectId: "shop",
  environmentId: "prod",
  plan: "prod_ha",
  backend: "aws",
  sharding: { maxAcu: 768, minAcu: 64 },
  network: { allowedSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"] },
  aws: {
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f", "subnet-0fff5555aaaa6666b"],
    alarms: { snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:db-alerts" },
  },
});

export const uri = events.connection.uri; // a secret: the router endpoint; reads and writes both go through it
export const topology = events.topology;
