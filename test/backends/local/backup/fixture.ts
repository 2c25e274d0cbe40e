/**
 * Shared by the local backup and restore tests: a real PostgreSQL 15 source server with backup
 * access, the BackupPolicy inputs for it, pgBackRest's own view of the repository (to compare
 * against what pgplatform reports), rows to restore and a checksum of them, and WAL archived on demand.
 */
import assert from "assert";
import * as crypto from "crypto";
import * as path from "path";
import { backupLayout, findPgBackRest } from "../../../../components/backends/local/backup/pgbackrest";
import { SCHEDULER_SCRIPT } from "../../../../components/backends/local/backup/render";
import { execTool } from "../../../../components/backends/local/process";
import { LocalServerSpec, LocalServerState, createServer } from "../../../../components/backends/local/server";
import { serviceUser } from "../../../../components/backends/local/serviceUser";
import { LOCAL_BACKUP_POLICY_KIND, LocalBackupPolicyInputs } from "../../../../components/providers/localBackupPolicy";
import { query, randomPassword } from "../../../harness/postgres";
import { PROJECT_ROOT } from "../../../harness/providerHost";

export interface Source {
  spec: LocalServerSpec;
  state: LocalServerState;
  appUri: string;
  adminUri: string;
}

/** A PostgreSQL 15 server under `dataRoot` with backup access (archive hook, private socket) and a table `t`. */
export async function startSource(dataRoot: string, overrides: Partial<LocalServerSpec> = {}): Promise<Source> {
  const spec: LocalServerSpec = {
    resourceId: `src-${crypto.randomBytes(3).toString("hex")}`,
    version: "15",
    dataRoot,
    runAs: "postgres",
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(),
    databaseName: "app",
    username: "app",
    password: randomPassword(),
    parameters: { max_connections: "30", shared_buffers: "32MB", timezone: "UTC" },
    binarySearchPaths: [PROJECT_ROOT],
    archive: true,
    ...overrides,
  };
  const state = await createServer(spec);
  const appUri = `postgresql://app:${spec.password}@127.0.0.1:${state.port}/app`;
  const adminUri = `postgresql://postgres:${spec.superuserPassword}@127.0.0.1:${state.port}/postgres`;
  await query(appUri, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
  return { spec, state, appUri, adminUri };
}

/** BackupPolicy inputs for `source` with its repository under the data root. */
export function policyInputs(source: Source, overrides: Partial<LocalBackupPolicyInputs> = {}): LocalBackupPolicyInputs {
  return {
    kind: LOCAL_BACKUP_POLICY_KIND,
    policyName: "nightly",
    policyId: `${source.spec.resourceId}/nightly`,
    resourceId: source.spec.resourceId,
    dataRoot: source.spec.dataRoot,
    runAs: "postgres",
    repoPath: path.join(source.spec.dataRoot, "repo"),
    port: source.state.port,
    superuser: "postgres",
    cron: "0 3 * * *",
    retentionDays: 7,
    pitr: true,
    fullBackupEvery: "week",
    incrementalType: "incremental",
    schedulerScript: SCHEDULER_SCRIPT,
    backupNow: "",
    targetSoftDeleteDays: 0,
    ...overrides,
  };
}

/** `pgbackrest info --output=json` for the stanza, run here as the service user (pgBackRest's own view). */
export async function backRestInfo(source: Source): Promise<any> {
  const layout = backupLayout(source.spec.dataRoot, source.spec.resourceId);
  const r = await execTool(findPgBackRest()!, [`--config=${layout.config}`, `--stanza=${source.spec.resourceId}`, "--output=json", "info"], serviceUser("postgres"));
  assert.strictEqual(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

/** Inserts rows `from..to` into `t`. */
export async function fill(uri: string, from: number, to: number): Promise<void> {
  await query(uri, "INSERT INTO t SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g", [from, to]);
}

/** Row count, min and max id, and an md5 over every row in order. */
export async function contents(uri: string): Promise<{ count: number; min: number | null; max: number | null; md5: string }> {
  const [r] = await query(uri, "SELECT count(*)::int AS count, min(id) AS min, max(id) AS max, md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) AS md5 FROM t");
  return r;
}

/** Switches to a new WAL segment and waits until the finished one is archived: what a restore can replay is then everything committed. */
export async function archiveNow(adminUri: string): Promise<void> {
  const [{ wal }] = await query(adminUri, "SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  const until = Date.now() + 30_000;
  for (;;) {
    const [a] = await query(
      adminUri,
      "SELECT last_archived_wal, failed_count::int AS failed, EXISTS (SELECT 1 FROM pg_ls_archive_statusdir() WHERE name = $1 || '.ready') AS pending FROM pg_stat_archiver",
      [wal],
    );
    if (!a.pending) return;
    if (Date.now() > until) assert.fail(`WAL ${wal} was not archived (last ${a.last_archived_wal}, ${a.failed} failures)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
