/**
 * P5 blue-green-cutover: the write pause an application sees at the cut-over of a local blue-green
 * upgrade (PostgreSQL 15 → 16), and the acknowledged rows lost, against the floor.
 *
 * Each round starts a fresh blue 15 (`wal_level=logical`, 20,000 rows) and green 16, prepares the
 * upgrade (schema copy, publication, subscription, initial copy, catch-up), and keeps one writer
 * inserting on one persistent connection. The pause is the longest gap between two consecutive
 * acknowledged inserts around the cut-over.
 *
 * Ours: the writer goes through the stable endpoint (PgBouncer); the cut-over is the provider's
 * (PAUSE, blue read-only and its sessions ended, catch-up to blue's LSN, sequences copied, the
 * reverse slot readied, the endpoint pointed at green, RESUME). Floor: what any cut-over needs at
 * least: the writer, connected to blue directly, stops; the wait until green confirmed blue's LSN;
 * the writer connects to green directly and writes. No endpoint, no sequences, no reverse stream.
 * Rows lost: acknowledged inserts missing on green afterwards, summed over the rounds (goal: 0).
 */
import { freePort } from "../components/backends/local/process";
import { EndpointSpec, destroyEndpoint, startEndpoint } from "../components/backends/local/upgrade/endpoint";
import { prepare } from "../components/backends/local/upgrade/prepare";
import { withSide } from "../components/backends/local/upgrade/sql";
import { cutover, targetOf } from "../components/backends/local/upgrade/switch";
import { SideLogin, UpgradePlan, replicationNames } from "../components/backends/local/upgrade/types";
import { currentLsn, waitForConfirmed } from "../components/providers/sql/replication";
import { TestPostgres, startTestPostgres, query } from "../test/harness/postgres";
import { BenchFigure, Figure, median, note, roundsFromEnv, track } from "./figure";

function side(t: TestPostgres, version: string): SideLogin {
  return { host: "127.0.0.1", port: t.port, superuser: t.superuser, superuserPassword: t.password, database: "app", appUser: "app", appPassword: t.appPassword, version };
}

/** A writer on one connection that can be moved to another URI; records ack times and ids. */
class Writer {
  acks: { id: number; at: number }[] = [];
  private client: any;
  private stopping = false;
  private loop?: Promise<void>;
  constructor(private uri: string) {}
  async start(): Promise<void> {
    this.client = await this.connect(this.uri);
    this.loop = this.write();
  }
  private async connect(uri: string): Promise<any> {
    const { Client } = require("pg");
    const c = new Client({ connectionString: uri });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  }
  private async write(): Promise<void> {
    while (!this.stopping) {
      try {
        const r = await this.client.query("INSERT INTO orders (amount) VALUES (1) RETURNING id");
        this.acks.push({ id: Number(r.rows[0].id), at: Date.now() });
      } catch {
        await new Promise((res) => setTimeout(res, 5));
      }
    }
  }
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.client.end().catch(() => undefined);
  }
  /** Moves the writer to `uri` (stop, reconnect, go on), as a hand-made cut-over does. */
  async moveTo(uri: string, between: () => Promise<void>): Promise<void> {
    await this.stop();
    await between();
    this.stopping = false;
    this.client = await this.connect(uri);
    this.loop = this.write();
  }
  maxGapMs(from: number): number {
    let gap = 0;
    for (let i = 1; i < this.acks.length; i++) if (this.acks[i].at >= from) gap = Math.max(gap, this.acks[i].at - this.acks[i - 1].at);
    return gap;
  }
}

async function lost(green: TestPostgres, w: Writer): Promise<number> {
  const ids = new Set((await query(green.appUri, "SELECT id FROM orders")).map((r: any) => Number(r.id)));
  return w.acks.filter((a) => !ids.has(a.id)).length;
}

async function round(ours: boolean): Promise<{ pauseMs: number; lost: number }> {
  const [blue, green] = await Promise.all([
    startTestPostgres({ version: "15", parameters: { wal_level: "logical" } }),
    startTestPostgres({ version: "16", parameters: { wal_level: "logical" } }),
  ]);
  const endpoint: EndpointSpec = { id: "p5-endpoint", dataRoot: blue.dataRoot, database: "app", clientUser: "app", clientPassword: blue.appPassword, consolePassword: "p5console" };
  const cleanup = track(async () => {
    await destroyEndpoint(blue.dataRoot, endpoint.id);
    await Promise.all([blue.stop(), green.stop()]);
  });
  try {
    await query(blue.appUri, "CREATE TABLE orders (id bigserial PRIMARY KEY, amount int); INSERT INTO orders (amount) SELECT 1 FROM generate_series(1, 20000)");
    const plan: UpgradePlan = { id: "p5", blue: side(blue, "15"), green: side(green, "16"), tablesWithoutPrimaryKey: "refuse", maxWritePauseSeconds: 30, prepareTimeoutSeconds: 300 };
    const port = await startEndpoint({ ...endpoint, port: await freePort() }, targetOf(plan.blue));
    await prepare(plan, []);
    const w = new Writer(ours ? `postgresql://app:${blue.appPassword}@127.0.0.1:${port}/app` : blue.appUri);
    await w.start();
    await new Promise((r) => setTimeout(r, 1000));
    const from = Date.now();
    if (ours) await cutover(plan, endpoint, port, []);
    else {
      await w.moveTo(green.appUri, async () => {
        const slot = replicationNames(plan.id).subscription;
        const target = await withSide(plan.blue, currentLsn);
        await withSide(plan.blue, (c) => waitForConfirmed(c, slot, target, Date.now() + 30_000));
        // The floor does not copy sequences: green's would restart at 1. Count on ids that do not clash.
        await query(green.adminUri.replace(/\/postgres$/, "/app"), "SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))");
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    await w.stop();
    return { pauseMs: w.maxGapMs(from), lost: await lost(green, w) };
  } finally {
    await cleanup();
  }
}

export const p5: BenchFigure = {
  id: "P5",
  name: "blue-green-cutover",
  async run(): Promise<Figure> {
    const rounds = roundsFromEnv(3);
    const samples = { ours: [] as number[], floor: [] as number[] };
    let lostOurs = 0;
    let lostFloor = 0;
    for (let i = 0; i < rounds; i++) {
      const o = await round(true);
      const f = await round(false);
      samples.ours.push(o.pauseMs / 1000);
      samples.floor.push(f.pauseMs / 1000);
      lostOurs += o.lost;
      lostFloor += f.lost;
      note(`P5 round ${i + 1}: ours pause ${o.pauseMs} ms lost ${o.lost}; floor pause ${f.pauseMs} ms lost ${f.lost}`);
    }
    return { ours: median(samples.ours), floor: median(samples.floor), rounds, samples, details: `rows lost ours=${lostOurs} floor=${lostFloor}` };
  },
};
