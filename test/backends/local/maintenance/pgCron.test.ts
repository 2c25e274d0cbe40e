/**
 * Scheduled maintenance on a real PostgreSQL 15 with Debian's pg_cron: the window becomes the job's
 * schedule in `cron.job`, the job runs in the application database, a job removed by hand is drift
 * that `up` puts back, delete unschedules; and the refusal for the embedded majors.
 */
import assert from "assert";
import { MAINTENANCE_KIND, maintenanceProvider } from "../../../../components/backends/local/maintenance/jobs";
import { pgCronParameters, pgCronProblem, windowStartCron } from "../../../../components/backends/local/maintenance/schedule";
import { closePools } from "../../../../components/providers/sql/connection";
import { TestPostgres, query, startTestPostgres } from "../../../harness/postgres";

describe("local maintenance with pg_cron (real PostgreSQL 15)", function () {
  this.timeout(120_000);
  let pg: TestPostgres;

  before(async () => {
    pg = await startTestPostgres({ version: "15", parameters: pgCronParameters() });
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  it("turns windows into cron schedules and refuses majors without pg_cron", () => {
    assert.deepStrictEqual(["sun:04:00-sun:05:00", "sat:23:30-sun:00:30", "mon:00:05-mon:01:00"].map(windowStartCron), ["0 4 * * 0", "30 23 * * 6", "5 0 * * 1"]);
    assert.strictEqual(pgCronProblem("15"), undefined);
    assert.strictEqual(
      pgCronProblem("17"),
      "`maintenance.vacuumAnalyze` needs pg_cron, which on this machine only Debian's PostgreSQL 15 has (package postgresql-15-cron; the embedded 17 package has no extensions); use `version: \"15\"` or leave `maintenance` out; got `version` \"17\"",
    );
  });

  it("schedules VACUUM (ANALYZE) of the app database at the window's start, repairs drift, unschedules on delete", async () => {
    const admin = { host: "127.0.0.1", port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" };
    const inputs = { kind: MAINTENANCE_KIND, admin, database: "app", schedule: windowStartCron("sat:02:00-sat:03:00"), vacuumAnalyze: true };
    const jobs = () => query(pg.adminUri, "SELECT jobname, schedule, command, database, active FROM cron.job ORDER BY jobid");
    const created = await maintenanceProvider.create!(inputs);
    const want = [{ jobname: "pgplatform-vacuum-analyze-app", schedule: "0 2 * * 6", command: "VACUUM (ANALYZE)", database: "app", active: true }];
    assert.deepStrictEqual(await jobs(), want);

    await query(pg.adminUri, "SELECT cron.unschedule('pgplatform-vacuum-analyze-app')");
    const read = (await maintenanceProvider.read!(created.id, created.outs)).props;
    assert.deepStrictEqual(read.jobs, []);
    assert.strictEqual((await maintenanceProvider.diff!(created.id, read, inputs)).changes, true);
    const updated = (await maintenanceProvider.update!(created.id, read, { ...inputs, schedule: windowStartCron("sun:04:00-sun:05:00") })).outs;
    assert.deepStrictEqual(await jobs(), [{ ...want[0], schedule: "0 4 * * 0" }]);
    assert.strictEqual((await maintenanceProvider.diff!(created.id, updated, { ...inputs, schedule: "0 4 * * 0" })).changes, false);

    await maintenanceProvider.delete!(created.id, updated);
    assert.deepStrictEqual(await jobs(), []);
  });
});
