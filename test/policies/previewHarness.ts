/**
 * A preview with the pack, without the engine (see preview.test.ts): run a program under strict
 * mocks as `pulumi preview` would, capture what the engine would hand the analyzers, and judge it.
 */
import * as path from "path";
import { RESOURCE_POLICIES } from "../../policies/rules";
import { STACK_POLICIES } from "../../policies/rules/quotas";
import { exampleCalls, exampleHandlers } from "../harness/handlers";
import { setStrictMocks, settle } from "../harness/mocks";
import { Seen, captureEngineView, waitForRPCs } from "./quotas/capture";
import { Diagnostic, PackConfig, analyzeResource, analyzeStack } from "./quotas/harness";

export const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");
const LIBRARY = path.resolve(__dirname, "..", "..", "components", "index.ts");

/** Runs `program` under strict mocks (preview) and returns every resource it registered, as the engine saw it. */
export async function preview(program: () => void): Promise<Seen[]> {
  const mocks = setStrictMocks(exampleHandlers(), { preview: true, allowComponents: ["pgplatform:index:*"], calls: exampleCalls(), config: { "pgplatform:localDataRoot": "/srv/pgplatform" } });
  const view = captureEngineView();
  program();
  await settle(mocks);
  await waitForRPCs();
  mocks.assertNoUnexpected();
  return view.seen();
}

/** Every diagnostic the pack gives a previewed program: Analyze per resource, then AnalyzeStack. */
export async function judge(seen: Seen[], config?: PackConfig): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const s of seen) out.push(...(await analyzeResource(RESOURCE_POLICIES, s.analyze, config)));
  out.push(...(await analyzeStack(STACK_POLICIES, seen.map((s) => s.stack), config)));
  return out;
}

/** Runs an example's index.ts fresh (the module cache would skip it) with "pgplatform" resolved to this checkout. */
export function runExample(dir: string): () => void {
  return () => {
    const Module = require("module");
    const original = Module._resolveFilename;
    const file = require.resolve(path.join(EXAMPLES, dir, "index.ts"));
    Module._resolveFilename = function (request: string, ...rest: unknown[]) {
      return original.call(this, request === "pgplatform" ? LIBRARY : request, ...rest);
    };
    try {
      delete require.cache[file];
      require(file);
    } finally {
      delete require.cache[file];
      Module._resolveFilename = original;
    }
  };
}

