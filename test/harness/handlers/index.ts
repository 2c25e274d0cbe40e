/**
 * Mock handlers for every resource type the examples may register, merged from one file per back
 * end (./local.ts, ./kubernetes.ts, ./aws.ts), so each back end adds its types without touching
 * the tests that run the examples (test/e2e/examples.test.ts, test/policies/preview.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { CallHandler, Handler } from "../mocks";

/** The modules of this folder but this one. */
function modules(): any[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => f !== "index.ts" && f.endsWith(".ts"))
    .sort()
    .map((f) => require(path.join(__dirname, f)));
}

/** Every resource handler of every back end, by type. A file here exports `handlers(): Record<string, Handler>`. */
export function exampleHandlers(): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const m of modules()) Object.assign(out, m.handlers());
  return out;
}

/** Every invoke handler of every back end, by token. A file here may export `calls(): Record<string, CallHandler>`. */
export function exampleCalls(): Record<string, CallHandler> {
  const out: Record<string, CallHandler> = {};
  for (const m of modules()) if (typeof m.calls === "function") Object.assign(out, m.calls());
  return out;
}
