/**
 * The dynamic provider that writes one record (a db_resource, a tenant mapping, a backup, a scale
 * event, a migration or a failover) into the platform's catalogue, `pgplatform_catalog`, and keeps
 * its history in `events`. Create migrates the catalogue on first use; delete only marks the record
 * DELETED (rows are history); read reports what the catalogue holds, so a record changed or removed
 * by hand shows up as drift.
 *
 * Serialized with the program: Node built-ins, pure local modules, `pg` required inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocalCatalogOptions, ensureLocalCatalog } from "../catalog/localCatalog";
import { RECORD_TYPES, RecordType, normalizeData, recordProblems, stableJson } from "../catalog/records";
import { markDeleted, readRecord, upsertRecord, withCatalog } from "../catalog/store";
import { SqlConnection } from "./sql/connection";
import { KINDS, UNKNOWN, known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const CATALOG_RECORD_KIND = KINDS.catalogRecord;

/** Inputs whose change makes a new record (the old one is marked DELETED). */
export const CATALOG_RECORD_REPLACES = ["recordType", "recordId", "catalog"] as const;

/** Which catalogue a record goes to: a PostgreSQL connection, or the local catalogue this library manages. */
export type CatalogInput = { connection: SqlConnection } | { local: LocalCatalogOptions };

/** The inputs of a catalogue record, as the provider sees them (plain values). */
export interface CatalogRecordInputs {
  kind: string;
  catalog: CatalogInput;
  recordType: RecordType;
  recordId: string;
  /** The record's fields as plain JSON (camelCase); never a credential. */
  data: Record<string, unknown>;
}

type Outputs = CatalogRecordInputs & Record<string, any>;

/** The catalogue's connection: the given one, or the local catalogue's (created or started first). */
async function connectionOf(catalog: CatalogInput): Promise<SqlConnection> {
  return "connection" in catalog ? catalog.connection : ensureLocalCatalog(catalog.local);
}

/** What identifies a catalogue (a password change is not a new catalogue). */
function catalogIdentity(catalog: any): string {
  if (catalog?.connection) return `${catalog.connection.host}:${catalog.connection.port}/${catalog.connection.database ?? "postgres"}`;
  return `local:${catalog?.local?.dataRoot}`;
}

function catalogProblems(catalog: any): { property: string; reason: string }[] {
  const bad = (reason: string) => [{ property: "catalog", reason }];
  if (!known(catalog)) return [];
  if (catalog?.connection) {
    const c = catalog.connection;
    const ok = typeof c.host === "string" && c.host !== "" && Number.isInteger(Number(c.port)) && typeof c.user === "string" && c.user !== "" && typeof c.password === "string";
    return ok ? [] : bad("`catalog.connection` must have `host`, `port`, `user` and `password`");
  }
  if (catalog?.local) return typeof catalog.local.dataRoot === "string" && catalog.local.dataRoot !== "" ? [] : bad("`catalog.local.dataRoot` must be a directory path");
  return bad("`catalog` must be `{ connection: { host, port, user, password, database } }` or `{ local: { dataRoot, runAs } }`");
}

/** The outputs for a record row: the inputs, the data as the catalogue holds it, status and timestamps. */
function outputsOf(inputs: CatalogRecordInputs, row: { data: Record<string, unknown>; createdAt: string; updatedAt: string; deletedAt?: string }): Outputs {
  return {
    ...inputs,
    data: row.data,
    status: row.data.status,
    lifecycle: row.data.lifecycle,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt ?? "",
  };
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const catalogRecordProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (news.kind !== CATALOG_RECORD_KIND) failures.push({ property: "kind", reason: `\`kind\` must be \`${CATALOG_RECORD_KIND}\`; got ${JSON.stringify(news.kind)}` });
    failures.push(...catalogProblems(news.catalog));
    if (known(news.recordId) && (typeof news.recordId !== "string" || news.recordId === "" || news.recordId.length > 200 || /\s/.test(news.recordId))) {
      failures.push({ property: "recordId", reason: `\`recordId\` must be an id of at most 200 characters without spaces; got ${JSON.stringify(news.recordId)}` });
    }
    if (known(news.recordType) && !(RECORD_TYPES as readonly string[]).includes(news.recordType)) {
      failures.push({ property: "recordType", reason: `\`recordType\` must be one of ${RECORD_TYPES.map((t) => `\`${t}\``).join(", ")}; got ${JSON.stringify(news.recordType)}` });
    } else if (known(news.recordType) && news.data !== UNKNOWN) {
      // Values unknown during preview are judged at `up`.
      for (const p of recordProblems(news.recordType, news.data, (v) => !known(v))) failures.push({ property: p.path, reason: p.message });
    }
    return { inputs: news, failures };
  },

  async diff(id: string, olds: Outputs, news: CatalogRecordInputs) {
    const replaces: string[] = [];
    if (known(news.recordType) && olds.recordType !== news.recordType) replaces.push("recordType");
    if (known(news.recordId) && olds.recordId !== news.recordId) replaces.push("recordId");
    if (known(news.catalog) && catalogIdentity(olds.catalog) !== catalogIdentity(news.catalog)) replaces.push("catalog");
    const changed: string[] = [];
    if (!known(news.data)) changed.push("data");
    else if (RECORD_TYPES.includes(news.recordType)) {
      // Both sides normalized: defaults the catalogue filled in are no change; drift read found is.
      const was = stableJson(normalizeData(news.recordType, olds.data ?? {}));
      if (was !== stableJson(normalizeData(news.recordType, news.data))) changed.push("data");
    }
    if (known(news.catalog) && stableJson(olds.catalog) !== stableJson(news.catalog)) changed.push("catalog");
    return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: CatalogRecordInputs) {
    const connection = await connectionOf(inputs.catalog);
    const { row } = await withCatalog(connection, (c) => upsertRecord(c, inputs.recordType, inputs.recordId, inputs.data));
    return { id: `${inputs.recordType}/${inputs.recordId}`, outs: outputsOf(inputs, row) };
  },

  async read(id: string, props: Outputs) {
    const connection = await connectionOf(props.catalog);
    const row = await withCatalog(connection, (c) => readRecord(c, props.recordType, props.recordId));
    if (!row) return { id: "", props: {} };
    return { id, props: outputsOf(props, row) };
  },

  async update(id: string, olds: Outputs, news: CatalogRecordInputs) {
    const connection = await connectionOf(news.catalog);
    const { row } = await withCatalog(connection, (c) => upsertRecord(c, news.recordType, news.recordId, news.data));
    return { outs: outputsOf(news, row) };
  },

  async delete(id: string, props: Outputs) {
    const connection = await connectionOf(props.catalog);
    await withCatalog(connection, (c) => markDeleted(c, props.recordType, props.recordId));
  },
};

/** Inputs of a {@link CatalogRecord}. */
export interface CatalogRecordArgs {
  /** The catalogue to write to (made secret: a connection carries a password). See `catalogInputOf`. */
  catalog: pulumi.Input<CatalogInput>;
  /** `db_resource`, `tenant`, `backup`, `scale_event`, `migration` or `failover`; a change replaces the record. */
  recordType: pulumi.Input<RecordType>;
  /** The record's id within its type (a db_resource's `resourceId`); a change replaces the record. */
  recordId: pulumi.Input<string>;
  /** The record's fields (camelCase, plain JSON). Keys named like a password, secret, token, uri or url are refused. */
  data: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
}

/**
 * One record in the platform's catalogue (type `pulumi-nodejs:dynamic/pgplatform:CatalogRecord`,
 * id `<recordType>/<recordId>`). Deleting it marks the row DELETED and keeps its history.
 */
export class CatalogRecord extends pulumi.dynamic.Resource {
  declare readonly recordType: pulumi.Output<RecordType>;
  declare readonly recordId: pulumi.Output<string>;
  /** The record's fields as the catalogue holds them (defaults filled in). */
  declare readonly data: pulumi.Output<Record<string, unknown>>;
  declare readonly status: pulumi.Output<string>;
  declare readonly lifecycle: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;
  /** When the record was marked DELETED; `""` while it is not. */
  declare readonly deletedAt: pulumi.Output<string>;

  constructor(name: string, args: CatalogRecordArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { status: undefined, lifecycle: undefined, createdAt: undefined, updatedAt: undefined, deletedAt: undefined };
    super(
      catalogRecordProvider,
      name,
      { kind: CATALOG_RECORD_KIND, ...outputs, ...args, catalog: pulumi.secret(args.catalog) },
      opts,
      "pgplatform",
      "CatalogRecord",
    );
  }
}
