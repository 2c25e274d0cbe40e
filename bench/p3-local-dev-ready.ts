/**
 * P3 local-dev-ready: how long the local back end takes to deliver a READY dev single, against
 * the floor of what any tool needs to get a PostgreSQL server of the same binaries up.
 *
 * Ours: the real `createServer` path (resolve binaries, prepare the data root, initdb with SCRAM
 * and a pwfile, pgplatform.conf + pg_hba.conf, `pg_ctl start -w`, app role and database over a
 * superuser connection, the marker, the closing inspection) with the `dev_single` plan's local
 * parameters, until one connection as the app user to the app database has run `SELECT 1`.
 *
 * Floor: a bare cluster with the SAME binaries, run as the SAME service user through the SAME
 * `execTool`, timed from an empty temp directory until one connection as the superuser has run
 * `SELECT 1`. It includes what costs the same for anyone:
 *   - mkdir + chown of the directory, the superuser password written to a 0600 pwfile;
 *   - initdb with the options that matter for its cost: `-U postgres --pwfile`,
 *     `--auth-local=scram-sha-256 --auth-host=scram-sha-256`, `-E UTF8 --locale=C`,
 *     `--data-checksums` (checksums make initdb write and fsync more);
 *   - a free port, `pg_ctl start -w -t 60` (listen on 127.0.0.1 only, no Unix socket, as ours),
 *     whose readiness polling is the same in both;
 *   - one SCRAM-authenticated TCP connection and `SELECT 1`.
 * It excludes what only a managed server needs: binary resolution and data-root checks,
 * pgplatform.conf/pg_hba.conf, the plan parameters (initdb's defaults stay: shared_buffers 128MB
 * like dev_single, max_connections 100 rather than 50), the app role and database (CREATE
 * DATABASE), the marker, the inspection, and the app-user connection. The ratio is therefore
 * what pgplatform adds on top of "initdb + start + connect".
 *
 * Rounds alternate ours/floor, after one untimed warm-up pair (page cache, `pg` module load, and
 * a copy of npm binaries that `usableBinDir` may make once); each round cleans up after itself
 * (destroyServer, or pg_ctl stop + rm) outside the timing, and `sync` runs before every timed
 * sample so neither side pays for the write-back of the other's leftovers. All servers live under
 * one temp root, removed at the end. PostgreSQL 15 (Debian's) by default;
 * `PGPLATFORM_BENCH_VERSION` picks another major.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findServerBinaries } from "../components/backends/local/binaries";
import { localParameters } from "../components/backends/local";
import { stopServer, usableBinDir } from "../components/backends/local/instance";
import { chownTree, execTool, freePort } from "../components/backends/local/process";
import { LocalServerSpec, createServer, destroyServer } from "../components/backends/local/server";
import { ServiceUser, serviceUser } from "../components/backends/local/serviceUser";
import { DEFAULTS } from "../components/model/defaults";
import { PLANS } from "../components/model/plans";
import { randomPassword, tempRoot } from "../test/harness/postgres";
import { BenchFigure, Figure, connectOnce, median, note, now, roundsFromEnv, track } from "./figure";

const REPO_ROOT = path.resolve(__dirname, "..");

/** The parameters a dev_single local server runs with, as the local back end computes them. */
function devSingleParameters(): Record<string, string> {
  return localParameters(PLANS.dev_single);
}

async function tool(bin: string, args: string[], user: ServiceUser, what: string, cwd: string): Promise<void> {
  const r = await execTool(bin, args, user, { cwd });
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${`${r.stderr}${r.stdout}`.trim().split("\n").slice(-8).join("\n")}`);
}

/** Flushes dirty pages (the previous sample's data and its removal) before a timed sample. */
function settle(): void {
  execFileSync("sync", { stdio: "ignore" });
}

interface Env {
  version: string;
  root: string;
  user: ServiceUser;
  binDir: string;
}

/** One timed create of a dev single through `createServer`; cleans up (untimed) before returning. */
async function oursOnce(env: Env, label: string): Promise<number> {
  const spec: LocalServerSpec = {
    resourceId: `p3-ours-${label}`,
    version: env.version,
    dataRoot: env.root,
    allowedCidrs: [...DEFAULTS.allowedCidrs],
    superuser: DEFAULTS.superuser,
    superuserPassword: randomPassword(DEFAULTS.passwordLength),
    databaseName: DEFAULTS.databaseName,
    username: DEFAULTS.username,
    password: randomPassword(DEFAULTS.passwordLength),
    parameters: devSingleParameters(),
    binarySearchPaths: [REPO_ROOT],
  };
  const cleanup = track(() => destroyServer(env.root, spec.resourceId));
  try {
    settle();
    const t0 = now();
    const state = await createServer(spec);
    if (state.status !== "RUNNING") throw new Error(`createServer returned status ${state.status}`);
    if (state.binDir !== env.binDir) throw new Error(`createServer used ${state.binDir}, the floor uses ${env.binDir}`);
    await connectOnce({ port: state.port, user: spec.username, password: spec.password, database: spec.databaseName });
    return now() - t0;
  } finally {
    await cleanup();
  }
}

/** One timed bare initdb + pg_ctl start + superuser connection; cleans up (untimed) before returning. */
async function floorOnce(env: Env, label: string): Promise<number> {
  const dir = path.join(env.root, `p3-floor-${label}`);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  const superuser = DEFAULTS.superuser;
  const password = randomPassword(DEFAULTS.passwordLength);
  const cleanup = track(async () => {
    if (fs.existsSync(path.join(dataDir, "postmaster.pid"))) {
      const r = await execTool(path.join(env.binDir, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "-s", "stop"], env.user, { cwd: dir });
      // Fall back to signals (needs no binaries) if pg_ctl could not stop it.
      if (r.code !== 0) await stopServer({ instanceDir: dir, dataDir, logFile, marker: path.join(dir, "none") });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  try {
    settle();
    const t0 = now();
    fs.mkdirSync(dir, { mode: 0o700 });
    chownTree(dir, env.user);
    const pwfile = path.join(dir, ".pwfile");
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    chownTree(pwfile, env.user);
    await tool(
      path.join(env.binDir, "initdb"),
      ["-D", dataDir, "-U", superuser, `--pwfile=${pwfile}`, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--data-checksums"],
      env.user,
      "initdb",
      dir,
    );
    fs.rmSync(pwfile, { force: true });
    const port = await freePort();
    // pg_ctl runs postgres through /bin/sh, so '' is an empty value.
    const opts = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    await tool(path.join(env.binDir, "pg_ctl"), ["-D", dataDir, "-l", logFile, "-o", opts, "-w", "-t", "60", "-s", "start"], env.user, "pg_ctl start", dir);
    await connectOnce({ port, user: superuser, password, database: "postgres" });
    return now() - t0;
  } finally {
    await cleanup();
  }
}

async function run(): Promise<Figure> {
  const version = process.env.PGPLATFORM_BENCH_VERSION || "15";
  const rounds = roundsFromEnv();
  const root = tempRoot("pgplatform-bench-p3-");
  const removeRoot = track(async () => fs.rmSync(root, { recursive: true, force: true }));
  try {
    const user = serviceUser();
    const bins = findServerBinaries(version, [REPO_ROOT]);
    const env: Env = { version, root, user, binDir: usableBinDir(bins, root, user) };
    note(`P3: PostgreSQL ${version} from ${env.binDir} (${bins.source}), run as ${user.name}; 1 warm-up pair + ${rounds} rounds`);
    await oursOnce(env, "warmup");
    await floorOnce(env, "warmup");
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      ours.push(await oursOnce(env, String(i)));
      floor.push(await floorOnce(env, String(i)));
      note(`P3 round ${i}/${rounds}: ours ${ours[i - 1].toFixed(3)} s, floor ${floor[i - 1].toFixed(3)} s`);
    }
    return { ours: median(ours), floor: median(floor), rounds, samples: { ours, floor } };
  } finally {
    await removeRoot();
  }
}

export const p3: BenchFigure = { id: "P3", name: "local-dev-ready", run };
