/**
 * The kubernetes back end's pure pieces: cron conversion and next runs, the backup-age period,
 * maintenance windows, Cluster status and topology, images and memory sizing, the ObjectStore status.
 */
import assert from "assert";
import { backupStatusOf, recoveryWindowOf } from "../../../components/backends/kubernetes/backupPolicy";
import { windowSchedule } from "../../../components/backends/kubernetes/maintenance";
import { cronPeriodSeconds } from "../../../components/backends/kubernetes/monitoring";
import { imageMajor, quantityMi } from "../../../components/backends/kubernetes/options";
import { fromCnpgCron, nextRun, toCnpgCron } from "../../../components/backends/kubernetes/schedule";
import { statusOf, topologyOf } from "../../../components/backends/kubernetes/status";
import { cnpgCronProblem } from "../../../components/model/schemas/kubernetes";

describe("kubernetes back end: pure functions", () => {
  it("converts our 5-field cron to CNPG's 6 fields, weekday 7 as 0", () => {
    assert.strictEqual(toCnpgCron("0 3 * * *"), "0 0 3 * * *");
    assert.strictEqual(toCnpgCron("15 */6 * * 1-5"), "0 15 */6 * * 1-5");
    assert.strictEqual(toCnpgCron("0 2 * * 7"), "0 0 2 * * 0");
    assert.strictEqual(toCnpgCron("0 2 * * 5-7"), "0 0 2 * * 0,5,6");
    assert.strictEqual(fromCnpgCron("0 0 3 * * *"), "0 3 * * *");
    assert.throws(() => toCnpgCron("0 0 3 * * *"), /not a 5-field cron: it has 6 fields, not 5/);
  });

  it("checks a CNPG cron given directly", () => {
    assert.strictEqual(cnpgCronProblem("f", "0 0 3 * * *"), undefined);
    assert.strictEqual(cnpgCronProblem("f", "0 3 * * *"), '`f` is a CloudNativePG cron with 6 fields, seconds first (such as `0 0 3 * * *`); got 5 fields "0 3 * * *" (write `0 0 3 * * *`)');
    assert.strictEqual(cnpgCronProblem("f", "0 0 25 * * *"), '`f` is not a valid CloudNativePG cron: its hour field "25" is out of range (hour is 0-23); got "0 0 25 * * *"');
  });

  it("computes the next run of a cron in UTC", () => {
    const from = new Date("2026-07-01T10:15:30Z"); // a Wednesday
    assert.strictEqual(nextRun("0 * * * *", from), "2026-07-01T11:00:00.000Z");
    assert.strictEqual(nextRun("0 3 * * *", from), "2026-07-02T03:00:00.000Z");
    assert.strictEqual(nextRun("30 */6 * * 1-5", from), "2026-07-01T12:30:00.000Z");
    assert.strictEqual(nextRun("0 4 * * 0", from), "2026-07-05T04:00:00.000Z");
    assert.strictEqual(nextRun("0 0 1 1 *", from), "2027-01-01T00:00:00.000Z");
    // Day and weekday both restricted: either matches (the 13th, or any Friday).
    assert.strictEqual(nextRun("0 0 13 * 5", from), "2026-07-03T00:00:00.000Z");
    assert.strictEqual(nextRun("0 0 29 2 *", from), "2028-02-29T00:00:00.000Z");
  });

  it("measures a cron's longest gap for the backup-age alert", () => {
    assert.strictEqual(cronPeriodSeconds("0 * * * *"), 3600);
    assert.strictEqual(cronPeriodSeconds("0 3 * * *"), 86400);
    assert.strictEqual(cronPeriodSeconds("0 3 * * 1-5"), 3 * 86400);
  });

  it("turns a maintenance window into the CronJob schedule and its length", () => {
    assert.deepStrictEqual(windowSchedule("sun:04:00-sun:05:00"), { schedule: "0 4 * * 0", seconds: 3600 });
    assert.deepStrictEqual(windowSchedule("sat:22:30-sun:01:00"), { schedule: "30 22 * * 6", seconds: 9000 });
  });

  it("reads status and topology from a Cluster status", () => {
    assert.strictEqual(statusOf(undefined), "PENDING");
    assert.strictEqual(statusOf({ phase: "Cluster in healthy state" }), "RUNNING");
    assert.strictEqual(statusOf({ phase: "Setting up primary" }), "PENDING");
    assert.strictEqual(statusOf({ phase: "Cluster is unrecoverable and needs manual intervention" }), "FAILED");
    const status = { currentPrimary: "db-2", instanceNames: ["db-1", "db-2", "db-3"], instancesStatus: { healthy: ["db-2", "db-3"], failed: ["db-1"] } };
    const routing = { writes: "w", reads: "r" };
    assert.deepStrictEqual(topologyOf(status, routing), {
      primary: "db-2",
      members: [
        { name: "db-1", role: "standby", state: "failed" },
        { name: "db-2", role: "primary", state: "healthy" },
        { name: "db-3", role: "standby", state: "healthy" },
      ],
      routing,
    });
    assert.deepStrictEqual(topologyOf(undefined, routing), { members: [], routing });
    assert.deepStrictEqual(topologyOf(status, routing, true).members.map((m) => m.role), ["replica", "replica", "replica"]);
  });

  it("reads the image's major and memory quantities", () => {
    assert.strictEqual(imageMajor("ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie"), "17");
    assert.strictEqual(imageMajor("registry:5000/pg:16"), "16");
    assert.strictEqual(imageMajor("ghcr.io/cloudnative-pg/postgresql@sha256:abc"), undefined);
    assert.strictEqual(quantityMi("8Gi"), 8192);
    assert.strictEqual(quantityMi("512Mi"), 512);
    assert.strictEqual(quantityMi("lots"), undefined);
  });

  it("reads the backup state the plugin writes into the ObjectStore status", () => {
    const status = { serverRecoveryWindow: { "db-pg17": { lastSuccessfulBackupTime: "2026-07-01T03:00:00Z", lastFailedBackupTime: "2026-07-02T03:00:00Z" } } };
    assert.strictEqual(recoveryWindowOf(status, "other"), undefined);
    assert.strictEqual(backupStatusOf(recoveryWindowOf(status, "db-pg17")), "FAILED");
    assert.strictEqual(backupStatusOf({ lastSuccessfulBackupTime: "2026-07-03T03:00:00Z", lastFailedBackupTime: "2026-07-02T03:00:00Z" }), "RUNNING");
    assert.strictEqual(backupStatusOf(undefined), "PENDING");
  });
});
