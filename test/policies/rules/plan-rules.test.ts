/**
 * The plan rules (dev plan in production, prod_ha resilience, production backups), each on a
 * component fixture and on primitives, through the SDK's real Analyze RPC.
 */
import * as assert from "assert";
import { configureProdHaResilience } from "../../../policies/rules/pgplatform-configure-prod-ha-resilience";
import { configureProductionBackups } from "../../../policies/rules/pgplatform-configure-production-backups";
import { disallowDevPlanInProduction } from "../../../policies/rules/pgplatform-disallow-dev-plan-in-production";
import { UNKNOWN, analyze, violationsOf } from "./harness";
import { auroraCluster, cnpgCluster, labels, localCluster, localServer, mutate, mutateAll, pgCluster, pgSingle, rdsInstance, rdsMultiAzCluster } from "./fixtures";

describe("policies: pgplatform-disallow-dev-plan-in-production", () => {
  const rule = disallowDevPlanInProduction;
  const allowedTail = "allowed tiers: `dev`, `staging` (in production use `small_single`, `medium_single`)";

  it("passes production plans on components and primitives", async () => {
    for (const r of [pgSingle, pgCluster, localServer, rdsInstance, cnpgCluster]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses dev_single in production on the component", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "plan", "dev_single")), [
      `PgSingle "billing": plan \`dev_single\` is not allowed in a production environment (\`environmentId\` "prod" is production); ${allowedTail}`,
    ]);
  });

  it("refuses dev_single in production on primitives, by their labels and tags", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(localServer, "labels", labels("dev_single", "live"))), [
      `LocalServer "billing-server": plan \`dev_single\` is not allowed in a production environment (label \`pgplatform.io/environment\` "live" is production); ${allowedTail}`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "tags", labels("dev_single"))), [
      `rds.Instance "billing": plan \`dev_single\` is not allowed in a production environment (tag \`pgplatform.io/environment\` "prod" is production); ${allowedTail}`,
    ]);
  });

  it("reads the tier label a component puts on its primitives before guessing from the environment's name", async () => {
    const sandboxButProduction = { ...labels("dev_single", "sandbox-eu"), "pgplatform.io/environment-tier": "production" };
    assert.deepStrictEqual(await violationsOf(rule, mutate(localServer, "labels", sandboxButProduction)), [
      `LocalServer "billing-server": plan \`dev_single\` is not allowed in a production environment (label \`pgplatform.io/environment-tier\` is production); ${allowedTail}`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(localServer, "labels", { ...sandboxButProduction, "pgplatform.io/environment-tier": "dev" })), []);
  });

  it("honours environmentTier, leaves unlabelled primitives to other rules, and the config's plan list", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(pgSingle, { plan: "dev_single", environmentId: "eu-1", environmentTier: "staging" })), []);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "tags", undefined)), []);
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "plan", "dev_single"), { plans: [] }), []);
  });

  it("skips, with no violation, when the environment is unknown at preview", async () => {
    const r = await analyze(rule, mutateAll(pgSingle, { plan: "dev_single", environmentId: UNKNOWN }));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: pgplatform-configure-prod-ha-resilience", () => {
  const rule = configureProdHaResilience;

  it("passes prod_ha as the plan makes it, on the component, RDS and CNPG", async () => {
    for (const r of [pgCluster, rdsMultiAzCluster, auroraCluster, cnpgCluster]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("reports each missing guarantee of the component", async () => {
    const weak = mutateAll(pgCluster, { standbys: 1, multiAz: false, backup: { pitr: false }, lifecycle: { deletionProtection: false } });
    assert.deepStrictEqual(await violationsOf(rule, weak), [
      'PgCluster "orders": plan `prod_ha` needs `standbys` >= 2; got 1',
      'PgCluster "orders": plan `prod_ha` needs `multiAz` true; got false',
      'PgCluster "orders": plan `prod_ha` needs `backup.pitr` true; got false',
      'PgCluster "orders": plan `prod_ha` needs `lifecycle.deletionProtection` true; got false',
    ]);
  });

  it("reports each missing guarantee of a CNPG Cluster in its own terms", async () => {
    const weak = {
      ...mutateAll(cnpgCluster, { "spec.instances": 2, "spec.postgresql.synchronous": undefined, "spec.affinity.topologyKey": "kubernetes.io/hostname", "spec.plugins": [] }),
      protect: false,
    };
    assert.deepStrictEqual(await violationsOf(rule, weak), [
      'CNPG Cluster "orders": plan `prod_ha` needs `spec.instances` >= 3 (1 primary + 2 standbys); got 2',
      'CNPG Cluster "orders": plan `prod_ha` needs `spec.postgresql.synchronous` with `number` >= 1; got nothing (asynchronous replication)',
      'CNPG Cluster "orders": plan `prod_ha` needs `spec.affinity.topologyKey` `topology.kubernetes.io/zone` (or a `spec.topologySpreadConstraints` entry on that key); got "kubernetes.io/hostname"',
      'CNPG Cluster "orders": plan `prod_ha` needs a WAL archiver in `spec.plugins` (`isWALArchiver: true`); got nothing',
      'CNPG Cluster "orders": plan `prod_ha` needs the `protect` resource option; got false',
    ]);
  });

  it("asks for synchronous replication, as the catalogue's prod_ha replicates, unless the config allows none", async () => {
    const async = mutate(pgCluster, "replicationMode", "async");
    assert.deepStrictEqual(await violationsOf(rule, async), [
      'PgCluster "orders": plan `prod_ha` needs `replicationMode` `sync` with `syncStandbys` >= 1; got 0 (`replicationMode` "async")',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, async, { minSyncStandbys: 0 }), []);
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgCluster, "syncStandbys", 2), { minSyncStandbys: 2 }), []);
  });

  it("judges RDS shapes: an instance labelled prod_ha, an Aurora cluster in one zone", async () => {
    const instance = mutateAll(rdsInstance, { tags: labels("prod_ha"), multiAz: true, deletionProtection: false, instanceClass: "db.r7g.large" });
    assert.deepStrictEqual(await violationsOf(rule, instance), [
      'rds.Instance "billing": plan `prod_ha` needs `standbys` >= 2, more than an `rds.Instance` can have (`multiAz` gives it one; use an `rds.Cluster`); got 1 (`multiAz` true)',
      'rds.Instance "billing": plan `prod_ha` needs `deletionProtection` true; got false',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(auroraCluster, "availabilityZones", ["eu-west-1a"])), [
      'rds.Cluster "orders": plan `prod_ha` needs `availabilityZones` with 2 or more zones; got ["eu-west-1a"]',
    ]);
  });

  it("takes its thresholds from config", async () => {
    assert.deepStrictEqual(await violationsOf(rule, pgCluster, { minStandbys: 3 }), [
      "PgCluster \"orders\": plan `prod_ha` needs `standbys` >= 3; got nothing (plan `prod_ha`'s default, 2)",
    ]);
    assert.deepStrictEqual(await violationsOf(rule, rdsMultiAzCluster, { minStandbys: 3 }), [
      'rds.Cluster "orders": plan `prod_ha` needs `standbys` >= 3, more than an RDS Multi-AZ DB cluster has (use Aurora, `engine` `aurora-postgresql`); got `engine` `postgres` (an RDS Multi-AZ DB cluster: 1 writer and 2 readable standbys in 3 zones)',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgCluster, "multiAz", false), { requireMultiAz: false }), []);
  });

  it("judges a local Patroni cluster made by hand: standbys, sync standbys and protect (no zones on one machine)", async () => {
    assert.deepStrictEqual(await violationsOf(rule, localCluster), []);
    const weak = { ...mutateAll(localCluster, { standbys: 1, syncStandbys: 0 }), protect: false };
    assert.deepStrictEqual(await violationsOf(rule, weak), [
      'LocalCluster "orders-cluster": plan `prod_ha` needs `standbys` >= 2; got 1',
      'LocalCluster "orders-cluster": plan `prod_ha` needs `syncStandbys` >= 1; got 0',
      'LocalCluster "orders-cluster": plan `prod_ha` needs the `protect` resource option; got false',
    ]);
  });

  it("skips, with no violation, when standbys are unknown at preview", async () => {
    const r = await analyze(rule, mutate(pgCluster, "standbys", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: pgplatform-configure-production-backups", () => {
  const rule = configureProductionBackups;

  it("passes small and medium singles in production with the plan's backups, on the component and RDS", async () => {
    for (const r of [pgSingle, mutate(pgSingle, "plan", "medium_single"), rdsInstance]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses a production single without backups, or with too short a retention", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "backup", { enabled: false })), [
      'PgSingle "billing": plan `small_single` in production needs `backup.enabled` true; got false',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "backup", { retentionDays: 3 })), [
      'PgSingle "billing": plan `small_single` in production needs `backup.retentionDays` >= 7; got 3',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "backupRetentionPeriod", undefined)), [
      'rds.Instance "billing": plan `small_single` in production needs `backupRetentionPeriod` >= 1 (automated backups, which also give PITR); got nothing (the default, 0)',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "backupRetentionPeriod", 3)), [
      'rds.Instance "billing": plan `small_single` in production needs `backupRetentionPeriod` >= 7; got 3',
    ]);
  });

  it("takes minRetentionDays and the schedules from config", async () => {
    assert.deepStrictEqual(await violationsOf(rule, pgSingle, { minRetentionDays: 14 }), [
      "PgSingle \"billing\": plan `small_single` in production needs `backup.retentionDays` >= 14; got nothing (plan `small_single`'s default, 7)",
    ]);
    assert.deepStrictEqual(await violationsOf(rule, rdsInstance, { minRetentionDays: 14 }), [
      'rds.Instance "billing": plan `small_single` in production needs `backupRetentionPeriod` >= 14; got 7',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "plan", "medium_single"), { minRetentionDays: 14 }), []);
    assert.deepStrictEqual(await violationsOf(rule, pgSingle, { schedules: ["hourly"] }), [
      "PgSingle \"billing\": plan `small_single` in production needs `backup.schedule` one of `hourly`; got nothing (plan `small_single`'s default, \"daily\")",
    ]);
  });

  it("leaves staging, prod_ha and unlabelled instances alone", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(pgSingle, { environmentId: "staging", backup: { enabled: false } })), []);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(pgCluster, { backup: { enabled: false } })), []);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(rdsInstance, { tags: undefined, backupRetentionPeriod: 0 })), []);
  });

  it("skips, with no violation, when the retention is unknown at preview", async () => {
    const r = await analyze(rule, mutate(pgSingle, "backup", { retentionDays: UNKNOWN }));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});
