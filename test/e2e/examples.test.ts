/**
 * Every example program constructs under strict mocks: its args pass validation and it registers
 * only resource types pgplatform knows. (`npm run build` type-checks them; this runs them.)
 */
import assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { RANDOM_PASSWORD_TYPE } from "../harness/engine";
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
      const echo = (a: any) => ({ id: `${a.name}-id`, state: { ...a.inputs, host: "127.0.0.1", port: 5432, status: "RUNNING", state: "ok", usageBytes: 0 } });
      const handlers: Record<string, any> = { [RANDOM_PASSWORD_TYPE]: (a: any) => ({ id: a.name, state: { ...a.inputs, result: "x".repeat(32) } }) };
      for (const t of ["LocalServer", "Role", "Database", "Schema", "Grants", "TenantQuota", "CatalogRecord"]) handlers[`pulumi-nodejs:dynamic/pgplatform:${t}`] = echo;
      const mocks = setStrictMocks(handlers, { allowComponents: ["pgplatform:index:*"], config: { "pgplatform:localDataRoot": "/srv/pgplatform" } });
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
