/**
 * What the aws component tests share: strict mocks with the aws handlers (and the dynamic
 * resources every db_resource gets, such as its change guard), the labels every child carries,
 * and short views of the registrations.
 */
import * as pulumi from "@pulumi/pulumi";
import { calls, handlers } from "../../harness/handlers/aws";
import { RANDOM_PASSWORD_TYPE } from "../../harness/engine";
import { Handler, Registration, StrictMocks, setStrictMocks, settle, unwrapSecrets } from "../../harness/mocks";

/** Types registered by every db_resource whatever its back end (the lead's change guard, the catalogue): not the aws back end's. */
const SHARED_DYNAMIC = "pulumi-nodejs:dynamic/pgplatform:";

/** Strict mocks for the aws back end: catalogue off, every password `pw<n>` padded to 32; `handlers` add or override types. */
export function awsMocks(opts: { preview?: boolean; config?: Record<string, string>; handlers?: Record<string, Handler> } = {}): StrictMocks {
  let n = 0;
  const echo: Handler = (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, events: [] } });
  return setStrictMocks(
    {
      ...handlers(),
      [RANDOM_PASSWORD_TYPE]: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `pw${++n}`.padEnd(32, "x") } }),
      [`${SHARED_DYNAMIC}*`]: echo,
      ...opts.handlers,
    },
    { allowComponents: ["pgplatform:index:*"], calls: calls(), config: { "pgplatform:catalog": "off", ...opts.config }, preview: opts.preview },
  );
}

/**
 * The registrations the aws back end made, once they settled: `type name`, sorted (children whose
 * inputs wait on other outputs register late, in no fixed order), components and shared dynamic
 * resources left out.
 */
export async function awsChildren(mocks: StrictMocks): Promise<string[]> {
  await settle(mocks);
  return mocks.registrations
    .filter((r) => r.custom && !r.type.startsWith(SHARED_DYNAMIC))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

/** The one registration named `name`, inputs with secrets unwrapped. */
export function inputsOf(mocks: StrictMocks, name: string): Record<string, any> {
  const found = mocks.registrations.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one registration named ${name}, found ${found.length}: ${mocks.registrations.map((r) => r.name).join(", ")}`);
  return unwrapSecrets(found[0].inputs);
}

/** The registration named `name`. */
export function registrationOf(mocks: StrictMocks, name: string): Registration {
  const r = mocks.registrations.find((x) => x.name === name);
  if (!r) throw new Error(`no registration named ${name}`);
  return r;
}

/** The labels (AWS tags) every child of a db_resource carries. */
export function labelsOf(project: string, environment: string, tier: string, plan: string, resourceId: string, kind = "pg_single"): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "pgplatform",
    "pgplatform.io/environment": environment,
    "pgplatform.io/environment-tier": tier,
    "pgplatform.io/kind": kind,
    "pgplatform.io/plan": plan,
    "pgplatform.io/project": project,
    "pgplatform.io/resource-id": resourceId,
  };
}

/** Network options every aws test uses. */
export const NET = { vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b", "subnet-c"] };

/** Captures `pulumi.log.warn` messages while `fn` runs. */
export async function warningsOf(fn: () => Promise<void>): Promise<string[]> {
  const warned: string[] = [];
  const original = pulumi.log.warn;
  (pulumi.log as any).warn = (msg: string) => {
    warned.push(msg);
    return Promise.resolve();
  };
  try {
    await fn();
  } finally {
    (pulumi.log as any).warn = original;
  }
  return warned;
}
