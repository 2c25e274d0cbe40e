/**
 * P6 policy-overhead: what evaluating the pack costs at `pulumi preview --policy-pack`, over
 * {@link TOTAL} resources, against the same run with no policy.
 *
 * The stack is bench/p6-stack.ts: a realistic mix of component args, components' registered
 * outputs and primitives (dynamic resources with their ~57 KB `__provider`, RDS instances, CNPG
 * clusters), as the engine sends them. Each request is encoded once, outside the timing, to the
 * bytes the engine would send (`serializeBinary`).
 *
 * One side is what the pack's process does for a preview: for each resource, decode the
 * `AnalyzeRequest` bytes, run the SDK's own `Analyze` handler (`makeAnalyzeRpcFun`: properties
 * deserialized, unknown-checking proxy, enforcement levels), encode the response; then decode the
 * one `AnalyzeStackRequest` over all resources, run `AnalyzeStack`, encode the response.
 * - **Ours**: the handlers serve every policy of the pack (RESOURCE_POLICIES, and STACK_POLICIES: the
 *   quotas and the rules over several resources), with the code's default config (what the engine
 *   sends when no `--policy-pack-config` is given), and, as the pack's entry file sets up, one decode
 *   of a resource's properties per request shared by its rules (policies/sharedProperties.ts,
 *   installed by the harness).
 * - **Floor**: the same decode, handler calls and responses, with an empty policy list: the cost any
 *   pack pays to receive the resources, with nothing judged.
 *
 * One untimed warm-up round, then rounds in which both sides run side by side (see {@link round}:
 * the `Analyze` requests in blocks served by one side then the other, the order alternating; the
 * `AnalyzeStack` request twice per side, A-B-B-A, after a full garbage collection each); the ratio is
 * the median of the rounds' own ratios (each round is a pair), with each side's median round total. The per-part split (Analyze vs AnalyzeStack), each round's ratio and the number of
 * diagnostics (0 on both sides: the mix is compliant) go to stderr.
 */
import * as v8 from "v8";
import * as vm from "vm";
import { RESOURCE_POLICIES } from "../policies/rules";
import { STACK_POLICIES } from "../policies/rules/quotas";
import { sharingDeserializedProperties } from "../policies/sharedProperties";
import { PACK_PROTO, PackHandlers, analyzeRequest, analyzeStackRequest, packHandlers } from "../test/policies/quotas/harness";
import { BenchFigure, Figure, median, note, now, roundsFromEnv } from "./figure";
import { TOTAL, buildStack } from "./p6-stack";

const pb = PACK_PROTO.pb;

/** The requests as the engine sends them: one `Analyze` per resource, one `AnalyzeStack`. */
interface Encoded {
  analyze: Uint8Array[];
  stack: Uint8Array;
}

/** What one side spent in one round. */
interface Pass {
  seconds: number;
  analyzeSeconds: number;
  stackSeconds: number;
  diagnostics: number;
}

/** Requests per block: each block runs on one side, then on the other (the order alternating). */
const BLOCK = 250;

type Side = "ours" | "floor";

async function encode(): Promise<Encoded> {
  const seen = await buildStack(TOTAL);
  const analyze = seen.map((s) => analyzeRequest(s.analyze).serializeBinary() as Uint8Array);
  const stack = analyzeStackRequest(seen.map((s) => s.stack)).serializeBinary() as Uint8Array;
  const mb = (analyze.reduce((n, b) => n + b.length, 0) + stack.length) / 1e6;
  note(`P6: ${seen.length} resources (${seen.filter((s) => !s.custom).length} components), ${mb.toFixed(0)} MB of requests`);
  return { analyze, stack };
}

/** A full garbage collection, so each sample starts from the same heap and pays only for its own garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** Serves `requests` with `h` as the pack's gRPC server would (decode, handle, encode the answer); returns the diagnostics. */
async function serveAnalyze(h: PackHandlers, requests: readonly Uint8Array[]): Promise<number> {
  let diagnostics = 0;
  for (const bytes of requests) {
    const resp = await h.analyze(pb.AnalyzeRequest.deserializeBinary(bytes));
    diagnostics += resp.getDiagnosticsList().length;
    resp.serializeBinary();
  }
  return diagnostics;
}

/**
 * One round, both sides side by side: the `Analyze` requests in blocks of {@link BLOCK}, each block
 * served by one side and then by the other (which goes first alternates), so a slow spell of the
 * machine falls on both sides alike; then the one `AnalyzeStack` request twice on each side (A-B-B-A,
 * each run counting half), after a full garbage collection each. Blocks are large enough (several MB of requests) that the young-generation
 * collections a side's garbage causes mostly run inside its own block.
 */
async function round(sides: Record<Side, PackHandlers>, enc: Encoded, index: number): Promise<Record<Side, Pass>> {
  const out: Record<Side, Pass> = { ours: { seconds: 0, analyzeSeconds: 0, stackSeconds: 0, diagnostics: 0 }, floor: { seconds: 0, analyzeSeconds: 0, stackSeconds: 0, diagnostics: 0 } };
  collectGarbage();
  for (let b = 0, start = 0; start < enc.analyze.length; b++, start += BLOCK) {
    const block = enc.analyze.slice(start, start + BLOCK);
    for (const side of (b + index) % 2 === 0 ? (["ours", "floor"] as const) : (["floor", "ours"] as const)) {
      const t = now();
      out[side].diagnostics += await serveAnalyze(sides[side], block);
      out[side].analyzeSeconds += now() - t;
    }
  }
  // Twice per side, in A-B-B-A order, each counting half: a drift of the machine during the round cancels out.
  const [a, b] = index % 2 === 0 ? (["ours", "floor"] as const) : (["floor", "ours"] as const);
  for (const side of [a, b, b, a]) {
    collectGarbage();
    const t = now();
    const resp = await sides[side].analyzeStack(pb.AnalyzeStackRequest.deserializeBinary(enc.stack));
    out[side].diagnostics += resp.getDiagnosticsList().length / 2;
    resp.serializeBinary();
    out[side].stackSeconds += (now() - t) / 2;
  }
  for (const side of ["ours", "floor"] as const) out[side].seconds = out[side].analyzeSeconds + out[side].stackSeconds;
  return out;
}

const show = (p: Pass) => `${p.seconds.toFixed(3)} s (Analyze ${p.analyzeSeconds.toFixed(3)} s, AnalyzeStack ${p.stackSeconds.toFixed(3)} s, ${p.diagnostics} diagnostics)`;

async function run(): Promise<Figure> {
  const rounds = roundsFromEnv();
  const enc = await encode();
  const sides = { ours: packHandlers([...RESOURCE_POLICIES, ...STACK_POLICIES]), floor: packHandlers([]) };
  if (!sharingDeserializedProperties()) throw new Error("the pack's rules must share one decode per request, as policies/index.ts sets up");
  note(`P6: ${RESOURCE_POLICIES.length} resource rules, ${STACK_POLICIES.length} stack rules; warm-up`);
  const warm = await round(sides, enc, 0);
  note(`P6 warm-up: ours ${show(warm.ours)}; floor ${show(warm.floor)}`);
  if (warm.floor.diagnostics !== 0) throw new Error(`the floor (no policy) reported ${warm.floor.diagnostics} diagnostics`);
  const samples = { ours: [] as number[], floor: [] as number[] };
  const parts = { ours: [] as Pass[], floor: [] as Pass[] };
  for (let i = 0; i < rounds; i++) {
    const r = await round(sides, enc, i + 1);
    for (const side of ["ours", "floor"] as const) {
      samples[side].push(r[side].seconds);
      parts[side].push(r[side]);
    }
    note(`P6 round ${i + 1}: ours ${show(r.ours)}; floor ${show(r.floor)}; ratio ${(r.ours.seconds / r.floor.seconds).toFixed(3)}`);
  }
  const part = (k: "analyzeSeconds" | "stackSeconds") => median(parts.ours.map((p) => p[k])) / median(parts.floor.map((p) => p[k]));
  note(`P6 parts (ours / floor, medians): Analyze (resource rules) ${part("analyzeSeconds").toFixed(2)}, AnalyzeStack (stack rules) ${part("stackSeconds").toFixed(2)}`);
  const pairedRatio = median(samples.ours.map((o, i) => o / samples.floor[i]));
  return { ours: median(samples.ours), floor: median(samples.floor), rounds, samples, pairedRatio };
}

/** The figure, as bench/figures.ts lists it. */
export const p6: BenchFigure = { id: "P6", name: "policy-overhead", run };
