/**
 * The back-end seam: every back end renders Specs into its own primitives and returns the same
 * normalized outputs, so a component never mentions a cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackendName } from "../model/defaults";
import { PgSingleSpec } from "../model/spec";
import { Connection, Metadata, ResourceStatus } from "../outputs";

/** What a back end returns for one db_resource. */
export interface RenderedDbResource {
  /** The application's connection: its own user on its own database. */
  connection: Connection;
  /** The platform's superuser connection (tenants, catalogue, grants), a secret throughout. */
  adminConnection: Connection;
  resourceId: pulumi.Output<string>;
  status: pulumi.Output<ResourceStatus>;
  metadata: pulumi.Output<Metadata>;
}

/** One implementation per back end (`aws`, `kubernetes`, `local`). */
export interface Backend {
  readonly name: BackendName;
  /** Throws when the back end cannot honour `spec`; called before anything is registered. */
  checkSingle(spec: PgSingleSpec): void;
  /** Renders a pg_single; every child gets `{ parent: scope }`. */
  renderSingle(scope: pulumi.ComponentResource, spec: PgSingleSpec): RenderedDbResource;
}

/** Back ends shipped in this version; the others are reported with a clear error. */
const AVAILABLE: Partial<Record<BackendName, () => Backend>> = {
  local: () => new (require("./local") as typeof import("./local")).LocalBackend(),
};

/** The back end named `name`, or an error saying which ones this version ships. */
export function backendFor(name: BackendName): Backend {
  const make = AVAILABLE[name];
  if (!make) {
    const have = Object.keys(AVAILABLE).map((n) => `\`${n}\``).join(", ");
    throw new Error(`back end \`${name}\` is not available in this version of pgplatform; available: ${have}. Choose one with the \`backend\` arg or stack config \`pgplatform:backend\``);
  }
  return make();
}
