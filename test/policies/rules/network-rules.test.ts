/**
 * Exposure rules: no public access and no allowlist open to the whole internet outside dev, on
 * components, the local server, RDS, security groups and CNPG Clusters.
 */
import * as assert from "assert";
import { disallowOpenAllowlist } from "../../../policies/rules/pgplatform-disallow-open-allowlist";
import { disallowPublicAccess } from "../../../policies/rules/pgplatform-disallow-public-access";
import { UNKNOWN, analyze, violationsOf } from "./harness";
import {
  auroraInstance, cnpgCluster, ingressRule, labels, localServer, mutate, mutateAll, pgSingle, rdsInstance, rdsMultiAzCluster, securityGroup, securityGroupRule,
} from "./fixtures";

const PROD = '(`environmentId` "prod" is production)';
const PROD_TAG = '(tag `pgplatform.io/environment` "prod" is production)';
const NO_TAG = "(no `pgplatform.io/environment` tag, so judged as production)";

describe("policies: pgplatform-disallow-public-access", () => {
  const rule = disallowPublicAccess;
  const lb = { selectorType: "rw", serviceTemplate: { metadata: { name: "orders-lb" }, spec: { type: "LoadBalancer" } } };

  it("passes private databases, and public access in dev", async () => {
    const devPublic = mutateAll(pgSingle, { environmentId: "dev", plan: "dev_single", network: { publicAccess: true } });
    for (const r of [pgSingle, rdsInstance, rdsMultiAzCluster, auroraInstance, cnpgCluster, devPublic]) assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
  });

  it("refuses public access outside dev on the component and on primitives, labelled or not", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "network.publicAccess", true)), [
      `PgSingle "billing": public access (\`network.publicAccess\`) is only allowed in a \`dev\` environment ${PROD}; got true`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "publiclyAccessible", true)), [
      `rds.Instance "billing": public access (\`publiclyAccessible\`) is only allowed in a \`dev\` environment ${PROD_TAG}; got true`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(auroraInstance, { publiclyAccessible: true, tags: undefined })), [
      `rds.ClusterInstance "orders-1": public access (\`publiclyAccessible\`) is only allowed in a \`dev\` environment ${NO_TAG}; got true`,
    ]);
  });

  it("refuses a public LoadBalancer Service of a CNPG Cluster, not an internal one", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.managed", { services: { additional: [lb] } })), [
      `CNPG Cluster "orders": public access (\`spec.managed.services.additional[0].serviceTemplate.spec.type\`) is only allowed in a \`dev\` environment (label \`pgplatform.io/environment\` "prod" is production); got "LoadBalancer"`,
    ]);
    const annotations = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" };
    const internal = { ...lb, serviceTemplate: { ...lb.serviceTemplate, metadata: { name: "orders-lb", annotations } } };
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.managed", { services: { additional: [internal] } })), []);
  });

  it("takes the allowed tiers from config", async () => {
    const staging = mutateAll(rdsInstance, { publiclyAccessible: true, tags: labels("small_single", "staging") });
    assert.deepStrictEqual(await violationsOf(rule, staging, { allowedTiers: ["dev", "staging"] }), []);
    assert.deepStrictEqual(await violationsOf(rule, mutate(rdsInstance, "publiclyAccessible", true), { allowedTiers: [] }), [
      `rds.Instance "billing": public access (\`publiclyAccessible\`) is only allowed in no environment ${PROD_TAG}; got true`,
    ]);
  });

  it("skips, with no violation, when public access is unknown at preview", async () => {
    const r = await analyze(rule, mutate(rdsInstance, "publiclyAccessible", UNKNOWN));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});

describe("policies: pgplatform-disallow-open-allowlist", () => {
  const rule = disallowOpenAllowlist;
  const world = (field: string, where: string, got: string, port = " on port 5432") => `${field} admits the whole internet${port}, which only a \`dev\` environment may do ${where}; got ${got}`;

  it("passes private allowlists, the world on other ports, and the world in dev", async () => {
    const devOpen = mutateAll(pgSingle, { environmentId: "dev", plan: "dev_single", network: { allowedCidrs: ["0.0.0.0/0", "::/0"] } });
    for (const r of [pgSingle, mutate(pgSingle, "network", undefined), localServer, securityGroup, ingressRule, securityGroupRule, cnpgCluster, devOpen]) {
      assert.deepStrictEqual(await violationsOf(rule, r), [], r.name);
    }
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(securityGroupRule, { type: "egress", cidrBlocks: ["0.0.0.0/0"] })), []);
  });

  it("refuses the whole internet on the component and on the local server", async () => {
    assert.deepStrictEqual(await violationsOf(rule, mutate(pgSingle, "network.allowedCidrs", ["10.0.0.0/16", "0.0.0.0/0"])), [
      `PgSingle "billing": ${world("`network.allowedCidrs[1]`", PROD, '"0.0.0.0/0"', "")}`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(localServer, { allowedCidrs: ["::/0"], labels: labels("small_single", "staging") })), [
      `LocalServer "billing-server": ${world("`allowedCidrs[0]`", '(label `pgplatform.io/environment` "staging" is staging)', '"::/0"', "")}`,
    ]);
  });

  it("refuses security group ingress that opens the database port to the world", async () => {
    const allTraffic = mutate(securityGroup, "ingress", [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]);
    assert.deepStrictEqual(await violationsOf(rule, allTraffic), [`ec2.SecurityGroup "billing-sg": ${world("`ingress[0].cidrBlocks[0]`", PROD_TAG, '"0.0.0.0/0"')}`]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(ingressRule, { cidrIpv4: undefined, cidrIpv6: "::/0" })), [
      `vpc.SecurityGroupIngressRule "billing-pg": ${world("`cidrIpv6`", PROD_TAG, '"::/0"')}`,
    ]);
    assert.deepStrictEqual(await violationsOf(rule, mutateAll(securityGroupRule, { fromPort: 5000, toPort: 6000, cidrBlocks: ["0.0.0.0/0"] })), [
      `ec2.SecurityGroupRule "billing-pg-rule": ${world("`cidrBlocks[0]`", NO_TAG, '"0.0.0.0/0"')}`,
    ]);
  });

  it("refuses pg_hba lines of a CNPG Cluster that admit any address, but not reject lines", async () => {
    const hba = ["host all all 0.0.0.0/0 scram-sha-256", "hostssl all all all scram-sha-256", "host all all 0.0.0.0 0.0.0.0 md5", "host all all 0.0.0.0/0 reject"];
    const where = '(label `pgplatform.io/environment` "prod" is production)';
    assert.deepStrictEqual(await violationsOf(rule, mutate(cnpgCluster, "spec.postgresql.pg_hba", hba)), [
      `CNPG Cluster "orders": ${world("`spec.postgresql.pg_hba[0]`", where, JSON.stringify(hba[0]), "")}`,
      `CNPG Cluster "orders": ${world("`spec.postgresql.pg_hba[1]`", where, JSON.stringify(hba[1]), "")}`,
      `CNPG Cluster "orders": ${world("`spec.postgresql.pg_hba[2]`", where, JSON.stringify(hba[2]), "")}`,
    ]);
  });

  it("judges security groups on the configured ports", async () => {
    const open5432 = mutate(ingressRule, "cidrIpv4", "0.0.0.0/0");
    assert.deepStrictEqual(await violationsOf(rule, open5432, { ports: [6432] }), []);
    const pooler = mutateAll(ingressRule, { cidrIpv4: "0.0.0.0/0", fromPort: 6432, toPort: 6432 });
    assert.deepStrictEqual(await violationsOf(rule, pooler, { ports: [5432, 6432] }), [
      `vpc.SecurityGroupIngressRule "billing-pg": ${world("`cidrIpv4`", PROD_TAG, '"0.0.0.0/0"', " on port 6432")}`,
    ]);
  });

  it("skips, with no violation, when a CIDR is unknown at preview", async () => {
    const r = await analyze(rule, mutate(securityGroup, "ingress", [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: [UNKNOWN] }]));
    assert.deepStrictEqual([r.violations, r.skipped], [[], [rule.name]]);
  });
});
