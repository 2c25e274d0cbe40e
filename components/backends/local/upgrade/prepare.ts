/**
 * Phase `prepare` of a local blue-green upgrade and the tear-down of its replication: the blue side
 * checked (wal_level, other databases, tables without a primary key), its roles and schema copied
 * to green, a publication on blue and a subscription on green, the initial copy and the catch-up
 * awaited. Idempotent: a prepare that died half way converges when run again.
 */
import { dropPublication, dropSlot, ensurePublication, publicationExists, setReplicaIdentityFull, tableLabel, tablesWithoutKey, userTables } from "../../../providers/sql/publication";
import { copyRoles, currentLsn, rolesToCopy, slotLagBytes, waitForConfirmed } from "../../../providers/sql/replication";
import { dropSubscription, ensureSubscription, subscriptionExists, waitForInitialCopy } from "../../../providers/sql/subscription";
import { copySchema } from "./schema";
import { withSide } from "./sql";
import { LogEntry, SideLogin, UpgradePlan, entry, replicationNames } from "./types";

/** Problems of the blue side that stop a blue-green upgrade before anything is changed; empty when none. */
export async function blueProblems(plan: UpgradePlan): Promise<string[]> {
  const blue = plan.blue;
  return withSide(blue, async (c) => {
    const out: string[] = [];
    const walLevel = (await c.query("SHOW wal_level")).rows[0].wal_level;
    if (walLevel !== "logical") {
      out.push(`the source runs with \`wal_level\` \`${walLevel}\`; logical replication needs \`logical\`: set \`parameters: { wal_level: "logical" }\` on the source (a restart) and run \`pulumi up\` before \`prepare\``);
    }
    const dbs = (await c.query("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname NOT IN ('postgres', $1) ORDER BY 1", [blue.database])).rows.map((r: any) => r.datname);
    if (dbs.length > 0) {
      out.push(`the source holds databases besides \`${blue.database}\` (${dbs.map((d: string) => `\`${d}\``).join(", ")}), which a blue-green upgrade does not move (tenant databases move with their own upgrade); move or drop them first`);
    }
    if (plan.tablesWithoutPrimaryKey === "refuse") {
      const bad = await tablesWithoutKey(c);
      if (bad.length > 0) {
        out.push(
          `${bad.length} table${bad.length > 1 ? "s have" : " has"} no primary key, so logical replication cannot apply their UPDATE and DELETE: ${bad.map((t) => `\`${tableLabel(t)}\``).join(", ")}; ` +
            "add primary keys, or set `tablesWithoutPrimaryKey: \"replica_identity_full\"`",
        );
      }
    }
    return out;
  });
}

/** Runs phase prepare; appends what it did to `log`. Throws (after logging) when the blue side is not fit or a step fails. */
export async function prepare(plan: UpgradePlan, log: LogEntry[]): Promise<Record<string, unknown>> {
  const names = replicationNames(plan.id);
  const problems = await blueProblems(plan);
  if (problems.length > 0) {
    throw new Error(`the blue-green upgrade cannot start:\n  - ${problems.join("\n  - ")}`);
  }
  const { blue, green } = plan;
  const already = await withSide(green, (c) => subscriptionExists(c, names.subscription));
  if (!already) {
    if (plan.tablesWithoutPrimaryKey === "replica_identity_full") {
      const bad = await withSide(blue, async (c) => {
        const tables = await tablesWithoutKey(c);
        await setReplicaIdentityFull(c, tables);
        return tables;
      });
      if (bad.length > 0) log.push(entry("replica_identity_full", bad.map(tableLabel).join(", ")));
    }
    const roles = await withSide(blue, (c) => rolesToCopy(c, [blue.superuser, blue.appUser]), "postgres");
    const created = await withSide(green, (c) => copyRoles(c, roles), "postgres");
    if (created.length > 0) log.push(entry("roles_copied", created.join(", ")));
    await resetGreenTables(green);
    const copied = await copySchema(blue, green);
    log.push(entry("schema_copied", `pg_dump ${copied.toolsMajor} --schema-only, ${copied.bytes} bytes`));
    await withSide(blue, (c) => ensurePublication(c, names.publication));
    log.push(entry("publication_created", `${names.publication} FOR ALL TABLES on blue`));
    await withSide(green, (c) =>
      ensureSubscription(c, names.subscription, publisherOf(blue), names.publication, { copyData: true, createSlot: true }),
    );
    log.push(entry("subscription_created", `${names.subscription} on green, initial copy started`));
  }
  const timeoutMs = plan.prepareTimeoutSeconds * 1000;
  const state = await withSide(green, (c) => waitForInitialCopy(c, names.subscription, timeoutMs));
  log.push(entry("initial_copy_done", `${state.tables} tables`));
  const caughtUp = await withSide(blue, async (c) => {
    const target = await currentLsn(c);
    const waited = await waitForConfirmed(c, names.subscription, target, Date.now() + timeoutMs);
    return { target, waited };
  });
  if (caughtUp.waited === false) throw new Error(`green did not catch up with blue's ${caughtUp.target} within ${plan.prepareTimeoutSeconds} s`);
  log.push(entry("caught_up", `blue ${caughtUp.target} confirmed by green in ${caughtUp.waited} ms`));
  return progressOf(plan);
}

/** Empties the green application database's user tables (a prepare run again after a rollback starts from a clean copy). */
async function resetGreenTables(green: SideLogin): Promise<void> {
  await withSide(green, async (c) => {
    const tables = await userTables(c);
    if (tables.length === 0) return;
    const schemas = [...new Set(tables.map((t) => t.schema))].filter((s) => s !== "public");
    // The schema is dumped again: drop what an earlier prepare created.
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(s)} CASCADE`);
    await c.query("DROP SCHEMA IF EXISTS public CASCADE");
    await c.query("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
    await c.query("GRANT USAGE ON SCHEMA public TO PUBLIC");
  });
}

/** Blue as a publisher: its superuser on its application database. */
export function publisherOf(side: SideLogin) {
  return { host: side.host, port: side.port, user: side.superuser, password: side.superuserPassword, database: side.database };
}

/** Replication lag and table counts, for the `progress` output. */
export async function progressOf(plan: UpgradePlan): Promise<Record<string, unknown>> {
  const names = replicationNames(plan.id);
  const lag = await withSide(plan.blue, (c) => slotLagBytes(c, names.subscription)).catch(() => undefined);
  const reverseLag = await withSide(plan.green, (c) => slotLagBytes(c, names.reverseSubscription)).catch(() => undefined);
  const tables = await withSide(plan.green, async (c) => (await userTables(c)).length).catch(() => undefined);
  return {
    ...(lag === undefined ? {} : { lagBytes: lag }),
    ...(reverseLag === undefined ? {} : { reverseLagBytes: reverseLag }),
    ...(tables === undefined ? {} : { tables }),
  };
}

/**
 * Removes every replication object of the upgrade, both directions, on whichever side is reachable:
 * subscriptions first (detached from their slots), then slots and publications. Idempotent.
 */
export async function teardownReplication(plan: UpgradePlan, log: LogEntry[], opts: { bestEffort?: boolean } = {}): Promise<void> {
  const names = replicationNames(plan.id);
  const steps: [SideLogin, (c: any) => Promise<unknown>][] = [
    [plan.green, (c) => dropSubscription(c, names.subscription)],
    [plan.blue, (c) => dropSubscription(c, names.reverseSubscription)],
    [plan.blue, (c) => dropSlot(c, names.subscription)],
    [plan.green, (c) => dropSlot(c, names.reverseSubscription)],
    [plan.blue, (c) => dropPublication(c, names.publication)],
    [plan.green, (c) => dropPublication(c, names.reversePublication)],
  ];
  const failed: string[] = [];
  for (const [side, step] of steps) {
    try {
      await withSide(side, step);
    } catch (err) {
      if (!opts.bestEffort) throw err;
      failed.push((err as Error).message);
    }
  }
  log.push(entry("replication_removed", failed.length ? `with errors: ${failed.join("; ")}` : "publications, subscriptions and slots of both directions"));
}

/** Whether the forward publication exists on blue (prepare ran). */
export async function prepared(plan: UpgradePlan): Promise<boolean> {
  return withSide(plan.blue, (c) => publicationExists(c, replicationNames(plan.id).publication));
}
