/**
 * Starting, finding and stopping the processes of a local cluster: etcd, one Patroni per member
 * (each runs its own PostgreSQL), HAProxy. Each is a detached daemon as the service user, found
 * again from its pid file.
 */
import * as fs from "fs";
import * as path from "path";
import { execTool, runningPostmaster } from "../process";
import { ServiceUser } from "../serviceUser";
import { daemonPid, startDaemon, stopDaemon, stopPid, tail, waitUntil } from "./daemon";
import { statusOf } from "./rest";
import { ClusterLayout, ClusterMember, clusterPaths, memberPaths } from "./spec";

/** Where a tool is, searched on PATH then in the Debian locations; throws how to install it when absent. */
export function toolPath(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error(`\`${name}\` was not found on this machine; the local back end runs a PgCluster with it: install it with \`apt-get install ${debianPackage}\``);
}

/** Starts the cluster's single etcd member and waits until it is healthy. */
export async function startEtcd(dataRoot: string, resourceId: string, layout: ClusterLayout, user: ServiceUser): Promise<void> {
  const p = clusterPaths(dataRoot, resourceId);
  if (daemonPid(p.etcdPid, p.etcdData)) return;
  const { etcdClient: c, etcdPeer: peer } = layout.ports;
  startDaemon(
    {
      bin: toolPath("etcd", "etcd-server"),
      args: [
        "--name", "etcd0",
        "--data-dir", p.etcdData,
        "--listen-client-urls", `http://127.0.0.1:${c}`,
        "--advertise-client-urls", `http://127.0.0.1:${c}`,
        "--listen-peer-urls", `http://127.0.0.1:${peer}`,
        "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`,
        "--initial-cluster", `etcd0=http://127.0.0.1:${peer}`,
        "--initial-cluster-state", "new",
        "--initial-cluster-token", resourceId,
        "--auto-compaction-retention", "1",
      ],
      logFile: p.etcdLog,
      pidFile: p.etcdPid,
      marker: p.etcdData,
      cwd: p.dir,
    },
    user,
  );
  await waitUntil("etcd to answer /health", 30_000, async () => (await statusOf(c, "/health")) === 200).catch((err) => {
    throw new Error(`${err.message}\n${tail(p.etcdLog)}`);
  });
}

/** Starts one member's Patroni (which starts its PostgreSQL) unless it runs. */
export function startMember(clusterDir: string, m: ClusterMember, user: ServiceUser): void {
  const mp = memberPaths(clusterDir, m.name);
  if (daemonPid(mp.pid, mp.config)) return;
  // A postmaster killed out of band leaves a postmaster.pid that a zombie or a reused pid may match.
  if (fs.existsSync(mp.dataDir) && !runningPostmaster(mp.dataDir)) fs.rmSync(path.join(mp.dataDir, "postmaster.pid"), { force: true });
  startDaemon({ bin: toolPath("patroni", "patroni"), args: [mp.config], logFile: mp.log, pidFile: mp.pid, marker: mp.config, cwd: mp.dir }, user);
}

/** The pid of a member's Patroni, when it runs. */
export function memberPid(clusterDir: string, name: string): number | undefined {
  const mp = memberPaths(clusterDir, name);
  return daemonPid(mp.pid, mp.config);
}

/** Stops a member: Patroni (SIGTERM stops its PostgreSQL cleanly), then any postmaster left behind. */
export async function stopMember(clusterDir: string, name: string, graceMs = 30_000): Promise<void> {
  const mp = memberPaths(clusterDir, name);
  await stopDaemon(mp.pid, mp.config, "SIGTERM", graceMs);
  const pm = fs.existsSync(mp.dataDir) ? runningPostmaster(mp.dataDir) : undefined;
  if (pm) await stopPid(pm.pid, "postgres", "SIGINT", 10_000);
}

/** (Re)starts HAProxy on `cfgFile`; a running one hands over its listeners and finishes its sessions (`-sf`). */
export async function startHaproxy(cfgFile: string, pidFile: string, logFile: string, cwd: string, user: ServiceUser, probePort: number): Promise<void> {
  const bin = toolPath("haproxy", "haproxy");
  const old = daemonPid(pidFile, cfgFile);
  const check = await execTool(bin, ["-c", "-q", "-f", cfgFile], user);
  if (check.code !== 0) throw new Error(`HAProxy refused its configuration ${cfgFile}: ${(check.stderr + check.stdout).trim().split("\n").slice(-5).join("\n")}`);
  const pid = startDaemon({ bin, args: ["-db", "-f", cfgFile, ...(old ? ["-sf", String(old)] : [])], logFile, pidFile, marker: cfgFile, cwd }, user);
  await waitUntil(`HAProxy to listen on 127.0.0.1:${probePort}`, 15_000, () => portOpen(probePort)).catch((err) => {
    throw new Error(`${err.message}\n${tail(logFile)}`);
  });
  if (!daemonPid(pidFile, cfgFile)) throw new Error(`HAProxy (pid ${pid}) exited at start:\n${tail(logFile)}`);
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  const net = require("net");
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on("connect", () => done(true));
    s.on("error", () => done(false));
  });
}

/** Stops every process of a cluster (members first, concurrently), then etcd. Idempotent. */
export async function stopCluster(dataRoot: string, resourceId: string, members: readonly string[]): Promise<void> {
  const p = clusterPaths(dataRoot, resourceId);
  await stopDaemon(p.haproxyPid, p.haproxyCfg, "SIGTERM", 5_000);
  const names = new Set(members);
  if (fs.existsSync(p.members)) for (const n of fs.readdirSync(p.members)) names.add(n);
  await Promise.all([...names].map((n) => stopMember(p.dir, n)));
  await stopDaemon(p.etcdPid, p.etcdData, "SIGTERM", 10_000);
}
