/**
 * P1 tenants-under-mocks: what the components cost a program of 1,000 tenants, in time and memory,
 * against the same primitives registered directly.
 *
 * The program (bench/p1-program.ts, one side per child process, run as Pulumi runs a TypeScript
 * program: ts-node, transpile only, with its source-map support) declares under Pulumi mocks one
 * shared db_resource, 1,000 `TenantDatabase`s on it (modes alternate, every third with
 * `quotas: { maxConnections: 5, maxStorageGb: 1 }`) and 20 `PgSingle`s. The shared db_resource is a
 * `PgSingle` (plan `small_single`, backups off) on the local back end, standing in for the shared
 * `PgCluster` of the tenants issue, since PgCluster has no back end yet.
 *
 * - Ours: the components.
 * - Floor: the same custom resources (RandomPassword, LocalServer, Role, Database, Schema, Grants,
 *   TenantQuota, CatalogRecord) with the same inputs, protect and dependencies, constructed directly.
 *
 * One untimed pair runs first in `verify` mode and must show both sides sending the engine the
 * same 5,417 custom resources (type, name, inputs with their secrets and the serialized provider's
 * hash, protect, dependencies); then `rounds` rounds, the side that goes first alternating, each
 * sample in a fresh process: the time from the first resource constructed until every
 * registration (and ours' registerOutputs) has been answered and resolved, and the process's peak
 * RSS (VmHWM). Medians of each side. The mock's answers are identical for both sides.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchFigure, Figure, median, note, roundsFromEnv, track } from "./figure";
import { expectedCounts } from "./p1-program";

const REPO_ROOT = path.resolve(__dirname, "..");
const PROGRAM = path.join(__dirname, "p1-program.ts");
const MIB = 1024 * 1024;

type Side = "ours" | "floor";

interface Sample {
  side: Side;
  seconds: number;
  constructSeconds: number;
  custom: number;
  components: number;
  peakRssBytes: number;
  peakHeapBytes: number;
}

/** Runs the program for one side in a fresh node process; returns what it printed. */
async function runSide(side: Side, extra: string[] = []): Promise<Sample> {
  let child: ChildProcess | undefined;
  const kill = track(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  try {
    child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", PROGRAM, side, ...extra], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child!.on("error", reject);
      child!.on("close", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`p1-program ${side} ${extra.join(" ")} exited ${code}: ${stderr.trim().split("\n").slice(-12).join("\n")}`);
    const last = stdout.trim().split("\n").pop() ?? "";
    return JSON.parse(last) as Sample;
  } finally {
    await kill();
  }
}

/** The untimed first pair: both sides must register the same custom resources. */
async function verifySameResources(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-bench-p1-"));
  const remove = track(async () => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    const files = { ours: path.join(dir, "ours.json"), floor: path.join(dir, "floor.json") };
    for (const side of ["ours", "floor"] as const) {
      const s = await runSide(side, ["verify", files[side]]);
      note(`P1 verify ${side}: ${s.custom} custom resources, ${s.components} components (${s.seconds.toFixed(1)} s with capture)`);
    }
    const ours = JSON.parse(fs.readFileSync(files.ours, "utf8")) as { name: string }[];
    const floor = JSON.parse(fs.readFileSync(files.floor, "utf8")) as { name: string }[];
    const want = expectedCounts().custom;
    if (ours.length !== want || floor.length !== want) throw new Error(`P1 verify: ours registered ${ours.length} custom resources, the floor ${floor.length}; expected ${want}`);
    const differ = ours.map((o, i) => [o, floor[i]] as const).filter(([o, f]) => JSON.stringify(o) !== JSON.stringify(f));
    if (differ.length > 0) {
      const [o, f] = differ[0];
      throw new Error(
        `P1 verify: ${differ.length} of ${want} custom resources differ between ours and the floor; the first:\n  ours:  ${JSON.stringify(o).slice(0, 1500)}\n  floor: ${JSON.stringify(f).slice(0, 1500)}`,
      );
    }
    note(`P1 verify: both sides send the same ${want} custom resources (type, name, inputs, secrets, provider, protect, dependencies)`);
  } finally {
    await remove();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / MIB)} MB`;

async function run(): Promise<Figure> {
  const rounds = roundsFromEnv();
  const { custom, components } = expectedCounts();
  note(`P1: ${custom} custom resources (+${components} components on our side) under Pulumi mocks; node ${process.version}, ts-node transpile-only; 1 verify pair + ${rounds} rounds`);
  await verifySameResources();
  const samples: Record<Side, Sample[]> = { ours: [], floor: [] };
  for (let i = 1; i <= rounds; i++) {
    const order: Side[] = i % 2 === 1 ? ["ours", "floor"] : ["floor", "ours"];
    for (const side of order) samples[side].push(await runSide(side));
    const [o, f] = [samples.ours[i - 1], samples.floor[i - 1]];
    note(
      `P1 round ${i}/${rounds} (${order[0]} first): ` +
        `ours ${o.seconds.toFixed(2)} s (constructing ${o.constructSeconds.toFixed(2)} s), peak RSS ${mb(o.peakRssBytes)}, peak heap ${mb(o.peakHeapBytes)}; ` +
        `floor ${f.seconds.toFixed(2)} s (constructing ${f.constructSeconds.toFixed(2)} s), peak RSS ${mb(f.peakRssBytes)}, peak heap ${mb(f.peakHeapBytes)}`,
    );
  }
  const med = (side: Side, k: keyof Sample) => median(samples[side].map((s) => s[k] as number));
  note(
    `P1 medians: constructing ours ${med("ours", "constructSeconds").toFixed(2)} s, floor ${med("floor", "constructSeconds").toFixed(2)} s; ` +
      `peak heap ours ${mb(med("ours", "peakHeapBytes"))}, floor ${mb(med("floor", "peakHeapBytes"))} (ratio ${(med("ours", "peakHeapBytes") / med("floor", "peakHeapBytes")).toFixed(2)})`,
  );
  return {
    ours: med("ours", "seconds"),
    floor: med("floor", "seconds"),
    rounds,
    samples: { ours: samples.ours.map((s) => s.seconds), floor: samples.floor.map((s) => s.seconds) },
    memory: { ours: med("ours", "peakRssBytes"), floor: med("floor", "peakRssBytes") },
  };
}

export const p1: BenchFigure = { id: "P1", name: "tenants-under-mocks", run };
