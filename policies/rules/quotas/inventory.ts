/**
 * What a stack holds, as the quota rules count it: its db_resources (project, environment,
 * storage) and its tenants (target, connection limit), read from
 *
 * - components' `facts` output (`pgplatform:index:*`): plain values, known even at preview;
 * - primitives made with or without components, by their `pgplatform.io/*` labels or tags:
 *   LocalServer (`labels`, `storageGb`), `aws:rds/instance:Instance` and `aws:rds/cluster:Cluster`
 *   (`tags`, `allocatedStorage`), CloudNativePG `Cluster` (`metadata.labels`, `spec.storage.size`);
 * - tenant mappings in the catalogue (`CatalogRecord` of `recordType` `tenant`).
 *
 * One db_resource is counted once: a component and its own primitives share the
 * `pgplatform.io/resource-id`, and a primitive inside a pgplatform component that already spoke for
 * its db_resource is that db_resource. A value unknown at preview (the SDK's proxy throws on access)
 * is left out, never guessed, so a rule can only under-count: a violation it reports is real.
 */
import * as policy from "@pulumi/policy";
import { PolicyResource } from "@pulumi/policy";
import { LABEL_KEYS } from "../../../components/model/defaults";
import { KINDS } from "../../../components/providers/values";

/** Type tokens of pgplatform's components start with this. */
export const COMPONENT_PREFIX = "pgplatform:index:";
/** Primitive types judged by their labels or tags (dynamic resources are told apart by their `kind` input). */
export const PRIMITIVE_TYPES = {
  rdsInstance: "aws:rds/instance:Instance",
  rdsCluster: "aws:rds/cluster:Cluster",
  cnpgCluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
} as const;

/** One db_resource of the stack. A field is undefined when no source knew it. */
export interface DbResourceEntry {
  /** Its `pgplatform.io/resource-id`, or the URN of a labelled primitive that has none. */
  id: string;
  kind?: string;
  projectId?: string;
  environmentId?: string;
  storageGb?: number;
  /** The resource that speaks for it: its component when there is one, else its first primitive. */
  urn: string;
}

/** One tenant of the stack. */
export interface TenantEntry {
  tenantId: string;
  /** The `resourceId` of the db_resource it lives on. */
  targetResourceId?: string;
  projectId?: string;
  environmentId?: string;
  /** Its connection limit; `null` when it has none, undefined when unknown. */
  maxConnections?: number | null;
  urn: string;
}

/** The db_resources and tenants of a stack, each once. */
export interface Inventory {
  dbResources: DbResourceEntry[];
  tenants: TenantEntry[];
}

const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
// Exported at run time by @pulumi/policy but missing from its type definitions.
const UnknownValueError: Function | undefined = (policy as any).UnknownValueError;

function isUnknownError(e: unknown): boolean {
  return (UnknownValueError !== undefined && e instanceof UnknownValueError) || (typeof e === "object" && e !== null && "unknownTypeSentinel" in e);
}

/**
 * Reads a value, or undefined when it is unknown at preview: the SDK's proxy throws on access to an
 * unknown, and a raw sentinel string (from a copy made around the proxy) counts as unknown too.
 */
export function known<T>(read: () => T): T | undefined {
  const v = peek(read);
  return v === UNKNOWN ? undefined : v;
}

/** What {@link peek} returns for a value unknown at preview. */
export const UNKNOWN: unique symbol = Symbol("unknown at preview");

/** Reads a value, or {@link UNKNOWN} when it is unknown at preview (so absent and unknown can be told apart). */
export function peek<T>(read: () => T): T | typeof UNKNOWN {
  try {
    const v = read();
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v) ? UNKNOWN : v;
  } catch (e) {
    if (isUnknownError(e)) return UNKNOWN;
    throw e;
  }
}

const str = (read: () => unknown): string | undefined => {
  const v = known(read);
  return typeof v === "string" && v !== "" ? v : undefined;
};
const num = (read: () => unknown): number | undefined => {
  const v = known(read);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const FACTOR: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** GiB in a Kubernetes quantity (`20Gi` is 20, `100G` is 93.13...), or undefined if it is not one. */
export function quantityGb(q: unknown): number | undefined {
  if (typeof q === "number") return q / 2 ** 30;
  const m = typeof q === "string" ? QUANTITY.exec(q.trim()) : null;
  return m ? (Number(m[1]) * (m[2] ? FACTOR[m[2]] : 1)) / 2 ** 30 : undefined;
}

/** The labelled primitive's own view of its db_resource, or undefined if `r` is not one. */
interface PrimitiveView {
  labels: () => any;
  storageGb: () => number | undefined;
}

function primitiveView(r: PolicyResource): PrimitiveView | undefined {
  const p = r.props;
  switch (r.type) {
    case PRIMITIVE_TYPES.rdsInstance:
      // A read replica belongs to its source's db_resource; it is not one of its own.
      if (str(() => p.replicateSourceDb) !== undefined) return undefined;
      return { labels: () => p.tags ?? p.tagsAll, storageGb: () => num(() => p.allocatedStorage) };
    case PRIMITIVE_TYPES.rdsCluster:
      return { labels: () => p.tags ?? p.tagsAll, storageGb: () => num(() => p.allocatedStorage) };
    case PRIMITIVE_TYPES.cnpgCluster:
      return { labels: () => p.metadata?.labels, storageGb: () => quantityGb(known(() => p.spec?.storage?.size)) };
    default:
      if (r.type.startsWith("pulumi-nodejs:dynamic") && known(() => p.kind) === KINDS.localServer) {
        return { labels: () => p.labels, storageGb: () => num(() => p.storageGb) };
      }
      return undefined;
  }
}

/** A label's value, or undefined when absent or unknown. */
function label(labels: () => any, key: string): string | undefined {
  return str(() => labels()?.[key]);
}

/** Whether reading the value meets an unknown (so, for an id, the resource cannot be told apart). */
function isUnknownRead(read: () => unknown): boolean {
  try {
    const v = read();
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
  } catch (e) {
    if (isUnknownError(e)) return true;
    throw e;
  }
}

/** A tenant's connection limit: a number, `null` when it has none, undefined when unknown. */
function connectionLimit(read: () => unknown): number | null | undefined {
  if (isUnknownRead(read)) return undefined;
  const v = known(read);
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function componentFacts(r: PolicyResource): any {
  return r.type.startsWith(COMPONENT_PREFIX) ? known(() => r.props.facts) : undefined;
}

/** The nearest component above `r` among `owners` (those that spoke for a db_resource, or for a tenant), if any. */
function owningComponent(r: PolicyResource, owners: Set<string>): PolicyResource | undefined {
  for (let p = r.parent; p; p = p.parent) if (owners.has(p.urn)) return p;
  return undefined;
}

/** Fills the fields `into` lacks from `from`. */
function merge<T extends object>(into: T, from: Partial<T>): void {
  for (const [k, v] of Object.entries(from)) if (v !== undefined && (into as any)[k] === undefined) (into as any)[k] = v;
}

/** Reads the stack's db_resources and tenants, each once (see the module comment). */
export function inventoryOf(resources: readonly PolicyResource[]): Inventory {
  const dbs = new Map<string, DbResourceEntry>();
  const dbOwners = new Set<string>();
  const tenantOwners = new Set<string>();
  const tenants = new Map<string, TenantEntry>();
  const addTenant = (t: TenantEntry) => {
    const key = `${t.targetResourceId ?? ""}\u0000${t.tenantId}`;
    const had = tenants.get(key);
    had ? merge(had, t) : tenants.set(key, t);
  };

  // Components first: they speak for their db_resources and tenants.
  for (const r of resources) {
    const facts = componentFacts(r);
    if (!facts || typeof facts !== "object") continue;
    const kind = str(() => facts.kind);
    const tenantId = str(() => facts.tenantId);
    if (kind === "pg_single" || kind === "pg_cluster") {
      const id = str(() => facts.resourceId);
      if (id === undefined) continue;
      dbOwners.add(r.urn);
      const entry = { id, kind, projectId: str(() => facts.projectId), environmentId: str(() => facts.environmentId), storageGb: num(() => facts.storageGb), urn: r.urn };
      const had = dbs.get(id);
      had ? merge(had, entry) : dbs.set(id, entry);
    } else if (tenantId !== undefined) {
      tenantOwners.add(r.urn);
      addTenant({
        tenantId,
        targetResourceId: str(() => facts.targetResourceId),
        projectId: str(() => facts.projectId),
        environmentId: str(() => facts.environmentId),
        maxConnections: connectionLimit(() => facts.maxConnections),
        urn: r.urn,
      });
    }
  }

  for (const r of resources) {
    const view = primitiveView(r);
    if (view) {
      const id = label(view.labels, LABEL_KEYS.resourceId);
      // A primitive whose id is unknown, or missing inside a component that spoke, cannot be told apart: left out.
      if (id === undefined && (isUnknownRead(() => view.labels()?.[LABEL_KEYS.resourceId]) || owningComponent(r, dbOwners))) continue;
      const entry = {
        id: id ?? r.urn,
        kind: label(view.labels, LABEL_KEYS.kind),
        projectId: label(view.labels, LABEL_KEYS.project),
        environmentId: label(view.labels, LABEL_KEYS.environment),
        storageGb: view.storageGb(),
        urn: r.urn,
      };
      const had = dbs.get(entry.id);
      had ? merge(had, entry) : dbs.set(entry.id, entry);
    } else if (r.type.startsWith("pulumi-nodejs:dynamic") && known(() => r.props.kind) === KINDS.catalogRecord && known(() => r.props.recordType) === "tenant") {
      const data = () => r.props.data;
      const tenantId = str(() => data()?.tenantId);
      // A TenantDatabase's own record is that tenant, already counted from the component.
      if (tenantId === undefined || owningComponent(r, tenantOwners)) continue;
      addTenant({
        tenantId,
        targetResourceId: str(() => data()?.resourceId),
        projectId: str(() => data()?.projectId),
        environmentId: str(() => data()?.environmentId),
        maxConnections: connectionLimit(() => data()?.quota?.maxConnections),
        urn: r.urn,
      });
    }
  }
  return { dbResources: [...dbs.values()], tenants: [...tenants.values()] };
}

/** Groups items by a key, leaving out items whose key is undefined; groups keep first-seen order. */
export function groupBy<T>(items: readonly T[], keyOf: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    if (k === undefined) continue;
    const g = out.get(k);
    g ? g.push(t) : out.set(k, [t]);
  }
  return out;
}
