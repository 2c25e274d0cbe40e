/**
 * The local BackupPolicy provider as `pulumi up` runs it: serialized and driven over gRPC through
 * the SDK's dynamic-provider host, against a real PostgreSQL 15 server and pgBackRest, with a real
 * catalogue. Asserts on what pgBackRest itself lists, what the catalogue holds, and the processes
 * (the detached scheduler takes a scheduled backup on its own).
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { backupLayout } from "../../../../components/backends/local/backup/pgbackrest";
import { readJobs, stopScheduler } from "../../../../components/backends/local/backup/policy";
import { destroyServer } from "../../../../components/backends/local/server";
import { pendingPurge, purgeExpired } from "../../../../components/backends/local/softDelete";
import { upsertRecord, withCatalog } from "../../../../components/catalog/store";
import { nextRun, parseCron } from "../../../../components/model/cron";
import { localBackupPolicyProvider } from "../../../../components/providers/localBackupPolicy";
import { SqlConnection, closePools } from "../../../../components/providers/sql/connection";
import { dbResourceData, sql } from "../../../catalog/support";
import { TestPostgres, query, startTestPostgres, tempRoot } from "../../../harness/postgres";
import { ProviderHost, makeUrn, serializeProvider } from "../../../harness/providerHost";
import { alive } from "../../../providers/support";
import { Source, backRestInfo, fill, policyInputs, startSource } from "./fixture";

const TYPE = "pulumi-nodejs:dynamic/pgplatform:LocalBackupPolicy";
const iso = (s: number) => new Date(s * 1000).toISOString();
const TYPES: Record<string, string> = { full: "full", incr: "incremental", diff: "differential" };

describe("local BackupPolicy provider through the SDK's dynamic-provider host (pgBackRest, real catalogue)", function () {
  this.timeout(180_000);
  let root: string;
  let catalogPg: TestPostgres;
  let catalog: SqlConnection;
  let source: Source;
  let host: ProviderHost;
  let providerText: string;
  let props: Record<string, any> | undefined;
  const urn = makeUrn(TYPE, "nightly-pgbackrest");

  /** What the outputs must list for pgBackRest's `info`. */
  const expectedBackups = (info: any) =>
    info.backup.map((b: any) => ({
      id: b.label,
      type: TYPES[b.type],
      startedAt: iso(b.timestamp.start),
      stoppedAt: iso(b.timestamp.stop),
      sizeBytes: b.info.repository.delta,
      location: `${path.join(root, "repo")} (stanza ${source.spec.resourceId})`,
      lsnStart: b.lsn.start,
      lsnStop: b.lsn.stop,
      status: "DONE",
    }));
  const catalogRows = () =>
    sql(
      catalog,
      "SELECT id, policy_id, backup_type, method, status, lifecycle, size_bytes::bigint AS size, started_at, finished_at, detail FROM pgplatform_catalog.backups WHERE resource_id = $1 ORDER BY started_at, id",
      [source.spec.resourceId],
    );

  before(async () => {
    root = tempRoot();
    catalogPg = await startTestPostgres();
    catalog = { host: "127.0.0.1", port: catalogPg.port, user: catalogPg.superuser, password: catalogPg.password, database: "postgres" };
    source = await startSource(root);
    await fill(source.appUri, 1, 1000);
    await withCatalog(catalog, (c) => upsertRecord(c, "db_resource", source.spec.resourceId, dbResourceData({ version: "15" })));
    providerText = await serializeProvider(localBackupPolicyProvider);
    host = await ProviderHost.start();
  });

  after(async () => {
    if (props) await host.delete(urn, props.policyId, props).catch(() => undefined);
    await host?.stop();
    if (source) await stopScheduler(root, source.spec.resourceId); // in case a test failed before the delete
    await destroyServer(root, source?.spec.resourceId ?? "none");
    await catalogPg?.stop();
    await closePools();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("serializes with pg required inside its methods and no validation library", () => {
    assert.doesNotMatch(providerText, /zod/);
    assert.match(providerText, /require\("pg"\)/);
  });

  it("creates: stanza, WAL archiving on, a first full backup, the scheduler; outputs and catalogue match `pgbackrest info`", async () => {
    const inputs = { ...policyInputs(source, { cron: "* * * * *", catalog: { connection: catalog } }), __provider: providerText };
    assert.deepStrictEqual((await host.check(urn, {}, inputs)).failures, []);
    const before = Date.now();
    const created = await host.create(urn, inputs);
    props = created.properties;
    assert.strictEqual(created.id, `${source.spec.resourceId}/nightly`);

    const info = await backRestInfo(source);
    assert.deepStrictEqual(info.backup.map((b: any) => b.type), ["full"]);
    assert.deepStrictEqual(props.backups, expectedBackups(info));
    assert.strictEqual(props.lastSuccessful, iso(info.backup[0].timestamp.stop));
    assert.deepStrictEqual({ status: props.status, problems: props.problems, running: props.schedulerRunning }, { status: "RUNNING", problems: [], running: true });
    assert.ok(alive(props.schedulerPid), "the scheduler runs");
    assert.match(fs.readFileSync(`/proc/${props.schedulerPid}/cmdline`, "utf8"), /scheduler\.js\0daemon\0/);
    const next = Date.parse(props.nextSchedule);
    assert.strictEqual(props.nextSchedule, nextRun((parseCron("* * * * *") as any).cron, new Date(next - 60_000))!.toISOString());
    assert.ok(next > before && next <= Date.now() + 60_000, `next schedule ${props.nextSchedule} is the next minute`);
    const [archiver] = await query(source.adminUri, "SELECT archived_count::int AS n, failed_count::int AS failed, current_setting('archive_mode') AS mode FROM pg_stat_archiver");
    assert.deepStrictEqual({ mode: archiver.mode, failed: archiver.failed, some: archiver.n > 0 }, { mode: "on", failed: 0, some: true });

    const rows = await catalogRows();
    const b = info.backup[0];
    assert.deepStrictEqual(
      rows.map((r) => ({ ...r, started_at: r.started_at.toISOString(), finished_at: r.finished_at.toISOString(), size: Number(r.size) })),
      [
        {
          id: `${source.spec.resourceId}/${b.label}`,
          policy_id: `${source.spec.resourceId}/nightly`,
          backup_type: "full",
          method: "pgbackrest",
          status: "DONE",
          lifecycle: "ACTIVE",
          size: b.info.repository.delta,
          started_at: iso(b.timestamp.start),
          finished_at: iso(b.timestamp.stop),
          detail: {
            label: b.label,
            databaseBytes: b.info.size,
            lsnStart: b.lsn.start,
            lsnStop: b.lsn.stop,
            walStart: b.archive.start,
            walStop: b.archive.stop,
            prior: null,
            trigger: "initial",
          },
        },
      ],
    );
    for (const f of ["pgbackrest.conf"]) assert.ok(fs.existsSync(path.join(backupLayout(root, source.spec.resourceId).dir, f)));
  });

  it("takes an on-demand backup for a new `backupNow` token: an incremental, listed and recorded", async () => {
    await fill(source.appUri, 1001, 1500);
    const news = { ...props!, backupNow: "2026-11-26-a", __provider: providerText };
    assert.deepStrictEqual(await host.diff(urn, props!.policyId, props!, news), { changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    props = await host.update(urn, props!.policyId, props!, news);
    const job = readJobs(root, source.spec.resourceId).filter((j) => j.trigger === "on-demand");
    assert.deepStrictEqual(job.map((j) => [j.status, j.type]), [["DONE", "incr"]]);
    const info = await backRestInfo(source);
    const made = info.backup.find((b: any) => b.label === job[0].label);
    assert.deepStrictEqual({ type: made.type, prior: made.prior }, { type: "incr", prior: info.backup[0].label });
    assert.deepStrictEqual(props.backups, expectedBackups(info));
    const [row] = (await catalogRows()).filter((r) => r.id === `${source.spec.resourceId}/${job[0].label}`);
    assert.deepStrictEqual({ type: row.backup_type, status: row.status, trigger: row.detail.trigger, prior: row.detail.prior }, { type: "incremental", status: "DONE", trigger: "on-demand", prior: info.backup[0].label });
    assert.deepStrictEqual(await host.diff(urn, props.policyId, props, { ...props, __provider: providerText }), { changes: false, replaces: [], deleteBeforeReplace: false, diffs: [] });
  });

  it("records a failing backup (repository unwritable) FAILED with pgBackRest's error, and fails the `up` with it", async () => {
    const repo = path.join(root, "repo");
    fs.chmodSync(repo, 0o000);
    let message = "";
    try {
      await assert.rejects(host.update(urn, props!.policyId, props!, { ...props!, backupNow: "2026-11-26-b", __provider: providerText }), (err: any) => {
        message = err.message;
        return true;
      });
    } finally {
      fs.chmodSync(repo, 0o750);
    }
    const failed = readJobs(root, source.spec.resourceId).filter((j) => j.trigger === "on-demand" && j.status === "FAILED");
    assert.strictEqual(failed.length, 1);
    assert.match(failed[0].error!, /^ERROR: \[041\]: unable to load info file '.*\/backup\.info' .* Permission denied/);
    assert.strictEqual(message, `BackupPolicy "nightly": the on-demand backup (\`backupNow\` "2026-11-26-b") of \`${source.spec.resourceId}\` failed: ${failed[0].error}`);
    const rows = (await catalogRows()).filter((r) => r.status === "FAILED" && r.detail.trigger === "on-demand");
    assert.deepStrictEqual(
      rows.map((r) => ({ id: r.id, error: r.detail.error, type: r.backup_type })),
      // The job could not read the repository either, so it asked for a full backup.
      [{ id: `${source.spec.resourceId}/${failed[0].id}`, error: failed[0].error, type: "full" }],
    );
    // A refresh now reports the failure; the repository's backups are all still listed.
    const read = await host.read(urn, props!.policyId, props!);
    const info = await backRestInfo(source);
    assert.strictEqual(read.properties.status, "FAILED");
    assert.ok(read.properties.problems.some((p: string) => p.includes(failed[0].error!)), read.properties.problems.join("\n"));
    assert.deepStrictEqual(read.properties.backups.filter((b: any) => b.status === "DONE"), expectedBackups(info));
    assert.ok(read.properties.backups.some((b: any) => b.status === "FAILED" && b.id === failed[0].id && b.error === failed[0].error));
    props = read.properties;
  });

  it("runs the cron on its own: the detached scheduler takes a scheduled backup, recorded at the next refresh", async () => {
    const until = Date.now() + 75_000;
    while (!readJobs(root, source.spec.resourceId).some((j) => j.trigger === "schedule" && j.status === "DONE")) {
      if (Date.now() > until) assert.fail(`no scheduled backup within 75 s; jobs: ${JSON.stringify(readJobs(root, source.spec.resourceId))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const scheduled = readJobs(root, source.spec.resourceId).find((j) => j.trigger === "schedule" && j.status === "DONE")!;
    assert.strictEqual(new Date(scheduled.startedAt).getUTCSeconds() < 10, true, `started on a minute boundary: ${scheduled.startedAt}`);
    const read = await host.read(urn, props!.policyId, props!);
    props = read.properties;
    assert.ok(props.backups.some((b: any) => b.id === scheduled.label && b.status === "DONE"));
    const [row] = (await catalogRows()).filter((r) => r.id === `${source.spec.resourceId}/${scheduled.label}`);
    assert.strictEqual(row.detail.trigger, "schedule");
  });

  it("deletes: the scheduler stops, archiving stops, the repository is kept for the retention, then purged", async () => {
    const pid = props!.schedulerPid;
    await host.delete(urn, props!.policyId, props!);
    const deleted = props!;
    props = undefined;
    assert.strictEqual(alive(pid), false, "the scheduler is stopped");
    assert.strictEqual(fs.existsSync(backupLayout(root, source.spec.resourceId).config), false, "the archive hook is off");
    const stanzaDirs = ["archive", "backup"].map((d) => path.join(root, "repo", d, source.spec.resourceId));
    const entry = pendingPurge(root, "repository", source.spec.resourceId)!;
    assert.deepStrictEqual({ paths: entry.paths, days: (Date.parse(entry.purgeAfter) - Date.parse(entry.deletedAt)) / 86_400_000 }, { paths: stanzaDirs, days: 7 });
    for (const d of stanzaDirs) assert.ok(fs.existsSync(d), `${d} is kept`);
    const rows = await catalogRows();
    assert.ok(rows.length > 0 && rows.every((r) => r.lifecycle === "DELETING"), JSON.stringify(rows));
    assert.ok(rows.filter((r) => r.status === "DONE").every((r) => r.detail.purgeAfter === entry.purgeAfter), JSON.stringify(rows));
    assert.deepStrictEqual(purgeExpired(root, new Date(Date.parse(entry.purgeAfter) - 1000)), [], "nothing is purged before the retention ends");
    assert.deepStrictEqual(purgeExpired(root, new Date(Date.parse(entry.purgeAfter) + 1000)), [entry]);
    for (const d of stanzaDirs) assert.strictEqual(fs.existsSync(d), false, `${d} is purged`);
    const gone = await host.read(urn, deleted.policyId, deleted);
    assert.strictEqual(gone.id, "");
  });
});
