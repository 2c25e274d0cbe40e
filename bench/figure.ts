/**
 * What a benchmark figure is, how its result line is printed, and the shared helpers the figures
 * use: a monotonic clock, the median, one-shot connections, and cleanup of what a run started
 * (so an interrupted run leaves no server or temp directory behind).
 */
import { Client } from "pg";

/**
 * The result of one figure: our median against the floor's, both over `rounds`. By default the
 * values are times in seconds (lower is better); a figure that measures a rate sets `unit`
 * (`tenants/s`: higher is better). The ratio is ours / floor: the medians' ratio, or, for a figure
 * whose every round runs both sides side by side, the median of the rounds' own ratios (`pairedRatio`).
 */
export interface Figure {
  /** Median of our values: seconds, or `unit`. */
  ours: number;
  /** Median of the floor's values: seconds, or `unit`. */
  floor: number;
  /** Rounds per side the medians are taken over. */
  rounds: number;
  /** Every timed sample, in the order they ran (printed to stderr, not part of the line). */
  samples: { ours: number[]; floor: number[] };
  /** The unit of `ours` and `floor` when they are not seconds, e.g. `tenants/s` (printed with 1 decimal). */
  unit?: string;
  /** Peak memory of each side, bytes (medians over the same rounds); printed as a second ratio. */
  memory?: { ours: number; floor: number };
  /** What else the line says, printed last inside the parentheses (e.g. per-mode ratios). */
  details?: string;
  /**
   * The median of the rounds' own ours / floor ratios, when each round ran both sides side by side:
   * then it is the ratio printed (the medians of each side may come from different rounds, which a
   * slow spell of the machine makes unlike). @default - the medians' ratio
   */
  pairedRatio?: number;
}

/** A benchmark figure as the registry lists it. */
export interface BenchFigure {
  /** Short id given on the command line: `P3`. */
  id: string;
  /** Slug printed after the id: `local-dev-ready`. */
  name: string;
  run(): Promise<Figure>;
}

const MIB = 1024 * 1024;

/**
 * The one line a figure prints: `P3 local-dev-ready: ratio=1.12 (ours 1.40 s, floor 1.25 s, median of 5)`;
 * with `memory`: `...median of 5; memory ratio=1.05, ours 410 MB, floor 390 MB)`; with `details`,
 * `; <details>` before the closing parenthesis. Ratios are computed from the unrounded medians.
 */
export function formatLine(f: BenchFigure, r: Figure): string {
  const value = (x: number) => (r.unit === undefined ? `${x.toFixed(2)} s` : `${x.toFixed(1)} ${r.unit}`);
  const ratio = r.pairedRatio ?? r.ours / r.floor;
  const of = r.pairedRatio === undefined ? `median of ${r.rounds}` : `medians of ${r.rounds}; ratio: median of the ${r.rounds} rounds' own, each side by side`;
  let line = `${f.id} ${f.name}: ratio=${ratio.toFixed(2)} (ours ${value(r.ours)}, floor ${value(r.floor)}, ${of}`;
  if (r.memory) {
    const m = r.memory;
    line += `; memory ratio=${(m.ours / m.floor).toFixed(2)}, ours ${Math.round(m.ours / MIB)} MB, floor ${Math.round(m.floor / MIB)} MB`;
  }
  if (r.details) line += `; ${r.details}`;
  return `${line})`;
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

/** Rounds per side: the figure's default (5), or `PGPLATFORM_BENCH_ROUNDS`. */
export function roundsFromEnv(defaultRounds = 5): number {
  const raw = process.env.PGPLATFORM_BENCH_ROUNDS;
  if (raw === undefined || raw === "") return defaultRounds;
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
