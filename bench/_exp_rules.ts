import { RESOURCE_POLICIES } from "../policies/rules";
import { STACK_POLICIES } from "../policies/rules/quotas";
import { analyzeRequest, packRequire } from "../test/policies/quotas/harness";
import { now } from "./figure";
import { TOTAL, buildStack } from "./p6-stack";
const { deserializeProperties } = packRequire("@pulumi/policy/deserialize");
const { unknownCheckingProxy } = packRequire("@pulumi/policy/proxy");
async function main() {
  const seen = await buildStack(TOTAL);
  const reqs = seen.map((s) => analyzeRequest(s.analyze));
  const argsOf = (req: any) => ({ type: req.getType(), name: req.getName(), urn: req.getUrn(), props: unknownCheckingProxy(deserializeProperties(req.getProperties(), false)), opts: { protect: req.getOptions().getProtect() }, getConfig: () => ({}), notApplicable: (r: string) => { throw new Error(r); } });
  const args = reqs.map(argsOf);
  const stackArgs = { resources: seen.map((s) => { const r = analyzeRequest(s.stack); return { ...argsOf(r), parent: undefined as any }; }), getConfig: () => ({}) };
  let n = 0;
  const report = () => { n++; };
  const rounds = Number(process.env.R ?? 5);
  for (let i = 0; i < rounds; i++) {
    const t0 = now();
    for (const a of args) for (const p of RESOURCE_POLICIES) { const v: any = p.validateResource; if (v.__pulumiType && v.__pulumiType !== a.type) continue; v(a, report); }
    const t1 = now();
    for (const p of STACK_POLICIES) p.validateStack(stackArgs as any, report);
    const t2 = now();
    console.log(`resource rules ${(t1 - t0).toFixed(3)} s, stack rules ${(t2 - t1).toFixed(3)} s, reports ${n}`);
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
