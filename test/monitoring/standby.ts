/**
 * A streaming standby of a test server, built the way an operator would: `pg_basebackup -R` run
 * as the PostgreSQL service user into a second data directory, started on its own port with
 * `pg_ctl`. The superuser's password reaches pg_basebackup and the standby only through a 0600
 * passfile, never a command line. `stop()` stops it and removes every file.
 */
import * as fs from "fs";
import * as path from "path";
import { findServerBinaries } from "../../components/backends/local/binaries";
import { stopServer } from "../../components/backends/local/instance";
import { chownTree, freePort, runOrThrow } from "../../components/backends/local/process";
import { serviceUser } from "../../components/backends/local/serviceUser";
import { TestPostgres, query, tempRoot } from "../harness/postgres";
import { PROJECT_ROOT } from "../harness/providerHost";

export interface TestStandby {
  port: number;
  dataDir: string;
  /** Superuser URI to its `postgres` database (the same password as the primary's). */
  adminUri: string;
  stop(): Promise<void>;
}

/** Lets the primary's superuser open replication connections from loopback, then reloads it. */
async function allowReplication(primary: TestPostgres): Promise<void> {
  // `all` in pg_hba.conf does not cover replication connections, so a line after the final rejects still applies.
  fs.appendFileSync(path.join(primary.dataDir, "pg_hba.conf"), `host replication "${primary.superuser}" 127.0.0.1/32 scram-sha-256\n`);
  await query(primary.adminUri, "SELECT pg_reload_conf()");
}

/** Builds and starts a standby of `primary` (same major) with pg_basebackup -R. */
export async function startStandby(primary: TestPostgres): Promise<TestStandby> {
  const user = serviceUser("postgres");
  const binDir = findServerBinaries(primary.spec.version, [PROJECT_ROOT]).binDir;
  const root = tempRoot("pgplatform-standby-");
  const paths = { instanceDir: root, dataDir: path.join(root, "data"), logFile: path.join(root, "standby.log"), marker: path.join(root, "none") };
  const passfile = path.join(root, "pgpass");
  try {
    fs.writeFileSync(passfile, `127.0.0.1:${primary.port}:*:${primary.superuser}:${primary.password}\n`, { mode: 0o600 });
    chownTree(root, user);
    await allowReplication(primary);
    const conninfo = `host=127.0.0.1 port=${primary.port} user=${primary.superuser} passfile=${passfile} application_name=test_standby`;
    await runOrThrow(path.join(binDir, "pg_basebackup"), ["-D", paths.dataDir, "-R", "-X", "stream", "-c", "fast", "-d", conninfo], user, "pg_basebackup", { cwd: root });
    const port = await freePort();
    // postgresql.auto.conf is read last: the copied pgplatform.conf names the primary's port. The
    // standby reports its replay position every second (default 10 s), so tests need not wait long.
    fs.appendFileSync(path.join(paths.dataDir, "postgresql.auto.conf"), `port = ${port}\nwal_receiver_status_interval = '1s'\n`);
    await runOrThrow(path.join(binDir, "pg_ctl"), ["-D", paths.dataDir, "-l", paths.logFile, "-w", "-t", "60", "-s", "start"], user, "pg_ctl start (standby)", { cwd: root });
    return {
      port,
      dataDir: paths.dataDir,
      adminUri: `postgresql://${primary.superuser}:${primary.password}@127.0.0.1:${port}/postgres`,
      async stop() {
        await stopServer(paths);
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopServer(paths).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
