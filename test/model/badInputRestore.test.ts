/**
 * Bad `restore` inputs on PgSingle and PgCluster, each with the exact message a user reads, and
 * how a valid `restore` resolves.
 */
import assert from "assert";
import { ParseContext, parsePgClusterArgs, parsePgSingleArgs, resourceIdOf } from "../../components/model";
import { RestoreSourceRef } from "../../components/model";
import { BadInput, itRejects } from "./table";

const base = { projectId: "shop", environmentId: "dev", plan: "small_single", version: "17" };
const self = resourceIdOf("pg_single", "shop", "dev", "orders");
const other = resourceIdOf("pg_single", "shop", "dev", "billing");
const policy = (over: Partial<RestoreSourceRef["target"]> = {}, pitr = true): RestoreSourceRef => ({
  policyName: "billing-backups",
  target: { kind: "pg_single", plan: "small_single", backend: "local", resourceId: other, version: "17", ...over },
  pitr,
});
const from = {};
const head = 'Invalid args for PgSingle "orders": ';

const rows: BadInput<ParseContext>[] = [
  {
    what: "a clone without `from`",
    args: { ...base, restore: { mode: "clone" } },
    message: [`${head}1 problem:`, '  - `restore.from` is required for `mode: "clone"`: the BackupPolicy whose backups to restore (an in-place restore reads this db_resource\'s own backups)'],
  },
  {
    what: "an in-place restore from its own backups when backups are off (kubernetes, aws: the db_resource's own backups)",
    args: { ...base, backend: "kubernetes", backup: { enabled: false }, restore: { mode: "in_place", confirm: true } },
    message: [`${head}1 problem:`, "  - `restore.mode` `in_place` restores this db_resource from its own backups, and its `backup.enabled` is false (turn backups on first, or restore a clone from a BackupPolicy)"],
  },
  {
    what: "an in-place restore to a time from its own backups without PITR (kubernetes, aws)",
    args: { ...base, backend: "aws", backup: { pitr: false }, restore: { mode: "in_place", confirm: true, targetTime: "2026-11-26T10:00:00Z" } },
    message: [`${head}1 problem:`, "  - `restore.targetTime` needs point-in-time recovery, and this db_resource has `backup.pitr` off (restore a `backupId` or the latest backup instead)"],
  },
  {
    what: "a `from` that is not a BackupPolicy",
    args: { ...base, restore: { from: "billing-backups" } },
    message: [`${head}1 problem:`, '  - `restore.from` must be a BackupPolicy; got "billing-backups"'],
  },
  {
    what: "two recovery targets at once",
    args: { ...base, restore: { from, backupId: "20261126-030000F", targetTime: "2026-11-26T10:00:00Z" } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, "  - `restore` takes at most one of `backupId`, `targetTime`, `targetLsn`; got `backupId` and `targetTime`"],
  },
  {
    what: "a time without a zone",
    args: { ...base, restore: { from, targetTime: "2026-11-26 10:00" } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, '  - `restore.targetTime` must be an ISO 8601 time with a zone, such as `2026-11-26T10:15:00Z`; got "2026-11-26 10:00"'],
  },
  {
    what: "a time in the future",
    args: { ...base, restore: { from, targetTime: "2999-01-01T00:00:00Z" } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, '  - `restore.targetTime` must not be in the future; got "2999-01-01T00:00:00Z"'],
  },
  {
    what: "a malformed LSN",
    args: { ...base, restore: { from, targetLsn: "16-B374D848" } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, '  - `restore.targetLsn` must be an LSN such as `0/3000060`; got "16-B374D848"'],
  },
  {
    what: "an in-place restore without confirm",
    args: { ...base, restore: { from, mode: "in_place" } },
    ctx: { restoreFrom: policy({ resourceId: self }) },
    message: [
      `${head}1 problem:`,
      "  - `restore.confirm` must be `true` for `restore.mode` `in_place`: an in-place restore replaces the data of this db_resource (a safety backup is taken first)",
    ],
  },
  {
    what: "a point in time from a policy without PITR",
    args: { ...base, restore: { from, targetTime: "2026-11-26T10:00:00Z" } },
    ctx: { restoreFrom: policy({}, false) },
    message: [
      `${head}1 problem:`,
      '  - `restore.targetTime` needs point-in-time recovery, and BackupPolicy "billing-backups" has `pitr` off (restore a `backupId` or the latest backup instead)',
    ],
  },
  {
    what: "backups of another back end",
    args: { ...base, restore: { from } },
    ctx: { restoreFrom: policy({ backend: "aws" }) },
    message: [`${head}1 problem:`, '  - `restore.from` must back up a db_resource on the same back end (`local`); BackupPolicy "billing-backups" is on `aws`'],
  },
  {
    what: "backups of another major (the default version counts)",
    args: { projectId: "shop", environmentId: "dev", plan: "small_single", restore: { from } },
    ctx: { restoreFrom: policy({ version: "16" }) },
    message: [
      `${head}1 problem:`,
      '  - `restore.from` backs up PostgreSQL 16, and this db_resource runs 17: a restore keeps the major (set `version: "16"`, then upgrade with BlueGreenUpgrade)',
    ],
  },
  {
    what: "backups of a cluster into a single",
    args: { ...base, restore: { from } },
    ctx: { restoreFrom: policy({ kind: "pg_cluster", plan: "prod_ha" }) },
    message: [`${head}1 problem:`, "  - `restore.from` backs up a pg_cluster, and this db_resource is a pg_single: restore into the same kind, then migrate with BlueGreenUpgrade"],
  },
  {
    what: "in place from another db_resource's backups",
    args: { ...base, restore: { from, mode: "in_place", confirm: true } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, `  - \`restore.mode\` \`in_place\` restores a db_resource from its own backups, and BackupPolicy "billing-backups" backs up \`${other}\` (leave \`from\` out, or use \`mode: "clone"\`)`],
  },
  {
    what: "a clone of itself",
    args: { ...base, restore: { from } },
    ctx: { restoreFrom: policy({ resourceId: self }) },
    message: [`${head}1 problem:`, '  - `restore.mode` `clone` makes a new db_resource, and `restore.from` backs up this very one (use `mode: "in_place"` with `confirm: true`)'],
  },
  {
    what: "an unknown restore option",
    args: { ...base, restore: { from, at: "yesterday" } },
    ctx: { restoreFrom: policy() },
    message: [`${head}1 problem:`, "  - `restore.at` is not a known field of `restore`; check its spelling"],
  },
];

describe("restore args", () => {
  itRejects(rows, (args, ctx) => parsePgSingleArgs("orders", args, ctx));

  it("resolves a clone at the latest point, a backup, a time (to UTC) and an LSN (upper case)", () => {
    const spec = (restore: object) => parsePgSingleArgs("orders", { ...base, restore: { from, ...restore } }, { restoreFrom: policy() }).restore!;
    const fromSpec = { ...policy().target, policyName: "billing-backups", pitr: true };
    assert.deepStrictEqual(spec({}), { mode: "clone", from: fromSpec, target: { type: "latest" }, confirm: false });
    assert.deepStrictEqual(spec({ backupId: "20261126-030000F" }).target, { type: "backup", backupId: "20261126-030000F" });
    assert.deepStrictEqual(spec({ targetTime: "2026-11-26T11:15:00+01:00" }).target, { type: "time", time: "2026-11-26T10:15:00.000Z" });
    assert.deepStrictEqual(spec({ targetLsn: "0/3000a60" }).target, { type: "lsn", lsn: "0/3000A60" });
  });

  it("resolves an in-place restore from the db_resource's own backups, without `from`", () => {
    const spec = parsePgSingleArgs("orders", { ...base, restore: { mode: "in_place", confirm: true, targetLsn: "0/3000060" } });
    assert.deepStrictEqual(spec.restore, { mode: "in_place", target: { type: "lsn", lsn: "0/3000060" }, confirm: true });
  });

  it("on local, an in-place restore is not judged by the `backup` settings (there the backups are its BackupPolicy's, checked at `up`)", () => {
    for (const backup of [{ enabled: false }, { pitr: false }]) {
      const spec = parsePgSingleArgs("orders", { ...base, backend: "local", plan: "dev_single", backup, restore: { mode: "in_place", confirm: true, targetTime: "2026-11-26T10:00:00Z" } });
      assert.deepStrictEqual(spec.restore, { mode: "in_place", target: { type: "time", time: "2026-11-26T10:00:00.000Z" }, confirm: true }, JSON.stringify(backup));
    }
  });

  it("resolves an in-place restore with confirm, and none when `restore` is not given", () => {
    const ctx = { restoreFrom: policy({ resourceId: self }) };
    const spec = parsePgSingleArgs("orders", { ...base, restore: { from, mode: "in_place", confirm: true } }, ctx);
    assert.deepStrictEqual(spec.restore?.mode, "in_place");
    assert.strictEqual(spec.restore?.confirm, true);
    assert.strictEqual("restore" in parsePgSingleArgs("orders", base), false);
  });

  it("applies to PgCluster too", () => {
    const ctx = { restoreFrom: policy({ kind: "pg_cluster", plan: "prod_ha", resourceId: resourceIdOf("pg_cluster", "shop", "prod", "main-old") }) };
    const spec = parsePgClusterArgs("main", { projectId: "shop", environmentId: "prod", plan: "prod_ha", version: "17", restore: { from, targetLsn: "16/B374D848" } }, ctx);
    assert.deepStrictEqual(spec.restore?.target, { type: "lsn", lsn: "16/B374D848" });
  });
});
