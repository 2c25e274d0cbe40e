/**
 * BackupPolicy and restores on the local back end under strict mocks: the exact children, their
 * inputs and parents (LocalBackupPolicy, LocalRestore of a policy or of a PgSingle's own in-place
 * restore, a clone's LocalServer), the lifecycle inputs of a paused or soft-deleted PgSingle, and
 * the exact refusals and bad-input messages.
 */
import assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicy, PgSingle } from "../../../../components";
import { checkLocalBackup } from "../../../../components/backends/local/backup/render";
import { RANDOM_PASSWORD_TYPE } from "../../../harness/engine";
import { Registration, StrictMocks, isSecretWrapped, setStrictMocks, settle, unwrapSecrets } from "../../../harness/mocks";
import { details } from "../../../harness/outputs";

const DYN = "pulumi-nodejs:dynamic/pgplatform:";
const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const SCRIPT = path.join(ROOT, "components", "backends", "local", "backup", "scheduler.js");
const ORDERS = "shop-dev-orders-7996cb6b";

function mocksFor(): StrictMocks {
  let n = 0;
  const echo = (a: any) => ({ id: `${a.name}-id`, state: a.inputs });
  return setStrictMocks(
    {
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [`${DYN}LocalServer`]: (a) => ({
        id: String(unwrapSecrets(a.inputs).resourceId),
        state: { ...a.inputs, host: "127.0.0.1", port: 54321, status: unwrapSecrets(a.inputs).paused ? "PENDING" : "RUNNING", running: true, serverVersion: "15.18", drift: [] },
      }),
      [`${DYN}ChangeGuard`]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } }),
      [`${DYN}LocalBackupPolicy`]: (a) => ({
        id: `${a.name}-id`,
        state: { ...a.inputs, nextSchedule: "2026-11-27T03:00:00.000Z", lastSuccessful: "", backups: [], status: "RUNNING" },
      }),
      [`${DYN}LocalRestore`]: echo,
    },
    { allowComponents: ["pgplatform:index:PgSingle", "pgplatform:index:BackupPolicy"], config: { "pgplatform:localDataRoot": "/srv/pg", "pgplatform:catalog": "off" } },
  );
}

const names = (regs: Registration[]) => regs.filter((r) => !r.type.endsWith("ChangeGuard")).map((r) => `${r.type} ${r.name}`);
const single = (name: string, more: Record<string, unknown> = {}) => new PgSingle(name, { projectId: "shop", environmentId: "dev", plan: "dev_single", version: "15", ...more });

describe("local BackupPolicy and restores (strict mocks)", () => {
  let mocks: StrictMocks;
  afterEach(() => mocks?.assertNoUnexpected());

  it("a BackupPolicy registers one LocalBackupPolicy, parented to it, with the resolved schedule, retention and repository", async () => {
    mocks = mocksFor();
    const db = single("orders");
    const policy = new BackupPolicy("orders-backups", { target: db, schedule: "daily", retentionDays: 14, pitr: true, incrementalType: "differential" });
    assert.strictEqual(await (await details(policy.nextSchedule)).value, "2026-11-27T03:00:00.000Z");
    await settle(mocks);
    assert.deepStrictEqual(names(mocks.registrations), [
      "pgplatform:index:PgSingle orders",
      `${RANDOM_PASSWORD_TYPE} orders-superuser-password`,
      `${RANDOM_PASSWORD_TYPE} orders-app-password`,
      `${DYN}LocalServer orders-server`,
      "pgplatform:index:BackupPolicy orders-backups",
      `${DYN}LocalBackupPolicy orders-backups-pgbackrest`,
    ]);
    const [child] = mocks.byType(`${DYN}LocalBackupPolicy`);
    assert.match(String(child.parent), /::pgplatform:index:BackupPolicy::orders-backups$/);
    const { __provider, ...inputs } = unwrapSecrets(child.inputs);
    assert.strictEqual(typeof __provider, "string");
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:backup-policy",
      policyName: "orders-backups",
      policyId: `${ORDERS}/orders-backups`,
      resourceId: ORDERS,
      dataRoot: "/srv/pg",
      runAs: "postgres",
      repoPath: `/srv/pg/pgplatform-backups/${ORDERS}`,
      port: 54321,
      superuser: "postgres",
      cron: "0 3 * * *",
      retentionDays: 14,
      pitr: true,
      fullBackupEvery: "day",
      incrementalType: "differential",
      schedulerScript: SCRIPT,
      backupNow: "",
      targetSoftDeleteDays: 0,
    });
    const [server] = mocks.byType(`${DYN}LocalServer`);
    assert.strictEqual(unwrapSecrets(server.inputs).archive, true, "every local single can be backed up without a restart");
    assert.deepStrictEqual((await details(policy.lastSuccessful)).value, undefined);
    assert.deepStrictEqual((await details(policy.backups)).value, []);
  });

  it("`location.path`, `backupNow` and `restoreInPlace` reach the children; the restore's passwords stay secret", async () => {
    mocks = mocksFor();
    const db = single("orders", { lifecycle: { deletionPolicy: "soft", softDeleteRetentionDays: 10 } });
    const policy = new BackupPolicy("orders-backups", {
      target: db,
      schedule: "*/30 * * * *",
      pitr: true,
      location: { path: "/backups/pg" },
      backupNow: "2026-11-26",
      restoreInPlace: { targetLsn: "0/3000060", confirm: true },
    });
    await details(policy.status);
    await settle(mocks);
    const p = unwrapSecrets(mocks.byType(`${DYN}LocalBackupPolicy`)[0].inputs);
    assert.deepStrictEqual(
      { repoPath: p.repoPath, backupNow: p.backupNow, cron: p.cron, fullBackupEvery: p.fullBackupEvery, soft: p.targetSoftDeleteDays },
      { repoPath: "/backups/pg", backupNow: "2026-11-26", cron: "*/30 * * * *", fullBackupEvery: "week", soft: 10 },
    );
    const [restore] = mocks.byType(`${DYN}LocalRestore`);
    assert.match(String(restore.parent), /::pgplatform:index:BackupPolicy::orders-backups$/);
    assert.strictEqual(restore.name, "orders-backups-restore-in-place");
    assert.ok(isSecretWrapped(restore.inputs.superuserPassword) && isSecretWrapped(restore.inputs.password), "the passwords are secrets");
    const { __provider, ...inputs } = unwrapSecrets(restore.inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:restore",
      policyName: "orders-backups",
      resourceId: ORDERS,
      version: "15",
      dataRoot: "/srv/pg",
      runAs: "postgres",
      repoPath: "/backups/pg",
      schedulerScript: SCRIPT,
      target: { type: "lsn", lsn: "0/3000060" },
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      username: "app",
      password: "pw2".padEnd(32, "x"),
      binarySearchPaths: [ROOT],
      confirm: true,
    });
  });

  it("a clone (`restore` from a BackupPolicy) gets a LocalServer restored from the policy's repository", async () => {
    mocks = mocksFor();
    const db = single("orders");
    const policy = new BackupPolicy("orders-backups", { target: db, pitr: true });
    const copy = single("copy", { databaseName: "copydb", restore: { from: policy, targetTime: "2026-01-02T03:04:05+01:00" } });
    await details(copy.metadata);
    await settle(mocks);
    const servers = mocks.byType(`${DYN}LocalServer`).map((r) => unwrapSecrets(r.inputs));
    assert.deepStrictEqual(servers.map((s) => [s.resourceId, s.restore]), [
      [ORDERS, undefined],
      [
        "shop-dev-copy-9605c303",
        {
          repoPath: `/srv/pg/pgplatform-backups/${ORDERS}`,
          stanza: ORDERS,
          target: { type: "time", time: "2026-01-02T02:04:05.000Z" },
          databaseName: "app",
          username: "app",
        },
      ],
    ]);
    assert.strictEqual(servers[1].databaseName, "copydb");
  });

  it("`restore.mode: \"in_place\"` on a PgSingle registers one LocalRestore, parented to it, without a repository (read at `up` from its BackupPolicy's configuration), and warns", async () => {
    mocks = mocksFor();
    const warned: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string) => {
      warned.push(msg);
      return Promise.resolve();
    };
    try {
      const db = single("orders", { plan: "small_single", restore: { mode: "in_place", targetTime: "2026-11-26T10:15:00+01:00", confirm: true } });
      await details(db.metadata);
      await settle(mocks);
    } finally {
      (pulumi.log as any).warn = original;
    }
    assert.deepStrictEqual(names(mocks.registrations), [
      "pgplatform:index:PgSingle orders",
      `${RANDOM_PASSWORD_TYPE} orders-superuser-password`,
      `${RANDOM_PASSWORD_TYPE} orders-app-password`,
      `${DYN}LocalServer orders-server`,
      `${DYN}LocalRestore orders-restore-in-place`,
    ]);
    const [restore] = mocks.byType(`${DYN}LocalRestore`);
    assert.match(String(restore.parent), /::pgplatform:index:PgSingle::orders$/);
    assert.ok(isSecretWrapped(restore.inputs.superuserPassword) && isSecretWrapped(restore.inputs.password), "the passwords are secrets");
    const { __provider, ...inputs } = unwrapSecrets(restore.inputs);
    assert.deepStrictEqual(inputs, {
      kind: "pgplatform:local:restore",
      resourceId: ORDERS,
      version: "15",
      dataRoot: "/srv/pg",
      runAs: "postgres",
      schedulerScript: SCRIPT,
      target: { type: "time", time: "2026-11-26T09:15:00.000Z" },
      superuser: "postgres",
      superuserPassword: "pw1".padEnd(32, "x"),
      username: "app",
      password: "pw2".padEnd(32, "x"),
      binarySearchPaths: [ROOT],
      confirm: true,
    });
    assert.strictEqual(unwrapSecrets(mocks.byType(`${DYN}LocalServer`)[0].inputs).restore, undefined, "the server itself is not re-created from a backup");
    assert.deepStrictEqual(warned, [
      `restore in place of \`${ORDERS}\` from its own backups (time 2026-11-26T09:15:00.000Z): a safety backup is taken first, then the current data is replaced; remove \`restore\` once it is done`,
      "plan `small_single` asks for daily backups with PITR, which the local back end does not take by itself: this server has no backups until a BackupPolicy targets it (set `backup.enabled: false` to silence this)",
    ]);
  });

  it("refuses `restoreInPlace` on a BackupPolicy whose PgSingle already asks `restore.mode: \"in_place\"`, naming both, before registering the policy", async () => {
    mocks = mocksFor();
    const db = single("orders", { plan: "small_single", restore: { mode: "in_place", confirm: true } });
    const before = mocks.registrations.length;
    assert.throws(() => new BackupPolicy("orders-backups", { target: db, restoreInPlace: { backupId: "20261126-101500F", confirm: true } }), {
      message:
        'BackupPolicy "orders-backups" asks for what the local back end cannot do:\n' +
        '  - `restoreInPlace`: PgSingle "orders" already asks for an in-place restore of its data (`restore.mode` `in_place`); ask it in one place: remove `restoreInPlace` here (or the PgSingle\'s `restore`)',
    });
    assert.strictEqual(mocks.registrations.length, before);
    // Either alone is fine: the policy next to the PgSingle's own restore, and the policy's restore on a PgSingle without one.
    new BackupPolicy("orders-backups", { target: db });
    new BackupPolicy("other-backups", { target: single("other", { plan: "small_single" }), restoreInPlace: { confirm: true } });
    await settle(mocks);
    assert.deepStrictEqual(
      mocks.byType(`${DYN}LocalRestore`).map((r) => r.name),
      ["orders-restore-in-place", "other-backups-restore-in-place"],
    );
  });

  it("refuses `restore.mode: \"in_place\"` on a PgSingle with `readReplicas` (the replicas cannot follow the restored timeline)", () => {
    mocks = mocksFor();
    assert.throws(() => single("orders", { plan: "small_single", readReplicas: 1, restore: { mode: "in_place", confirm: true } }), {
      message:
        'PgSingle "orders" asks for what the local back end cannot do yet:\n' +
        "  - `restore.mode` `in_place` with `readReplicas` 1: the restored server starts a new timeline behind its replicas, which cannot follow it; set `readReplicas: 0` first (one `up`), restore, then add them back",
    });
    assert.deepStrictEqual(mocks.registrations, []);
  });

  it("a paused, soft-deleting PgSingle passes its lifecycle to its LocalServer; status PENDING while paused", async () => {
    mocks = mocksFor();
    const db = single("orders", { lifecycle: { state: "paused", deletionPolicy: "soft", softDeleteRetentionDays: 12 } });
    assert.strictEqual((await details(db.status)).value, "PENDING");
    const s = unwrapSecrets(mocks.byType(`${DYN}LocalServer`)[0].inputs);
    assert.deepStrictEqual({ paused: s.paused, deletionPolicy: s.deletionPolicy, days: s.softDeleteRetentionDays }, { paused: true, deletionPolicy: "soft", days: 12 });
  });

  it("refuses a PostgreSQL major the installed pgBackRest cannot read, and a target of another back end, in one error", () => {
    const spec = { name: "b", location: {} } as any;
    const target = (kind: string, version: string, type: string) => ({ spec: { kind, version }, rendered: { handle: { type } } }) as any;
    assert.throws(() => checkLocalBackup(spec, target("pg_cluster", "17", "cnpg-cluster"), () => "2.45"), {
      message:
        'BackupPolicy "b" asks for what the local back end cannot do:\n' +
        "  - `target` is a pg_cluster of another back end: a local BackupPolicy backs up a local PgSingle or PgCluster\n" +
        '  - `target` runs PostgreSQL 17, and pgBackRest 2.45 on this machine reads PostgreSQL 15 at most: give the target `version: "15"`, or install pgBackRest 2.47 or newer',
    });
    assert.doesNotThrow(() => checkLocalBackup(spec, target("pg_single", "17", "local-single"), () => "2.54"));
    assert.doesNotThrow(() => checkLocalBackup(spec, target("pg_cluster", "15", "local-cluster"), () => "2.45"));
    assert.throws(() => checkLocalBackup(spec, target("pg_single", "15", "local-single"), () => undefined), {
      message: 'BackupPolicy "b" asks for what the local back end cannot do:\n  - pgBackRest is not installed on this machine (no `pgbackrest` on PATH); install it with `apt-get install pgbackrest`',
    });
  });

  it("rejects bad `restoreInPlace` and `backupNow` with one error naming every field, before registering a policy", () => {
    mocks = mocksFor();
    const db = single("orders");
    const before = mocks.registrations.length;
    assert.throws(
      () =>
        new BackupPolicy("b", {
          target: db,
          backupNow: "",
          restoreInPlace: { backupId: "x", targetTime: "yesterday", targetLsn: "nope", confirm: false },
        }),
      {
        message:
          'Invalid args for BackupPolicy "b": 6 problems:\n' +
          '  - `backupNow` must be at least 1 characters; got ""\n' +
          "  - `restoreInPlace.confirm` must be `true`: an in-place restore replaces the data of the target (a safety backup is taken first)\n" +
          "  - `restoreInPlace` takes at most one of `backupId`, `targetTime`, `targetLsn`; got `backupId` and `targetTime` and `targetLsn`\n" +
          '  - `restoreInPlace.targetTime` must be an ISO 8601 time with a zone, such as `2026-11-26T10:15:00Z`; got "yesterday"\n' +
          '  - `restoreInPlace.targetLsn` must be an LSN such as `0/3000060`; got "nope"\n' +
          "  - `restoreInPlace.targetTime` needs point-in-time recovery, and this BackupPolicy has `pitr` off (restore a `backupId` or the latest backup instead)",
      },
    );
    assert.throws(() => new BackupPolicy("c", { target: db, pitr: false, restoreInPlace: { targetLsn: "0/1", confirm: true } }), {
      message:
        'Invalid args for BackupPolicy "c": 1 problem:\n' +
        "  - `restoreInPlace.targetLsn` needs point-in-time recovery, and this BackupPolicy has `pitr` off (restore a `backupId` or the latest backup instead)",
    });
    assert.strictEqual(mocks.registrations.length, before);
  });
});
