/**
 * The pure parts of local backups and restores, pinned exactly: the server files with backup
 * access (pgplatform.conf, pg_hba.conf, pg_ident.conf), pgbackrest.conf, the archive hook, the
 * scheduler's cron matching (the same rule as the model's `nextRun`) and its full/incremental rule,
 * `pgbackrest info` parsing, and how a restore target becomes a backup set and restore options.
 */
import assert from "assert";
import { ServerConfig, renderConf, renderHba, renderIdent } from "../../../../components/backends/local/config";
import { instancePaths, socketDirOf } from "../../../../components/backends/local/instance";
import { archiveCommand, backupLayout, parseInfo, renderBackRestConfig } from "../../../../components/backends/local/backup/pgbackrest";
import { BackRestBackup } from "../../../../components/backends/local/backup/pgbackrest";
import { chooseSet, lsnValue, targetOptions } from "../../../../components/backends/local/restore/pgbackrestRestore";
import { cronFiresAt, nextRun, parseCron } from "../../../../components/model/cron";

const scheduler = require("../../../../components/backends/local/backup/scheduler.js");

const CONFIG: ServerConfig = {
  port: 5433,
  allowedCidrs: ["127.0.0.1/32"],
  superuser: "postgres",
  databaseName: "app",
  username: "app",
  parameters: { work_mem: "4MB", archive_mode: "off" },
  backupAccess: { socketDir: "/srv/pg/db1/run", osUsers: ["postgres", "root"], archiveCommand: "if [ -f '/x' ]; then exit 0; fi" },
};

const cron = (s: string) => {
  const r = parseCron(s);
  assert.ok(r.ok);
  return r.cron;
};

describe("local backup units", () => {
  it("renders the server's files with backup access: private socket, archiving, peer login for the superuser only", () => {
    assert.strictEqual(
      renderConf(CONFIG),
      [
        "# Managed by pgplatform: rewritten on every update. Use the component's `parameters` instead.",
        "listen_addresses = '127.0.0.1'",
        "port = 5433",
        "unix_socket_directories = '/srv/pg/db1/run'",
        "password_encryption = 'scram-sha-256'",
        "unix_socket_permissions = 0700",
        "archive_mode = 'on'",
        "archive_command = 'if [ -f ''/x'' ]; then exit 0; fi'",
        "work_mem = '4MB'",
        "",
      ].join("\n"),
    );
    assert.deepStrictEqual(renderHba(CONFIG).split("\n").slice(2, 4), ['local all "postgres" peer map=pgplatform', 'host all "postgres" 127.0.0.1/32 scram-sha-256']);
    assert.strictEqual(
      renderIdent(CONFIG),
      '# Managed by pgplatform: rewritten on every update.\n# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\npgplatform "postgres" "postgres"\npgplatform "root" "postgres"\n',
    );
    // The socket stays far below the 107-byte limit of a socket path whatever the id.
    assert.strictEqual(socketDirOf(instancePaths("/var/lib/pgplatform", `shop-${"x".repeat(120)}`)), "/var/lib/pgplatform/.sockets/" + require("crypto").createHash("sha256").update(`shop-${"x".repeat(120)}`).digest("hex").slice(0, 16));
    const { backupAccess, ...plain } = CONFIG;
    assert.ok(!renderHba(plain).includes("local"), "no socket login without backup access");
    assert.ok(renderConf(plain).includes("unix_socket_directories = ''"));
  });

  it("renders pgbackrest.conf and the archive hook, which does nothing until a policy writes that file", () => {
    const layout = backupLayout("/srv/pg", "db1");
    assert.strictEqual(
      renderBackRestConfig({ stanza: "db1", repoPath: "/backups", dataDir: "/srv/pg/db1/data", port: 5433, socketDir: "/srv/pg/db1/run", superuser: "postgres", retentionDays: 14, layout }),
      [
        "# Managed by pgplatform (BackupPolicy): rewritten on every update.",
        "[global]",
        "repo1-path=/backups",
        "repo1-retention-full-type=time",
        "repo1-retention-full=14",
        "log-path=/srv/pg/db1/backup/log",
        "lock-path=/srv/pg/db1/backup/lock",
        "spool-path=/srv/pg/db1/backup/spool",
        "log-level-console=warn",
        "log-level-file=info",
        "compress-type=zst",
        "start-fast=y",
        "process-max=2",
        "",
        "[db1]",
        "pg1-path=/srv/pg/db1/data",
        "pg1-port=5433",
        "pg1-socket-path=/srv/pg/db1/run",
        "pg1-user=postgres",
        "",
      ].join("\n"),
    );
    assert.strictEqual(
      archiveCommand(instancePaths("/srv/pg", "db1"), "db1", "/usr/bin/pgbackrest"),
      "if [ -f '/srv/pg/db1/backup/pgbackrest.conf' ]; then exec '/usr/bin/pgbackrest' '--config=/srv/pg/db1/backup/pgbackrest.conf' '--stanza=db1' archive-push '%p'; fi",
    );
    assert.throws(() => archiveCommand(instancePaths("/srv/it's", "db1"), "db1"), { message: `the server's directory "/srv/it's/db1/backup/pgbackrest.conf" must be an absolute path of letters, digits and \`._/+-\` only (it goes into PostgreSQL's archive_command)` });
  });

  it("the scheduler fires on exactly the minutes the model's nextRun walks to (Vixie cron's day-or-weekday rule)", () => {
    const from = new Date("2026-11-26T17:55:30Z");
    for (const s of ["0 3 * * *", "*/15 * * * *", "0 3 * * 0", "0 0 1 * 1", "30 2 29 2 *", "5 4 * * 7", "0 12 1-7 * *"]) {
      const c = cron(s);
      const next = nextRun(c, from)!;
      assert.ok(scheduler.cronMatches(c, next) && cronFiresAt(c, next), `${s} fires at ${next.toISOString()}`);
      for (let t = from.getTime() + 60_000 - (from.getTime() % 60_000); t < next.getTime(); t += 60_000) {
        assert.ok(!scheduler.cronMatches(c, new Date(t)), `${s} must not fire at ${new Date(t).toISOString()}`);
        if (t - from.getTime() > 3 * 86_400_000) break;
      }
    }
    assert.deepStrictEqual(
      ["0 3 * * *", "0 3 * * 0", "0 0 1 * 1", "0 0 31 2 *"].map((s) => nextRun(cron(s), from)?.toISOString()),
      ["2026-11-27T03:00:00.000Z", "2026-11-29T03:00:00.000Z", "2026-11-30T00:00:00.000Z", undefined],
    );
  });

  it("the scheduler takes a full backup when none finished within `fullEvery`, else the incremental type", () => {
    const job = { fullEvery: "day", incrementalType: "diff" };
    const now = Date.parse("2026-11-26T12:00:00Z");
    const full = (stopIso: string, error = false) => ({ type: "full", error, timestamp: { stop: Date.parse(stopIso) / 1000 } });
    assert.strictEqual(scheduler.nextType(job, [], now), "full");
    assert.strictEqual(scheduler.nextType(job, [full("2026-11-26T01:00:00Z")], now), "diff");
    assert.strictEqual(scheduler.nextType(job, [full("2026-11-25T11:59:00Z")], now), "full");
    assert.strictEqual(scheduler.nextType(job, [full("2026-11-26T01:00:00Z", true)], now), "full", "a failed full does not count");
    assert.strictEqual(scheduler.nextType({ fullEvery: "week", incrementalType: "incr" }, [full("2026-11-20T13:00:00Z")], now), "incr");
  });

  it("parses `pgbackrest info --output=json`: each backup's label, type, times, sizes, LSN and WAL range", () => {
    const json = JSON.stringify([
      {
        name: "db1",
        status: { code: 0, message: "ok" },
        archive: [{ id: "15-1", min: "000000010000000000000001", max: "000000010000000000000006" }],
        backup: [
          { label: "20261126-175555F", type: "full", error: false, prior: null, timestamp: { start: 1795715755, stop: 1795715757 }, info: { size: 22992358, repository: { size: 3788235, delta: 3788235 } }, lsn: { start: "0/2000028", stop: "0/3000050" }, archive: { start: "000000010000000000000002", stop: "000000010000000000000003" } },
          { label: "20261126-175555F_20261126-175558I", type: "incr", error: false, prior: "20261126-175555F", timestamp: { start: 1795715758, stop: 1795715760 }, info: { size: 23000000, repository: { size: 3802514, delta: 14279 } }, lsn: { start: "0/5000028", stop: "0/5000100" }, archive: { start: "000000010000000000000005", stop: "000000010000000000000005" } },
        ],
      },
    ]);
    const info = parseInfo(json, "db1");
    assert.deepStrictEqual({ status: info.status, walMin: info.walMin, walMax: info.walMax }, { status: { code: 0, message: "ok" }, walMin: "000000010000000000000001", walMax: "000000010000000000000006" });
    assert.deepStrictEqual(info.backups[1], {
      label: "20261126-175555F_20261126-175558I",
      type: "incr",
      startedAt: "2026-11-26T17:55:58.000Z",
      stoppedAt: "2026-11-26T17:56:00.000Z",
      databaseBytes: 23000000,
      repositoryBytes: 14279,
      lsnStart: "0/5000028",
      lsnStop: "0/5000100",
      walStart: "000000010000000000000005",
      walStop: "000000010000000000000005",
      prior: "20261126-175555F",
      error: false,
    });
    assert.deepStrictEqual(parseInfo(json, "other"), { stanza: "other", status: { code: -1, message: "missing stanza" }, backups: [] });
  });

  it("chooses the newest backup that ended before a time or LSN target, and the restore options for each target", () => {
    const b = (label: string, stop: string, lsnStop: string): BackRestBackup =>
      ({ label, type: "full", startedAt: stop, stoppedAt: stop, databaseBytes: 0, repositoryBytes: 0, lsnStop, error: false }) as BackRestBackup;
    const backups = [b("F1", "2026-11-26T10:00:00.000Z", "0/3000050"), b("F1_I2", "2026-11-26T11:00:00.000Z", "0/5000100"), { ...b("F1_I3", "2026-11-26T11:30:00.000Z", "0/6000000"), error: true }];
    assert.strictEqual(chooseSet({ type: "time", time: "2026-11-26T10:59:59.000Z" }, backups, "db1"), "F1");
    assert.strictEqual(chooseSet({ type: "time", time: "2026-11-26T12:00:00.000Z" }, backups, "db1"), "F1_I2");
    assert.strictEqual(chooseSet({ type: "lsn", lsn: "0/5000100" }, backups, "db1"), "F1_I2");
    assert.strictEqual(chooseSet({ type: "lsn", lsn: "0/4FFFFFF" }, backups, "db1"), "F1");
    assert.strictEqual(chooseSet({ type: "latest" }, backups, "db1"), undefined);
    assert.throws(() => chooseSet({ type: "backup", backupId: "F1_I3" }, backups, "db1"), { message: '`restore.backupId` "F1_I3" is not a backup of `db1`; it holds F1, F1_I2' });
    assert.throws(() => chooseSet({ type: "lsn", lsn: "0/1" }, backups, "db1"), {
      message: "`restore.targetLsn` 0/1 is before every backup of `db1`: the earliest restorable point is 2026-11-26T10:00:00.000Z (LSN 0/3000050, the end of backup F1)",
    });
    assert.ok(lsnValue("1/0") > lsnValue("0/FFFFFFFF"));
    assert.deepStrictEqual(targetOptions({ type: "time", time: "2026-11-26T10:15:00.250Z" }, "F1"), ["--set=F1", "--type=time", "--target=2026-11-26 10:15:00.250+00", "--target-action=promote"]);
    assert.deepStrictEqual(targetOptions({ type: "lsn", lsn: "0/5000100" }, "F1_I2"), ["--set=F1_I2", "--type=lsn", "--target=0/5000100", "--target-action=promote"]);
    assert.deepStrictEqual(targetOptions({ type: "backup", backupId: "F1" }, "F1"), ["--set=F1", "--type=immediate", "--target-action=promote"]);
    assert.deepStrictEqual(targetOptions({ type: "latest" }, undefined), ["--type=default"]);
  });
});
