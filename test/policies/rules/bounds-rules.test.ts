/**
 * Rules that hold a db_resource to the catalogue's bounds: supported versions, the plan's storage
 * bounds and the plan's compute (advisory).
 */
import * as assert from "assert";
import { configurePlanCompute } from "../../../policies/rules/pgplatform-configure-plan-compute";
import { configurePlanStorageBounds } from "../../../policies/rules/pgplatform-configure-plan-storage-bounds";
import { enableSupportedVersion } from "../../../policies/rules/pgplatform-enable-supported-version";
import { UNKNOWN, analyze, violationsOf } from "./harness";
import { auroraCluster, auroraInstance, cnpgCluster, localServer, mutate, mutateAll, pgCluster, pgSingle, rdsInstance, rdsMultiAzCluster } from "./fixtures";

const MAJORS = "one of `15`, `16`, `17`, `18`";

describe("policies: pgplatform-enable-supported-version", () => {
  const rule = enableSupportedVersion;

  it("passes supported majors however each resource writes them, and the plan's default", async () => {
    for (const r of [pgSingle, pgCluster, mutate(pgSingle, "version", undefined), localServer, rdsInstance, auroraInstance, cnpgCluster]) {
      assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
    }
  });

  it("refuses a retired major on the component and on primitives, labelled or not", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "version", "14")), [
      `PgSingle "billing": \`version\` must be a supported major, ${MAJORS} (PostgreSQL 14 reached end of life on 2026-11-12); got "14"`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(rdsInstance, { engineVersion: "13.12", tags: undefined })), [
      `rds.Instance "billing": \`engineVersion\` must be a supported major, ${MAJORS} (PostgreSQL 13 reached end of life on 2025-11-13); got "13.12"`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.imageName", "ghcr.io/cloudnative-pg/postgresql:14.10-standard-bookworm")), [
      `CNPG Cluster "orders": \`spec.imageName\` must be a supported major, ${MAJORS} (PostgreSQL 14 reached end of life on 2026-11-12); got "ghcr.io/cloudnative-pg/postgresql:14.10-standard-bookworm"`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.imageCatalogRef", { kind: "ClusterImageCatalog", name: "pg", major: 19 })), [
      `CNPG Cluster "orders": \`spec.imageCatalogRef.major\` must be a supported major, ${MAJORS}; got 19`,
    ]);
  });

  it("reads the major of an Aurora Limitless engine version (`16.9-limitless`), and refuses a retired one written so", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(auroraCluster, { engineVersion: "16.9-limitless", clusterScalabilityType: "limitless" })), []);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(auroraCluster, { engineVersion: "14.9-limitless", clusterScalabilityType: "limitless" })), [
      `rds.Cluster "orders": \`engineVersion\` must be a supported major, ${MAJORS} (PostgreSQL 14 reached end of life on 2026-11-12); got "14.9-limitless"`,
    ]);
  });

  it("narrows the majors to the config's", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "version", 16), { versions: ["17", "18"] }), [
      'PgSingle "billing": `version` must be a supported major, one of `17`, `18`; got 16',
    ]);
  });

  it("skips, with no violation, when the version is unknown at preview", async () => {
    const r = await analyze(rule, mutate(rdsInstance, "engineVersion", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: pgplatform-configure-plan-storage-bounds", () => {
  const rule = configurePlanStorageBounds;

  it("passes storage within the plan's bounds", async () => {
    for (const r of [pgSingle, mutate(pgSingle, "storage", { sizeGb: 400 }), localServer, rdsInstance, rdsMultiAzCluster, cnpgCluster]) {
      assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
    }
  });

  it("refuses storage outside the plan's bounds, in each resource's unit", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "storage", { sizeGb: 600 })), [
      'PgSingle "billing": `storage.sizeGb` must be between 20 and 500 GiB for plan `small_single`; got 600',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(localServer, "storageGb", 10)), [
      'LocalServer "billing-server": `storageGb` must be between 20 and 500 GiB for plan `small_single`; got 10',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "allocatedStorage", 10)), [
      'rds.Instance "billing": `allocatedStorage` must be between 20 and 500 GiB for plan `small_single`; got 10',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.storage.size", "5Ti")), [
      'CNPG Cluster "orders": `spec.storage.size` must be between 100 and 4000 GiB for plan `prod_ha`; got "5Ti" (5120 GiB)',
    ]);
  });

  it("holds the autoscaling ceiling to the plan's maximum unless the config says not to", async () => {
    const high = mutate(rdsInstance, "maxAllocatedStorage", 1000);
    assert.deepStrictEqual(await violationsOf(rule, high), [
      'rds.Instance "billing": `maxAllocatedStorage` must be 0 (off) or at most 500 GiB for plan `small_single`; got 1000',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, high, { checkAutoscaleCeiling: false }), []);
  });

  it("skips, with no violation, when the size is unknown at preview", async () => {
    const r = await analyze(rule, mutate(rdsInstance, "allocatedStorage", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: pgplatform-configure-plan-compute", () => {
  const rule = configurePlanCompute;

  it("passes the plan's compute, whatever unit a quantity is written in", async () => {
    const sameInOtherUnits = mutate(cnpgCluster, "spec.resources.requests", { cpu: "2000m", memory: "8192Mi" });
    for (const r of [pgSingle, pgCluster, rdsInstance, rdsMultiAzCluster, auroraInstance, cnpgCluster, sameInOtherUnits]) {
      assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
    }
  });

  it("advises against compute other than the plan's, on the component and on primitives", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "compute", { aws: { instanceClass: "db.r7g.4xlarge" }, kubernetes: { cpu: "4", memory: "16Gi" } })), [
      "PgSingle \"billing\": `compute.aws.instanceClass` should be plan `small_single`'s `db.t4g.small`; got \"db.r7g.4xlarge\"",
      "PgSingle \"billing\": `compute.kubernetes.cpu` should be plan `small_single`'s `500m`; got \"4\"",
      "PgSingle \"billing\": `compute.kubernetes.memory` should be plan `small_single`'s `1Gi`; got \"16Gi\"",
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.resources.requests.cpu", "4")), [
      "CNPG Cluster \"orders\": `spec.resources.requests.cpu` should be plan `prod_ha`'s `2`; got \"4\"",
    ]);
    const r = await analyze(rule, mutate(auroraInstance, "instanceClass", "db.serverless"));
    assert.deepStrictEqual(
      r.diagnostics.map((d) => [d.enforcementLevel, d.violation]),
      [["advisory", "rds.ClusterInstance \"orders-1\": `instanceClass` should be plan `prod_ha`'s `db.r7g.large`; got \"db.serverless\""]],
    );
  });

  it("accepts the classes and quantities the config allows", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(auroraInstance, "instanceClass", "db.serverless"), { allowedInstanceClasses: ["db.serverless"] }), []);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "instanceClass", "db.r7g.4xlarge"), { allowedInstanceClasses: ["db.t4g.medium"] }), [
      "rds.Instance \"billing\": `instanceClass` should be plan `small_single`'s `db.t4g.small` or one the config allows (`db.t4g.medium`); got \"db.r7g.4xlarge\"",
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.resources.requests.cpu", "4000m"), { allowedCpu: ["4"] }), []);
  });

  it("skips, with no violation, when the class is unknown at preview", async () => {
    const r = await analyze(rule, mutate(rdsInstance, "instanceClass", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});
