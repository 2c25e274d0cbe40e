/**
 * The change guard of a db_resource, on every back end: two dynamic resources around the back
 * end's own resources.
 *
 * - The guard (`phase: before`) is what every child of the db_resource depends on, so the engine
 *   checks and updates it first. Its `check(olds, news)` runs `changeProblems` (no storage shrink, no
 *   major downgrade, no pg_single <-> pg_cluster by mutation): a refused change stops the update
 *   before any cloud resource is touched, and a preview shows the error. When a size dimension
 *   changes it records one `scale_event` per dimension in the catalogue, IN_PROGRESS.
 * - The marker (`phase: after`) depends on the back end's resources, so it runs once they are
 *   updated: it marks the guard's events DONE. An event left IN_PROGRESS (the update failed before
 *   the marker ran) is marked FAILED by the guard's next update.
 *
 * Serialized with the program: Node built-ins, pure local modules, `pg` required inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { ensureLocalCatalog } from "../catalog/localCatalog";
import { readRecord, upsertRecord, withCatalog } from "../catalog/store";
import { awsChangeProblems } from "../backends/aws/change";
import { changeProblems } from "../model/change";
import type { CatalogInput } from "./catalogRecord";
import { SqlConnection } from "./sql/connection";
import { KINDS, known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const CHANGE_GUARD_KIND = KINDS.changeGuard;

/** A db_resource's size, dimension by dimension (`storageGb`, `compute`, `standbys`, `readReplicas`, ...). */
export type SizeDimensions = Record<string, string | number>;

/** Inputs of the guard and of the marker, as the provider sees them. */
export interface ChangeGuardInputs {
  kind: string;
  phase: "before" | "after";
  resourceId: string;
  resourceKind: string;
  version: string;
  size: SizeDimensions;
  /** The back end, for its own rules (`aws`: storage grows by >= 10%, the RDS identifier never changes). */
  backend?: string;
  /** The RDS identifier of an `aws` db_resource. */
  identifier?: string;
  /** Where scale events go; absent when the catalogue is off. */
  catalog?: CatalogInput;
  /** The marker only: the guard's events to mark DONE. */
  pending?: string[];
}

type Outputs = ChangeGuardInputs & { events: string[] };

async function connectionOf(catalog: CatalogInput): Promise<SqlConnection> {
  return "connection" in catalog ? catalog.connection : ensureLocalCatalog(catalog.local);
}

/** Marks `ids` with `status` where they are still IN_PROGRESS. */
async function settleEvents(catalog: CatalogInput | undefined, ids: string[], status: "DONE" | "FAILED", reason: string): Promise<void> {
  if (!catalog || ids.length === 0) return;
  const connection = await connectionOf(catalog);
  await withCatalog(connection, async (c) => {
    for (const id of ids) {
      const row = await readRecord(c, "scale_event", id, { forUpdate: true });
      if (!row || row.data.status !== "IN_PROGRESS") continue;
      const detail = { ...((row.data.detail as object) ?? {}), ...(status === "FAILED" ? { error: reason } : {}) };
      await upsertRecord(c, "scale_event", id, { ...row.data, status, finishedAt: new Date().toISOString(), detail });
    }
  });
}

/** Records one IN_PROGRESS scale event per dimension that changed from `olds` to `news`; returns their ids. */
async function recordScale(olds: ChangeGuardInputs, news: ChangeGuardInputs): Promise<string[]> {
  const changed = Object.keys({ ...olds.size, ...news.size })
    .sort()
    .filter((d) => String(olds.size?.[d]) !== String(news.size?.[d]));
  if (!news.catalog || changed.length === 0) return [];
  const at = new Date().toISOString();
  const ids = changed.map((d) => `${news.resourceId}.${d}.${at.replace(/[^0-9]/g, "")}`);
  const connection = await connectionOf(news.catalog);
  await withCatalog(connection, async (c) => {
    for (let i = 0; i < changed.length; i++) {
      const d = changed[i];
      await upsertRecord(c, "scale_event", ids[i], {
        resourceId: news.resourceId,
        dimension: d,
        fromValue: olds.size?.[d] ?? null,
        toValue: news.size?.[d] ?? null,
        reason: "pulumi up",
        startedAt: at,
        status: "IN_PROGRESS",
      });
    }
  });
  return ids;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const changeGuardProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (news.kind !== CHANGE_GUARD_KIND) failures.push({ property: "kind", reason: `\`kind\` must be \`${CHANGE_GUARD_KIND}\`; got ${JSON.stringify(news.kind)}` });
    const had = olds && typeof olds === "object" && olds.resourceKind !== undefined;
    if (news.phase === "before" && had && known(news.size) && known(news.version) && known(news.resourceKind)) {
      const view = (x: any) => ({ kind: x.resourceKind, version: x.version, storageGb: Number(x.size?.storageGb ?? 0) });
      const problems = changeProblems(view(olds), view(news));
      if (news.backend === "aws" && olds.backend === "aws") {
        const awsView = (x: any) => ({ storageGb: Number(x.size?.storageGb ?? 0), identifier: x.identifier, ...(x.size?.maxAcu !== undefined ? { maxAcu: Number(x.size.maxAcu) } : {}) });
        problems.push(...awsChangeProblems(awsView(olds), awsView(news)));
      }
      const property = (path: string) => ({ kind: "resourceKind", "storage.sizeGb": "size.storageGb", "aws.identifier": "identifier", sharding: "size.maxAcu" })[path] ?? path;
      for (const p of problems) failures.push({ property: property(p.path), reason: `db_resource \`${news.resourceId}\`: ${p.message}` });
    }
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: Outputs, news: ChangeGuardInputs) {
    const replaces = known(news.resourceId) && olds.resourceId !== news.resourceId ? ["resourceId"] : [];
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const keys = ["phase", "resourceKind", "version", "size", "backend", "identifier", "catalog", "pending"] as const;
    const changed = keys.filter((k) => (news[k] !== undefined && !known(news[k])) || !same(olds[k], news[k]));
    return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: ChangeGuardInputs) {
    if (inputs.phase === "after") await settleEvents(inputs.catalog, inputs.pending ?? [], "DONE", "");
    return { id: `${inputs.resourceId}/${inputs.phase}`, outs: { ...inputs, events: [] } };
  },

  async update(_id: string, olds: Outputs, news: ChangeGuardInputs) {
    if (news.phase === "after") {
      await settleEvents(news.catalog, news.pending ?? [], "DONE", "");
      return { outs: { ...news, events: [] } };
    }
    await settleEvents(olds.catalog, olds.events ?? [], "FAILED", "the change did not complete: a later update started before it was marked done");
    return { outs: { ...news, events: await recordScale(olds, news) } };
  },

  async delete() {
    // Nothing to undo: scale events are history and stay in the catalogue.
  },
};

/** Inputs of a {@link ChangeGuard}. */
export interface ChangeGuardArgs {
  phase: "before" | "after";
  resourceId: pulumi.Input<string>;
  resourceKind: pulumi.Input<string>;
  version: pulumi.Input<string>;
  size: pulumi.Input<SizeDimensions>;
  backend?: pulumi.Input<string>;
  identifier?: pulumi.Input<string>;
  catalog?: pulumi.Input<CatalogInput>;
  pending?: pulumi.Input<string[]>;
}

/**
 * One side of a db_resource's change guard (type `pulumi-nodejs:dynamic/pgplatform:ChangeGuard`).
 * Components create both sides; see the module comment.
 */
export class ChangeGuard extends pulumi.dynamic.Resource {
  /** The scale events this update recorded IN_PROGRESS (the guard side). */
  declare readonly events: pulumi.Output<string[]>;

  constructor(name: string, args: ChangeGuardArgs, opts?: pulumi.CustomResourceOptions) {
    const inputs: Record<string, unknown> = { kind: CHANGE_GUARD_KIND, events: undefined, ...args };
    if (args.catalog !== undefined) inputs.catalog = pulumi.secret(args.catalog);
    super(changeGuardProvider, name, inputs, opts, "pgplatform", "ChangeGuard");
  }
}
