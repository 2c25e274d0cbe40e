/**
 * Runs a Pulumi program under strict mocks (the handlers the examples use) and collects every
 * Kubernetes object it registers, as the provider would send it to the API server.
 */
import * as path from "path";
import { exampleCalls, exampleHandlers } from "../../test/harness/handlers";
import { setStrictMocks, settle, unwrapSecrets } from "../../test/harness/mocks";

/** One rendered Kubernetes object and where it came from. */
export interface RenderedObject {
  /** The program that made it (`example k8s-dev-single`, `PgSingle small_single production`, ...). */
  source: string;
  /** Its Pulumi name. */
  name: string;
  object: Record<string, any>;
}

/** A program to render: a label and a function that constructs components. */
export interface Program {
  label: string;
  run: () => void;
}

/** Removes `undefined` members (the SDK does not send them). */
function clean(v: any): any {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, clean(x)]));
  return v;
}

/** Runs `program` and returns the Kubernetes objects it registered; throws when it fails or registers an unknown type. */
export async function renderProgram(program: Program): Promise<RenderedObject[]> {
  const mocks = setStrictMocks(exampleHandlers(), {
    allowComponents: ["pgplatform:index:*", "pgplatform-test:*"],
    calls: exampleCalls(),
    config: { "pgplatform:catalog": "off" },
  });
  const errors: unknown[] = [];
  const onRejection = (e: unknown) => errors.push(e);
  process.on("unhandledRejection", onRejection);
  try {
    program.run();
    await settle(mocks, 40);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  mocks.assertNoUnexpected();
  if (errors.length > 0) throw new Error(`${program.label}: ${String((errors[0] as Error)?.stack ?? errors[0])}`);
  return mocks.registrations
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => ({ source: program.label, name: r.name, object: clean(unwrapSecrets(r.inputs)) }));
}

const LIBRARY = path.resolve(__dirname, "..", "..", "components", "index.ts");

/** A program that runs an example's index.ts with `pgplatform` resolved to this checkout. */
export function exampleProgram(dir: string): Program {
  return {
    label: `example ${path.basename(dir)}`,
    run: () => {
      const Module = require("module");
      const original = Module._resolveFilename;
      const file = require.resolve(path.join(dir, "index.ts"));
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
    },
  };
}
