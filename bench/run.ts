/**
 * The benchmark runner. `npm run bench` runs every figure; `npm run bench -- P3 [P…]` runs the named
 * ones (an unknown id exits 1 and lists the known ones). Each figure prints exactly one line on
 * stdout, `<id> <name>: ratio=<ours/floor> (ours <s> s, floor <s> s, median of <n>)` (see
 * `formatLine`: a rate instead of seconds, a memory ratio, named details may follow); progress and
 * raw samples go to stderr. Exits 0 when every figure ran, 1 when one failed.
 */
import { cleanupAll, formatLine } from "./figure";
import { FIGURES } from "./figures";

async function main(argv: string[]): Promise<number> {
  const known = FIGURES.map((f) => f.id);
  const unknown = argv.filter((a) => !FIGURES.some((f) => f.id.toLowerCase() === a.toLowerCase()));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.map((u) => JSON.stringify(u)).join(", ")}; known: ${known.join(", ")}\n`);
    return 1;
  }
  const selected = argv.length === 0 ? FIGURES : FIGURES.filter((f) => argv.some((a) => a.toLowerCase() === f.id.toLowerCase()));
  let failed = false;
  for (const f of selected) {
    try {
      const r = await f.run();
      process.stdout.write(formatLine(f, r) + "\n");
    } catch (err) {
      failed = true;
      process.stderr.write(`${f.id} ${f.name}: FAILED: ${(err as Error)?.stack ?? String(err)}\n`);
    } finally {
      await cleanupAll();
    }
  }
  return failed ? 1 : 0;
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: cleaning up\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    void cleanupAll().finally(() => process.exit(1));
  },
);
