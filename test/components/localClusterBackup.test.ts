/**
 * BackupPolicy on a local PgCluster and a clone PgCluster restored from it, under strict mocks: the
 * exact children, the LocalBackupPolicy's inputs (every member from the cluster's layout, no single
 * port), the clone LocalCluster's `restore` input and its dependency on the policy, and the exact
 * refusals of an in-place restore of a cluster.
 */
import assert from "assert";
import { BackupPolicy, PgCluster } from "../../components";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
import { StrictMocks, setStrictMocks, settle, unwrapSecrets } from "../harness/mocks";
import { details } from "../harness/outputs";

const DYN = "pulumi-nodejs:dynamic/pgplatform:";
const ORDERS = "shop-prod-orders-d6e77052";
const LAYOUT = { ports: { etcdClient: 7002, etcdPeer: 7003, write: 7000, read: 7001 }, members: [{ name: "node0", pgPort: 7100, restPort: 7200 }, { name: "node1", pgPort: 7101, restPort: 7201 }] };

function mocksFor(): StrictMocks {
  let n = 0;
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [`${DYN}LocalCluster`]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: { ...a.inputs, host: "127.0.0.1", writePort: 7000, readPort: 7001, etcdPort: 7002, layout: LAYOUT, primary: "node0", members: [], history: [], status: "RUNNING", running: true, drift: [] },
      }),
      [`${DYN}ChangeGuard`]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
      [`${DYN}LocalBackupPolicy`]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, nextSchedule: "2026-11-27T03:00:00.000Z", lastSuccessful: "", backups: [], status: "RUNNING" } }),
    },
    { allowComponents: ["pgplatform:index:PgCluster", "pgplatform:index:BackupPolicy"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

const ARGS = { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: 15 } as const;

describe("BackupPolicy and restore of a local PgCluster (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("a BackupPolicy on a PgCluster registers one LocalBackupPolicy listing every member of the cluster's layout", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS });
    const policy = new BackupPolicy("orders-backups", { target: db, schedule: "daily", retentionDays: 14, pitr: true });
    assert.strictEqual((await details(policy.nextSchedule)).value, "2026-11-27T03:00:00.000Z");
    await settle(mocks);
    assert.deepStrictEqual(
      mocks.registrations.filter((r) => r.type.includes("BackupPolicy")).map((r) => `${r.type} ${r.name} <- ${String(r.parent).split("::").pop()}`),
      ["pgplatform:index:BackupPolicy orders-backups <- undefined", `${DYN}LocalBackupPolicy orders-backups-pgbackrest <- orders-backups`],
    );
    const { __provider, ...inputs } = unwrapSecrets(mocks.byType(`${DYN}LocalBackupPolicy`)[0].inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:backup-policy",
      policyName: "orders-backups",
      policyId: `${ORDERS}/orders-backups`,
      resourceId: ORDERS,
      dataRoot: "/srv/pg",
      runAs: "postgres",
      repoPath: `/srv/pg/pgplatform-backups/${ORDERS}`,
      port: 0,
      members: [
        { dataDir: `/srv/pg/${ORDERS}/members/node0/data`, port: 7100 },
        { dataDir: `/srv/pg/${ORDERS}/members/node1/data`, port: 7101 },
      ],
      superuser: "postgres",
      cron: "0 3 * * *",
      retentionDays: 14,
      pitr: true,
      fullBackupEvery: "day",
      incrementalType: "incremental",
      schedulerScript: inputs.schedulerScript,
      backupNow: "",
      targetSoftDeleteDays: 7,
    });
    assert.match(inputs.schedulerScript, /components\/backends\/local\/backup\/scheduler\.js$/);
  });

  it("a clone PgCluster gets a LocalCluster restored from the policy's repository", async () => {
    mocks = mocksFor();
    const db = new PgCluster("orders", { ...ARGS });
    const policy = new BackupPolicy("orders-backups", { target: db, pitr: true });
    const copy = new PgCluster("copy", { ...ARGS, databaseName: "copydb", restore: { from: policy, targetLsn: "0/3000060" } });
    await details(copy.metadata);
    await settle(mocks);
    const clusters = mocks.byType(`${DYN}LocalCluster`);
    const inputs = clusters.map((r) => unwrapSecrets(r.inputs));
    assert.deepStrictEqual(inputs.map((c) => [c.resourceId, c.restore, c.backupAccess]), [
      [ORDERS, undefined, true],
      [
        "shop-prod-copy-2d881cdd",
        { repoPath: `/srv/pg/pgplatform-backups/${ORDERS}`, stanza: ORDERS, target: { type: "lsn", lsn: "0/3000060" }, databaseName: "app", username: "app" },
        true,
      ],
    ]);
    assert.strictEqual(inputs[1].databaseName, "copydb");
    assert.ok(inputs[1].archiveCommand.includes("'--config=/srv/pg/shop-prod-copy-2d881cdd/backup/pgbackrest.conf'"), "the clone archives through its own configuration");
  });

  it("refuses an in-place restore of a PgCluster, pointing to a clone, before registering anything", () => {
    mocks = mocksFor();
    assert.throws(() => new PgCluster("orders", { ...ARGS, restore: { mode: "in_place", confirm: true } } as any), {
      message:
        'PgCluster "orders" asks for what the local back end cannot do yet:\n' +
        "  - `restore.mode` `in_place`: an in-place restore of a local PgCluster is not available (every member would be stopped, one restored and the others re-cloned, " +
        "and Patroni's state in etcd (leader, timeline history) reset); restore a clone instead (`restore: { mode: \"clone\", from: <BackupPolicy>, ... }`) and move the application to it",
    });
    assert.deepStrictEqual(mocks.registrations, []);
  });
});
