/**
 * `npm run validate:k8s`: renders every kubernetes example (examples/k8s-*) and every plan ×
 * component × option the kubernetes back end supports (scripts/k8s/matrix.ts) under strict mocks,
 * validates each CNPG, Barman Cloud and Prometheus Operator object against its upstream CRD schema
 * (scripts/k8s/schemas.ts), prints the errors of each invalid object, and as its last line
 * `<N> objects valid, <M> invalid`. Exits non-zero when M > 0 or a program fails to render.
 */
import * as fs from "fs";
import * as path from "path";
import { matrix } from "./k8s/matrix";
import { Program, RenderedObject, exampleProgram, renderProgram } from "./k8s/render";
import { Validators, loadValidators, validateObject } from "./k8s/schemas";

const EXAMPLES = path.resolve(__dirname, "..", "examples");

/** What a validation run found. */
export interface ValidationReport {
  valid: number;
  invalid: { source: string; name: string; kind: string; errors: string[] }[];
  /** Core objects (Secret, Service, NetworkPolicy, CronJob, ...) that have no CRD: checked by their typed classes at compile time. */
  core: number;
  programs: number;
}

/** The kubernetes example programs. */
export function examplePrograms(root = EXAMPLES): Program[] {
  return fs
    .readdirSync(root)
    .filter((d) => d.startsWith("k8s-") && fs.existsSync(path.join(root, d, "Pulumi.yaml")))
    .sort()
    .map((d) => exampleProgram(path.join(root, d)));
}

/** Validates rendered objects. */
export function validateObjects(objects: RenderedObject[], validators: Validators = loadValidators()): ValidationReport {
  const report: ValidationReport = { valid: 0, invalid: [], core: 0, programs: 0 };
  for (const o of objects) {
    const errors = validateObject(validators, o.object);
    if (errors === undefined) report.core++;
    else if (errors.length === 0) report.valid++;
    else report.invalid.push({ source: o.source, name: o.name, kind: `${o.object.apiVersion}/${o.object.kind}`, errors });
  }
  return report;
}

/** Renders `programs` (default: the examples and the matrix) and validates what they register. */
export async function renderAndValidate(programs: Program[] = [...examplePrograms(), ...matrix()]): Promise<ValidationReport & { objects: RenderedObject[] }> {
  const objects: RenderedObject[] = [];
  for (const p of programs) objects.push(...(await renderProgram(p)));
  return { ...validateObjects(objects), programs: programs.length, objects };
}

async function main(): Promise<void> {
  const report = await renderAndValidate();
  for (const bad of report.invalid) {
    console.log(`INVALID ${bad.kind} ${bad.name} (${bad.source}):`);
    for (const e of bad.errors) console.log(`  - ${e}`);
  }
  console.log(`${report.programs} programs rendered; ${report.core} core objects (no CRD) not schema-checked`);
  console.log(`${report.valid} objects valid, ${report.invalid.length} invalid`);
  process.exitCode = report.invalid.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    console.log("0 objects valid, 1 invalid");
    process.exit(1);
  });
}
