/**
 * What a benchmark figure is, how its result line is printed, and the shared helpers the figures
 * use: a monotonic clock, the median, one-shot connections, and cleanup of what a run started
 * (so an interrupted run leaves no server or temp directory behind).
 */
import { Client } from "pg";

/** The result of one figure: our time against the floor's, both medians over `rounds`. */
export interface Figure {
  /** Median of our times, seconds. */
  ours: number;
  /** Median of the floor's times, seconds. */
  floor: number;
  /** Rounds per side the medians are taken over. */
  rounds: number;
  /** Every timed sample, seconds, in the order they ran (printed to stderr, not part of the line). */
  samples: { ours: number[]; floor: number[] };
}

/** A benchmark figure as the registry lists it. */
export interface BenchFigure {
  /** Short id given on the command line: `P3`. */
  id: string;
  /** Slug printed after the id: `local-dev-ready`. */
  name: string;
  run(): Promise<Figure>;
}

/** The one line a figure prints: `P3 local-dev-ready: ratio=1.12 (ours 1.40 s, floor 1.25 s, median of 5)`. */
export function formatLine(f: BenchFigure, r: Figure): string {
  return `${f.id} ${f.name}: ratio=${(r.ours / r.floor).toFixed(2)} (ours ${r.ours.toFixed(2)} s, floor ${r.floor.toFixed(2)} s, median of ${r.rounds})`;
}

/** Seconds since an arbitrary origin, monotonic. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of no samples");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Rounds per side: 5, or `PGPLATFORM_BENCH_ROUNDS`. */
export function roundsFromEnv(): number {
  const raw = process.env.PGPLATFORM_BENCH_ROUNDS;
  if (raw === undefined || raw === "") return 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`PGPLATFORM_BENCH_ROUNDS must be a positive integer; got ${JSON.stringify(raw)}`);
  return n;
}

/** Opens one connection over 127.0.0.1, runs `SELECT 1`, closes it; throws when any step fails. */
export async function connectOnce(c: { port: number; user: string; password: string; database: string }): Promise<void> {
  const client = new Client({ host: "127.0.0.1", port: c.port, user: c.user, password: c.password, database: c.database, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Progress and raw samples go to stderr, so stdout holds only the result lines. */
export function note(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const pending = new Set<() => Promise<void>>();

/** Registers a cleanup to run if the process is interrupted; returns a function that runs it once and unregisters it. */
export function track(cleanup: () => Promise<void>): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    pending.delete(once);
    await cleanup();
  };
  pending.add(once);
  return once;
}

/** Runs every registered cleanup (newest first), ignoring their errors. */
export async function cleanupAll(): Promise<void> {
  for (const c of [...pending].reverse()) await c().catch(() => undefined);
}
