/**
 * Helpers every dynamic provider shares: the preview sentinel, and the `kind` values that tell
 * pgplatform's dynamic resources apart (policies read them).
 */

/** What an unknown input looks like inside a provider during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `v` is known (not the preview sentinel, not undefined), deeply for arrays and objects. */
export function known(v: unknown): boolean {
  if (v === UNKNOWN || v === undefined) return false;
  if (Array.isArray(v)) return v.every(known);
  if (v && typeof v === "object") return Object.values(v).every((x) => x === undefined || known(x));
  return true;
}

/** The `kind` input of each pgplatform dynamic resource. */
export const KINDS = {
  localServer: "pgplatform:local:server",
  localCluster: "pgplatform:local:cluster",
  role: "pgplatform:sql:role",
  database: "pgplatform:sql:database",
  schema: "pgplatform:sql:schema",
  grants: "pgplatform:sql:grants",
  tenantQuota: "pgplatform:sql:tenant-quota",
  catalogRecord: "pgplatform:catalog:record",
  changeGuard: "pgplatform:guard:change",
} as const;
