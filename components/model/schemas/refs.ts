/**
 * Helpers for the components that act on an existing db_resource (ReadReplicaSet, BackupPolicy,
 * TenantDatabase, BlueGreenUpgrade). The db_resource arrives twice: in the args as the component
 * object itself (passed through untouched), and in the parse context as the facts the component
 * read from it.
 */
import { z } from "zod";
import { EnvironmentTier } from "../environments";
import { Problems, show } from "../errors";
import { PLANS, Plan, isPlanName } from "../plans";
import { DbResourceLink, DbResourceRef } from "../spec";

/**
 * zod shape of the pass-through field naming the db_resource. Optional to zod (which would
 * otherwise report a missing value too): {@link checkRef} says it is required.
 */
export function refShape() {
  return z.any().optional();
}

/**
 * Checks that the db_resource named by `field` was given and recognised. Returns its facts and
 * plan when it was, so the other checks can use them.
 */
export function checkRef<R extends DbResourceRef>(
  input: any,
  field: "source" | "target",
  ref: R | undefined,
  p: Problems,
): { ref: R; plan: Plan } | undefined {
  const given = input[field];
  if (given === undefined || given === null) {
    p.add(field, `\`${field}\` is required`);
    return undefined;
  }
  if (!ref || !isPlanName(ref.plan)) {
    p.add(field, `\`${field}\` must be a PgSingle or PgCluster; got ${describe(given)}`);
    return undefined;
  }
  return { ref, plan: PLANS[ref.plan] };
}

/** A short description of a value for a message: an object of a class is named by its class. */
function describe(value: unknown): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const ctor = (value as object).constructor?.name;
    if (ctor && ctor !== "Object") return `an instance of \`${ctor}\``;
  }
  return show(value);
}

/** The part of a db_resource a Spec keeps. */
export function linkOf(ref: DbResourceRef): DbResourceLink {
  return { kind: ref.kind, plan: ref.plan, backend: ref.backend, resourceId: ref.resourceId };
}

/** The tier of a db_resource; production, the strictest, when it is not known. */
export function tierOfRef(ref: DbResourceRef): EnvironmentTier {
  return ref.environmentTier ?? "production";
}
