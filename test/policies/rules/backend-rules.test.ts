/**
 * Back-end rules: encryption at rest and forced TLS on AWS, the backup plugin and resource
 * requests of CNPG Clusters.
 */
import * as assert from "assert";
import { enableForceSsl } from "../../../policies/rules/aws-enable-force-ssl";
import { enableStorageEncryption } from "../../../policies/rules/aws-enable-storage-encryption";
import { configureBackupPlugin } from "../../../policies/rules/kubernetes-configure-backup-plugin";
import { configureResourceRequests } from "../../../policies/rules/kubernetes-configure-resource-requests";
import { UNKNOWN, analyze, violationsOf } from "./harness";
import { auroraCluster, cnpgCluster, labels, mutate, mutateAll, parameterGroup, pgSingle, rdsInstance, rdsMultiAzCluster } from "./fixtures";

const PROD_LABEL = '(label `pgplatform.io/environment` "prod" is production)';

describe("policies: aws-enable-storage-encryption", () => {
  const rule = enableStorageEncryption;
  const replica = mutateAll(rdsInstance, { engine: undefined, storageEncrypted: undefined, replicateSourceDb: UNKNOWN });

  it("passes encrypted instances and clusters, replicas (their source is judged) and other engines", async () => {
    const mysql = mutateAll(rdsInstance, { engine: "mysql", storageEncrypted: false });
    for (const r of [rdsInstance, rdsMultiAzCluster, auroraCluster, replica, mysql, pgSingle]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses unencrypted storage, labelled or not", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "storageEncrypted", undefined)), [
      'rds.Instance "billing": `storageEncrypted` must be true (storage encrypted at rest); got nothing (the default, false)',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(auroraCluster, { storageEncrypted: false, tags: undefined })), [
      'rds.Cluster "orders": `storageEncrypted` must be true (storage encrypted at rest); got false',
    ]);
  });

  it("asks for a customer-managed key when the config says so", async () => {
    assert.deepStrictEqual(await violationsOf(rule, rdsInstance, { requireCustomerManagedKey: true }), [
      'rds.Instance "billing": `kmsKeyId` must name a customer-managed KMS key (config `requireCustomerManagedKey`); got nothing',
    ]);
    const withKey = mutate(rdsInstance, "kmsKeyId", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    assert.deepStrictEqual(await violationsOf(rule, withKey, { requireCustomerManagedKey: true }), []);
  });

  it("skips, with no violation, when encryption is unknown at preview", async () => {
    const r = await analyze(rule, mutate(rdsInstance, "storageEncrypted", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: aws-enable-force-ssl", () => {
  const rule = enableForceSsl;
  const params = (list: unknown[]) => mutate(parameterGroup, "parameters", list);

  it("passes a PostgreSQL parameter group that forces TLS 1.2+, and ignores other engines", async () => {
    const aurora = mutateAll(parameterGroup, { family: "aurora-postgresql17" });
    const clusterGroup = { ...aurora, type: "aws:rds/clusterParameterGroup:ClusterParameterGroup" };
    const mysql = mutateAll(parameterGroup, { family: "mysql8.0", parameters: [] });
    for (const r of [parameterGroup, clusterGroup, mysql]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses rds.force_ssl other than 1, or left out", async () => {
    assert.deepStrictEqual(await violationsOf(rule, params([{ name: "rds.force_ssl", value: "0" }])), [
      'rds.ParameterGroup "billing-params": `rds.force_ssl` must be 1 in `parameters` (connections without TLS are refused); got "0"',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, { ...params([]), type: "aws:rds/clusterParameterGroup:ClusterParameterGroup" }), [
      'rds.ClusterParameterGroup "billing-params": `rds.force_ssl` must be 1 in `parameters` (connections without TLS are refused); got nothing',
    ]);
  });

  it("holds ssl_min_protocol_version to the configured minimum", async () => {
    const old = params([{ name: "rds.force_ssl", value: "1" }, { name: "ssl_min_protocol_version", value: "TLSv1.1" }]);
    assert.deepStrictEqual(await violationsOf(rule, old), [
      'rds.ParameterGroup "billing-params": `parameters[1].value` (`ssl_min_protocol_version`) must be one of `TLSv1.2`, `TLSv1.3`; got "TLSv1.1"',
    ]);
    assert.deepStrictEqual(await violationsOf(rule, parameterGroup, { minSslProtocolVersion: "TLSv1.3" }), [
      'rds.ParameterGroup "billing-params": `parameters[2].value` (`ssl_min_protocol_version`) must be one of `TLSv1.3`; got "TLSv1.2"',
    ]);
  });

  it("skips, with no violation, when the parameters are unknown at preview", async () => {
    const r = await analyze(rule, params([{ name: "rds.force_ssl", value: UNKNOWN }]));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: kubernetes-configure-backup-plugin", () => {
  const rule = configureBackupPlugin;
  const bare = mutate(cnpgCluster, "spec.plugins", undefined);
  const wants = "needs `spec.plugins` to have `barman-cloud.cloudnative-pg.io` with `isWALArchiver: true`";

  it("passes a production cluster archiving with the plugin, and a staging one without", async () => {
    for (const r of [cnpgCluster, mutate(bare, "metadata.labels", labels("prod_ha", "staging"))]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses a production cluster without the plugin as WAL archiver, labelled or not", async () => {
    assert.deepStrictEqual(await violationsOf(rule, bare), [`CNPG Cluster "orders": a production cluster ${PROD_LABEL} ${wants}; got nothing`]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.plugins.0.isWALArchiver", false)), [
      `CNPG Cluster "orders": a production cluster ${PROD_LABEL} ${wants}; got [{"name":"barman-cloud.cloudnative-pg.io","isWALArchiver":false}]`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(bare, "metadata.labels", undefined)), [
      `CNPG Cluster "orders": a production cluster (no \`pgplatform.io/environment\` label, so judged as production) ${wants}; got nothing`,
    ]);
  });

  it("refuses the deprecated barmanObjectStore in every tier", async () => {
    const legacy = mutateAll(bare, { "spec.backup": { barmanObjectStore: { destinationPath: "s3://backups/orders" } }, "metadata.labels": labels("dev_single", "dev") });
    assert.deepStrictEqual(await violationsOf(rule, legacy), [
      'CNPG Cluster "orders": `spec.backup.barmanObjectStore` is deprecated and removed in CloudNativePG 1.31; archive with the `barman-cloud.cloudnative-pg.io` plugin in `spec.plugins` instead; got {"destinationPath":"s3://backups/orders"}',
    ]);
  });

  it("takes the tiers from config", async () => {
    const staging = mutate(bare, "metadata.labels", labels("prod_ha", "staging"));
    assert.deepStrictEqual(await violationsOf(rule, staging, { tiers: ["staging", "production"] }), [
      `CNPG Cluster "orders": a staging cluster (label \`pgplatform.io/environment\` "staging" is staging) ${wants}; got nothing`,
    ]);
  });

  it("skips, with no violation, when the plugins are unknown at preview", async () => {
    const r = await analyze(rule, mutate(cnpgCluster, "spec.plugins", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: kubernetes-configure-resource-requests", () => {
  const rule = configureResourceRequests;
  const bare = mutate(cnpgCluster, "spec.resources", undefined);

  it("passes a production cluster with requests, and a staging one without", async () => {
    for (const r of [cnpgCluster, mutate(bare, "metadata.labels", labels("prod_ha", "staging")), pgSingle]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses a production cluster without cpu and memory requests", async () => {
    assert.deepStrictEqual(await violationsOf(rule, bare), [
      `CNPG Cluster "orders": a production cluster ${PROD_LABEL} needs \`spec.resources.requests.cpu\` set; got nothing`,
      `CNPG Cluster "orders": a production cluster ${PROD_LABEL} needs \`spec.resources.requests.memory\` set; got nothing`,
    ]);
  });

  it("asks for limits too when the config says so", async () => {
    const noLimits = mutate(cnpgCluster, "spec.resources.limits", undefined);
    assert.deepStrictEqual(await violationsOf(rule, noLimits), []);
    assert.deepStrictEqual(await violationsOf(rule, noLimits, { requireLimits: true }), [
      `CNPG Cluster "orders": a production cluster ${PROD_LABEL} needs \`spec.resources.limits.cpu\` set; got nothing`,
      `CNPG Cluster "orders": a production cluster ${PROD_LABEL} needs \`spec.resources.limits.memory\` set; got nothing`,
    ]);
  });

  it("skips, with no violation, when a request is unknown at preview", async () => {
    const r = await analyze(rule, mutate(cnpgCluster, "spec.resources.requests.memory", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});
