/**
 * The catalogue's `migration` record of a local upgrade, written by the upgrade provider itself as
 * each step happens, so a failed or called-off step is on record even when `pulumi up` fails.
 * The record's `log` is the full log; every write also leaves an `updated` event in the history.
 * Pure Node + `pg` (inside functions): the provider serializes it.
 */
import { ensureLocalCatalog } from "../../../catalog/localCatalog";
import { readRecord, upsertRecord, withCatalog } from "../../../catalog/store";
import type { CatalogInput } from "../../../providers/catalogRecord";
import { SqlConnection } from "../../../providers/sql/connection";
import { LogEntry, MigrationStatus, Phase } from "./types";

/** The fields of the migration record that do not change between phases. */
export interface MigrationFacts {
  migrationType: "blue_green_upgrade" | "single_to_cluster";
  sourceResourceId: string;
  targetResourceId: string;
  fromVersion: string;
  toVersion: string;
}

async function connectionOf(catalog: CatalogInput): Promise<SqlConnection> {
  return "connection" in catalog ? catalog.connection : ensureLocalCatalog(catalog.local);
}

/**
 * Waits (up to `waitMs`) until the source db_resource is in the catalogue: the migration record
 * refers to it, and in a first `pulumi up` the source's own record may still be on its way.
 */
async function awaitSource(connection: SqlConnection, sourceResourceId: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    const row = await withCatalog(connection, (c) => readRecord(c, "db_resource", sourceResourceId));
    if (row) return;
    if (Date.now() > until) {
      throw new Error(`the source db_resource \`${sourceResourceId}\` is not in the catalogue, so its migration cannot be recorded; run \`pulumi up\` once with the source alone, or turn the catalogue off with \`pgplatform:catalog off\``);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The log the catalogue holds for migration `id`, or undefined when there is no record (or no catalogue). */
export async function recordedLog(catalog: CatalogInput | undefined, id: string): Promise<LogEntry[] | undefined> {
  if (!catalog) return undefined;
  const connection = await connectionOf(catalog);
  const row = await withCatalog(connection, (c) => readRecord(c, "migration", id));
  return row && Array.isArray(row.data.log) && row.data.lifecycle !== "DELETED" ? (row.data.log as LogEntry[]) : undefined;
}

/** Writes migration `id` with its status, phase, full log and details; no-op without a catalogue. */
export async function writeMigration(
  catalog: CatalogInput | undefined,
  id: string,
  facts: MigrationFacts,
  now: { status: MigrationStatus; phase: Phase; log: LogEntry[]; detail: Record<string, unknown>; lifecycle?: "ACTIVE" | "DELETED" },
): Promise<void> {
  if (!catalog) return;
  const connection = await connectionOf(catalog);
  await awaitSource(connection, facts.sourceResourceId, 60_000);
  const first = now.log[0]?.at;
  const finished = now.status === "DONE" || now.status === "ROLLED_BACK" || now.status === "FAILED" ? now.log[now.log.length - 1]?.at : undefined;
  await withCatalog(connection, (c) =>
    upsertRecord(c, "migration", id, {
      ...facts,
      phase: now.phase === "none" ? "planned" : now.phase,
      log: now.log,
      status: now.status,
      lifecycle: now.lifecycle ?? "ACTIVE",
      detail: now.detail,
      ...(first ? { startedAt: first } : {}),
      ...(finished ? { finishedAt: finished } : {}),
    }),
  );
}
