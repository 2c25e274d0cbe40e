/**
 * Mock handlers that behave as the engine does for pgplatform's children: RandomPassword yields a
 * random result; each dynamic resource is checked and created through the real dynamic-provider
 * host (the same serialized provider `pulumi up` would run). Records what was created so a test
 * can delete it through the host afterwards.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Handler, unwrapSecrets } from "./mocks";
import { ProviderHost, makeUrn } from "./providerHost";
import { randomPassword } from "./postgres";

export const RANDOM_PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

export interface CreatedResource {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Record<string, any>;
  properties: Record<string, any>;
}

/** A RandomPassword handler: `result` is a fresh random password of the asked length. */
export const randomPasswordHandler: Handler = (args) => ({
  id: `${args.name}-id`,
  state: { ...args.inputs, result: randomPassword(Number(args.inputs.length) || 32) },
});

/** A handler for a dynamic resource type that runs Check and Create through `host`. */
export function hostHandler(host: ProviderHost, created: CreatedResource[]): Handler {
  return async (args: pulumi.runtime.MockResourceArgs) => {
    const inputs = unwrapSecrets(args.inputs);
    if (process.env.PGP_DUMP) require("fs").writeFileSync(process.env.PGP_DUMP, inputs.__provider);
    const urn = makeUrn(args.type, args.name);
    const checked = await host.check(urn, {}, inputs);
    if (checked.failures.length > 0) throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    const { id, properties } = await host.create(urn, checked.inputs);
    created.push({ urn, type: args.type, name: args.name, id, inputs: checked.inputs, properties });
    return { id, state: properties };
  };
}

/** Deletes, newest first, what {@link hostHandler} created. */
export async function deleteCreated(host: ProviderHost, created: CreatedResource[]): Promise<void> {
  for (const r of [...created].reverse()) await host.delete(r.urn, r.id, r.properties);
  created.length = 0;
}

/** Polls `cond` every 50 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
