/**
 * Every example program constructs under strict mocks: its args pass validation and it registers
 * only resource types pgplatform knows. (`npm run build` type-checks them; this runs them.)
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { exampleCalls, exampleHandlers } from "../harness/handlers";
import { setStrictMocks, settle } from "../harness/mocks";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");
const LIBRARY = path.resolve(__dirname, "..", "..", "components", "index.ts");

/** Resolves `import ... from "pgplatform"` to this checkout, as an installed package would. */
function aliasLibrary(): () => void {
  const Module = require("module");
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    return original.call(this, request === "pgplatform" ? LIBRARY : request, ...rest);
  };
  return () => {
    Module._resolveFilename = original;
  };
}

describe("examples run under strict mocks", () => {
  const dirs = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "Pulumi.yaml")));

  it("has examples", () => assert.ok(dirs.length >= 3, `found ${dirs.join(", ")}`));

  for (const dir of dirs) {
    it(`${dir}: constructs and registers only known types`, async () => {
      const mocks = setStrictMocks(exampleHandlers(), { allowComponents: ["pgplatform:index:*"], calls: exampleCalls(), config: { "pgplatform:localDataRoot": "/srv/pgplatform" } });
      const restore = aliasLibrary();
      try {
        const program = require(path.join(EXAMPLES, dir, "index.ts"));
        assert.ok(Object.keys(program).length > 0, "the example exports outputs");
      } finally {
        restore();
      }
      await settle(mocks);
      mocks.assertNoUnexpected();
      assert.ok(mocks.registrations.some((r) => r.type.startsWith("pgplatform:index:")));
    });
  }
});
