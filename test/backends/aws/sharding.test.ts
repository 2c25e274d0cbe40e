/**
 * What the aws back end refuses on a sharded PgCluster (Aurora Limitless), each with its exact
 * message, and the change rules: sharding never comes or goes on an existing cluster, while the
 * shard group's capacity moves freely (the change guard's `check`, as the engine runs it).
 */
import assert from "assert";
import { PgCluster } from "../../../components";
import { awsChangeProblems } from "../../../components/backends/aws/change";
import { CHANGE_GUARD_KIND, changeGuardProvider } from "../../../components/providers/changeGuard";
import { StrictMocks } from "../../harness/mocks";
import { NET, awsChildren, awsMocks } from "../../components/aws/support";

const C = { projectId: "shop", environmentId: "prod", plan: "prod_ha", backend: "aws" as const, sharding: { maxAcu: 256 } };
const AWS = 'Invalid args for PgCluster "events" on the `aws` back end';

const ROWS: { what: string; args: any; message: string[] }[] = [
  {
    what: "a managed master password, Performance Insights off, no enhanced monitoring, no postgresql log",
    args: { ...C, aws: { ...NET, manageMasterUserPassword: true, performanceInsights: { enabled: false }, monitoringInterval: 0, logExports: ["upgrade"] } },
    message: [
      `${AWS}: 4 problems:`,
      "  - `aws.manageMasterUserPassword` is not possible with `sharding` (Aurora Limitless Database does not support master passwords kept in Secrets Manager); got true",
      "  - `aws.performanceInsights.enabled` cannot be false with `sharding` (Aurora Limitless Database requires Performance Insights); got false",
      "  - `aws.monitoringInterval` cannot be 0 with `sharding` (Aurora Limitless Database requires enhanced monitoring: 1, 5, 10, 15, 30 or 60); got 0",
      '  - `aws.logExports` must include `postgresql` with `sharding` (Aurora Limitless Database requires the PostgreSQL log in CloudWatch Logs); got ["upgrade"]',
    ],
  },
  {
    what: "Performance Insights kept 7 days",
    args: { ...C, aws: { ...NET, performanceInsights: { retentionDays: 7 } } },
    message: [
      `${AWS}: 1 problem:`,
      "  - `aws.performanceInsights.retentionDays` must be at least 31 with `sharding` (Aurora Limitless Database keeps Performance Insights for a month or more: 31, a multiple of 31, or 731); got 7",
    ],
  },
  {
    what: "SQL access, pg_cron with scheduled maintenance, and logical replication",
    args: { ...C, maintenance: { vacuumAnalyze: true }, aws: { ...NET, sqlAccess: true, pgCron: true, logicalReplication: true } },
    message: [
      `${AWS}: 4 problems:`,
      "  - `aws.sqlAccess` is not available with `sharding`: the application's own role takes over its database with `ALTER DATABASE`, which Aurora Limitless Database does not support (the application connects as the master user, `username`); got true",
      "  - `aws.pgCron` is not available with `sharding` (its job runs on pg_cron, which is not among the extensions Aurora Limitless Database supports; autovacuum runs on every shard); got true",
      "  - `maintenance.vacuumAnalyze` is not available with `sharding` (its job runs on pg_cron, which is not among the extensions Aurora Limitless Database supports; autovacuum runs on every shard); got true",
      "  - `aws.logicalReplication` is not possible with `sharding` (an Aurora Limitless cluster cannot be a replication source); got true",
    ],
  },
  {
    what: "scheduled maintenance without SQL access: the sharding reason, not a call for SQL access",
    args: { ...C, maintenance: { vacuumAnalyze: true }, aws: NET },
    message: [
      `${AWS}: 1 problem:`,
      "  - `maintenance.vacuumAnalyze` is not available with `sharding` (its job runs on pg_cron, which is not among the extensions Aurora Limitless Database supports; autovacuum runs on every shard); got true",
    ],
  },
  {
    what: "2 compute standbys per shard over subnets in 2 zones",
    args: { ...C, aws: { ...NET, subnetIds: ["subnet-a", "subnet-b"] } },
    message: [
      `${AWS}: 1 problem:`,
      "  - `aws.subnetIds` needs subnets in at least 3 availability zones with `sharding.computeRedundancy` 2 (each shard keeps 2 compute standbys in zones other than its own); got 2 subnet(s)",
    ],
  },
];

describe("aws back end: bad input on a sharded PgCluster", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  for (const row of ROWS) {
    it(`rejects ${row.what}`, async () => {
      mocks = awsMocks();
      assert.throws(
        () => new PgCluster("events", row.args),
        (err: any) => {
          assert.strictEqual(err.message, row.message.join("\n"));
          return true;
        },
      );
      assert.deepStrictEqual(await awsChildren(mocks), [], "nothing is registered");
    });
  }
});

describe("aws back end: sharding changes", () => {
  it("refuses turning sharding on or off; the shard group's capacity moves both ways", () => {
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 200, maxAcu: 768 }, { storageGb: 200, maxAcu: 256 }), []);
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 200, maxAcu: 256 }, { storageGb: 200, maxAcu: 6144 }), []);
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 200 }, { storageGb: 200, maxAcu: 256 }), [
      {
        path: "sharding",
        message:
          "`sharding` cannot be added to an existing PgCluster on the `aws` back end (Aurora fixes a cluster's scalability type at create: RDS would replace it with a new, empty Limitless cluster); create a sharded PgCluster beside it and load the data into it; got `sharding.maxAcu` 256",
      },
    ]);
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 200, maxAcu: 256 }, { storageGb: 200 }), [
      {
        path: "sharding",
        message:
          "`sharding` cannot be removed from an existing PgCluster on the `aws` back end (Aurora fixes a cluster's scalability type at create: RDS would replace the Limitless cluster with a new, empty one); keep it, or create an unsharded PgCluster beside it and move the data; got nothing",
      },
    ]);
  });

  it("the change guard's check stops turning sharding off before anything is touched, and lets maxAcu shrink", async () => {
    const guard = (size: Record<string, unknown>) => ({
      kind: CHANGE_GUARD_KIND,
      phase: "before",
      resourceId: "shop-prod-events-ed5a9e78",
      resourceKind: "pg_cluster",
      version: "16",
      backend: "aws",
      identifier: "shop-prod-events-ed5a9e78",
      size: { storageGb: 200, compute: "db.r7g.large", readReplicas: 0, standbys: 2, ...size },
    });
    const off = await changeGuardProvider.check!(guard({ maxAcu: 256 }), guard({}));
    assert.deepStrictEqual(off.failures, [
      {
        property: "size.maxAcu",
        reason:
          "db_resource `shop-prod-events-ed5a9e78`: `sharding` cannot be removed from an existing PgCluster on the `aws` back end (Aurora fixes a cluster's scalability type at create: RDS would replace the Limitless cluster with a new, empty one); keep it, or create an unsharded PgCluster beside it and move the data; got nothing",
      },
    ]);
    const shrink = await changeGuardProvider.check!(guard({ maxAcu: 768 }), guard({ maxAcu: 256 }));
    assert.deepStrictEqual(shrink.failures, []);
  });
});
