/**
 * The CRDs `npm run validate:k8s` judges against are the repository's `crds/`, copies of the
 * project's ../shared/crds (so CI needs nothing outside the checkout). They must stay identical to
 * the shared ones when those are present, and be complete: every kind the back end emits has its CRD.
 */
import assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CRD_ROOT, SHARED_CRD_ROOT } from "../../../scripts/k8s/schemas";

/** Every file under `root`, relative path to sha256. */
function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(root, full)] = crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex");
    }
  };
  walk(root);
  return out;
}

describe("the CRDs validate:k8s reads", () => {
  it("are in the repository, with every CRD the back end's kinds need and each folder's SOURCE.txt", () => {
    const files = Object.keys(digests(CRD_ROOT)).sort();
    for (const f of [
      "cnpg-1.30.0/SOURCE.txt",
      "cnpg-1.30.0/postgresql.cnpg.io_clusters.yaml",
      "cnpg-1.30.0/postgresql.cnpg.io_poolers.yaml",
      "cnpg-1.30.0/postgresql.cnpg.io_scheduledbackups.yaml",
      "cnpg-1.30.0/postgresql.cnpg.io_backups.yaml",
      "cnpg-1.30.0/postgresql.cnpg.io_publications.yaml",
      "cnpg-1.30.0/postgresql.cnpg.io_subscriptions.yaml",
      "cnpg-1.30.0/plugin-barman-cloud-0.14.0/barmancloud.cnpg.io_objectstores.yaml",
      "prometheus-operator-0.93.0/SOURCE.txt",
      "prometheus-operator-0.93.0/monitoring.coreos.com_podmonitors.yaml",
      "prometheus-operator-0.93.0/monitoring.coreos.com_prometheusrules.yaml",
    ]) {
      assert.ok(files.includes(f), `${f} is in ${CRD_ROOT}`);
    }
  });

  it("are byte-identical to the project's shared copies when those sit beside the checkout", function () {
    if (process.env.PGPLATFORM_CRDS || !fs.existsSync(SHARED_CRD_ROOT)) this.skip();
    assert.deepStrictEqual(digests(CRD_ROOT), digests(SHARED_CRD_ROOT));
  });
});
