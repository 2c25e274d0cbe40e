/**
 * Shared by the failover test and the P4 bench: writers that keep persistent connections to a
 * cluster's write endpoint and insert ids they remember once acknowledged; a kill -9 of the
 * primary's Patroni and postmaster in one go; and the count of acknowledged ids missing afterwards.
 */
import * as fs from "fs";
import { runningPostmaster } from "../../components/backends/local/process";
import { readView } from "../../components/backends/local/cluster/patroni";
import { memberPid } from "../../components/backends/local/cluster/processes";
import { ClusterLayout, LocalClusterSpec, clusterPaths, memberPaths } from "../../components/backends/local/cluster/spec";

/** Where writers connect: the write endpoint and the application's credentials. */
export interface WriteTarget {
  port: number;
  user: string;
  password: string;
  database: string;
}

/** One acknowledged insert. */
interface Ack {
  id: number;
  at: number;
  /** When the connection that made it was opened. */
  connectedAt: number;
}

/** Writers running against a target; stop() ends them. */
export class Writers {
  readonly acks: Ack[] = [];
  errors = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly target: WriteTarget, private readonly table: string) {}

  /** Creates the table (through the write endpoint) and starts `n` writers. */
  async start(n: number): Promise<void> {
    const c = await this.connect();
    await c.query(`CREATE TABLE IF NOT EXISTS ${this.table} (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
    await c.end();
    for (let w = 0; w < n; w++) this.loops.push(this.loop(w));
  }

  private async connect(): Promise<any> {
    const { Client } = require("pg");
    const c = new Client({ host: "127.0.0.1", ...this.target, connectionTimeoutMillis: 2_000, query_timeout: 10_000 });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  }

  private async loop(w: number): Promise<void> {
    let seq = 0;
    let client: any;
    let connectedAt = 0;
    while (!this.stopped) {
      try {
        if (!client) {
          client = await this.connect();
          connectedAt = Date.now();
        }
        const id = w * 1_000_000_000 + ++seq;
        await client.query(`INSERT INTO ${this.table} (id) VALUES ($1)`, [id]);
        this.acks.push({ id, at: Date.now(), connectedAt });
      } catch {
        this.errors++;
        client?.end().catch(() => undefined);
        client = undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await client?.end().catch(() => undefined);
  }

  /** Resolves when a commit is acknowledged on a connection opened after `since`; the time of that commit. */
  async firstWriteAfter(since: number, timeoutMs = 60_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const a = this.acks.find((x) => x.connectedAt > since && x.at > since);
      if (a) return a.at;
      if (Date.now() > until) throw new Error(`no write through the endpoint within ${timeoutMs / 1000} s after the kill`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** Acknowledged ids missing from the table, as the current primary holds it. */
  async lost(): Promise<number[]> {
    const c = await this.connect();
    try {
      const have = new Set<number>((await c.query(`SELECT id FROM ${this.table}`)).rows.map((r: any) => Number(r.id)));
      return this.acks.map((a) => a.id).filter((id) => !have.has(id));
    } finally {
      await c.end();
    }
  }
}

/** What a kill did: whom it killed, when. */
export interface Kill {
  member: string;
  patroniPid: number;
  postmasterPid: number;
  at: number;
}

/** kill -9 of the primary's Patroni and postmaster in one call (as a crash of the node would). */
export async function killPrimary(spec: Pick<LocalClusterSpec, "dataRoot" | "resourceId">, layout: ClusterLayout): Promise<Kill> {
  const view = await readView(layout.members);
  if (!view?.leader) throw new Error("no primary to kill");
  const dir = clusterPaths(spec.dataRoot, spec.resourceId).dir;
  const patroniPid = memberPid(dir, view.leader);
  const pm = runningPostmaster(memberPaths(dir, view.leader).dataDir);
  if (!patroniPid || !pm) throw new Error(`primary ${view.leader} has no live Patroni or postmaster`);
  process.kill(patroniPid, "SIGKILL");
  process.kill(pm.pid, "SIGKILL");
  return { member: view.leader, patroniPid, postmasterPid: pm.pid, at: Date.now() };
}

/** True when no process of `pid` is left (zombies count as gone). */
export function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
