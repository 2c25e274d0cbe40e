/**
 * `npm run validate:k8s` in process: every kubernetes example and every plan × component × option
 * renders, and every CRD object validates against the upstream schemas; a deliberately broken
 * object (and a misspelt field, and the in-tree `barmanObjectStore` shape gone wrong) is reported.
 */
import assert from "assert";
import { examplePrograms, renderAndValidate, validateObjects } from "../../../scripts/validate-k8s";
import { matrix } from "../../../scripts/k8s/matrix";
import { loadValidators } from "../../../scripts/k8s/schemas";

describe("validate:k8s (in process)", () => {
  it("renders the examples and the matrix with 0 invalid objects", async function () {
    this.timeout(300_000);
    const report = await renderAndValidate();
    assert.deepStrictEqual(report.invalid, []);
    assert.strictEqual(report.programs, examplePrograms().length + matrix().length);
    assert.ok(examplePrograms().length >= 4, "the four kubernetes examples");
    const kinds = new Set(report.objects.map((o) => `${o.object.apiVersion}:${o.object.kind}`));
    for (const kind of ["Cluster", "Pooler", "ScheduledBackup", "Backup", "Publication", "Subscription"]) assert.ok(kinds.has(`postgresql.cnpg.io/v1:${kind}`), kind);
    for (const kind of ["barmancloud.cnpg.io/v1:ObjectStore", "monitoring.coreos.com/v1:PodMonitor", "monitoring.coreos.com/v1:PrometheusRule"]) assert.ok(kinds.has(kind), kind);
    assert.ok(report.valid >= 300, `validated ${report.valid}`);
  });

  it("reports a broken object, naming the path and the rule", () => {
    const validators = loadValidators();
    const cluster = (spec: Record<string, unknown>) => ({ source: "test", name: "x", object: { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: "x" }, spec } });
    const report = validateObjects(
      [
        cluster({ instances: 3, storage: { size: "1Gi" } }),
        cluster({ instances: "three", storage: { sizee: "1Gi" } }),
        { source: "test", name: "p", object: { apiVersion: "postgresql.cnpg.io/v1", kind: "Pooler", metadata: { name: "p" }, spec: { cluster: { name: "x" }, pgbouncer: { poolMode: "statement" } } } },
        { source: "test", name: "s", object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } } },
      ],
      validators,
    );
    assert.strictEqual(report.valid, 1);
    assert.strictEqual(report.core, 1);
    assert.deepStrictEqual(
      report.invalid.map((i) => [i.kind, i.errors]),
      [
        ["postgresql.cnpg.io/v1/Cluster", ["/spec/instances must be integer", "/spec/storage must NOT have additional properties (`sizee`)"]],
        ["postgresql.cnpg.io/v1/Pooler", ['/spec/pgbouncer/poolMode must be equal to one of the allowed values (["session","transaction"])']],
      ],
    );
  });
});
