import { cnpgClusterSubject } from "../policies/rules/subjects/cnpg";
import { rdsInstanceSubject } from "../policies/rules/subjects/aws";
import { packRequire } from "../test/policies/quotas/harness";
import { now } from "./figure";
const { unknownCheckingProxy } = packRequire("@pulumi/policy/proxy");
const props = { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: "x", namespace: "p", labels: { a: "b" } }, spec: { instances: 3, imageName: "ghcr.io/cloudnative-pg/postgresql:17.6", storage: { size: "200Gi" }, plugins: [] } };
const rprops = { engine: "postgres", engineVersion: "17", tags: { a: "b" } };
for (let k = 0; k < 5; k++) {
  const N = 100000;
  let t = now(); let x = 0;
  for (let i = 0; i < N; i++) { const p = unknownCheckingProxy(props); if (cnpgClusterSubject("kubernetes:postgresql.cnpg.io/v1:Cluster", "n", p, true)) x++; }
  const a = (now() - t) / N * 1e6;
  t = now();
  for (let i = 0; i < N; i++) { const p = unknownCheckingProxy(props); void p.spec?.replica?.enabled; }
  const b = (now() - t) / N * 1e6;
  t = now();
  for (let i = 0; i < N; i++) { const p = unknownCheckingProxy(rprops); if (rdsInstanceSubject("aws:rds/instance:Instance", "n", p)) x++; }
  const c = (now() - t) / N * 1e6;
  console.log(`cnpg ${a.toFixed(2)} us, proxy reads ${b.toFixed(2)} us, rds ${c.toFixed(2)} us`, x);
}
