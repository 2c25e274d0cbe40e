/**
 * The SQL of an aws blue-green upgrade by logical replication (a new RDS instance or Aurora
 * cluster, green, fed from the source, blue), run by the program over its TLS SQL connections as
 * each side's master user (`aws.sqlAccess`). There is no proxy in front to pause: the stable
 * endpoint is a Route53 record that follows the side this module reports active.
 *
 *  prepare  : blue checked (`wal_level` logical, i.e. `rds.logical_replication = 1`; tables without a
 *             key), the schema copied from blue's catalogue (upgradeSchema.ts), the app role on green
 *             given blue's password (RDS hides SCRAM verifiers from its master user, so the password
 *             itself, from the secret, is set), a publication on blue, a subscription on green, the
 *             initial copy and the catch-up awaited.
 *  cutover  : blue's app role made read-only (`default_transaction_read_only`) and its sessions ended,
 *             green must confirm blue's WAL position within `maxWritePauseSeconds` (else the switch is
 *             called off: blue writable again, the error says why), sequences copied, a reverse
 *             stream (green to blue) readied while green takes no writes, green reported active.
 *  rollback : after a cut-over, the same switch the other way (green frozen, blue catches up through
 *             the reverse stream, sequences copied back): writes made on green are carried back;
 *             before one, the replication is removed. Replication is then removed.
 *  finalize : replication removed both ways; blue's app role stays read-only.
 * Pure: serialized with the upgrade provider.
 */
import { SqlConnection, withClient } from "../../providers/sql/connection";
import { dropPublication, dropSlot, ensurePublication, setReplicaIdentityFull, tableLabel, tablesWithoutKey, userTables } from "../../providers/sql/publication";
import { applySequenceValues, currentLsn, sequenceValues, slotLagBytes, waitForConfirmed } from "../../providers/sql/replication";
import { disableSubscription, dropSubscription, ensureSubscription, subscriptionExists, waitForInitialCopy } from "../../providers/sql/subscription";
import { scramVerifier } from "../local/scram";
import { LogEntry, Side, entry, replicationNames } from "../local/upgrade/types";
import { copySchemaByCatalog } from "./upgradeSchema";

/** One side: its master user's TLS connection and the application's database and login. */
export interface AwsUpgradeSide {
  admin: SqlConnection;
  database: string;
  appUser: string;
  appPassword: string;
}

/** Everything that defines one aws upgrade run. */
export interface AwsUpgradePlan {
  id: string;
  blue: AwsUpgradeSide;
  green: AwsUpgradeSide;
  tablesWithoutPrimaryKey: "replica_identity_full" | "refuse";
  maxWritePauseSeconds: number;
  prepareTimeoutSeconds: number;
}

/** How a switch went. */
export interface AwsSwitchResult {
  /** Milliseconds from the write freeze to the other side made writable. */
  pauseMs: number;
  catchUpMs: number;
  sequences: number;
  sessionsEnded: number;
}

/** The error of a called-off switch: the side that served still does and takes writes. */
export class AwsSwitchCalledOff extends Error {}

const on = <T>(side: AwsUpgradeSide, fn: (c: any) => Promise<T>) => withClient(side.admin, fn, side.database);

function publisherOf(side: AwsUpgradeSide) {
  return { host: side.admin.host, port: side.admin.port, user: side.admin.user, password: side.admin.password, database: side.database };
}

/** Makes the app role read-only in its database and ends its sessions; returns how many ended. */
export async function freezeApp(side: AwsUpgradeSide): Promise<number> {
  return on(side, async (c) => {
    await c.query(`ALTER ROLE ${c.escapeIdentifier(side.appUser)} IN DATABASE ${c.escapeIdentifier(side.database)} SET default_transaction_read_only = on`);
    const r = await c.query(
      "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
      [side.appUser, side.database],
    );
    return r.rowCount;
  });
}

/** Lets the app role write again (undoes {@link freezeApp}). */
export async function thawApp(side: AwsUpgradeSide): Promise<void> {
  await on(side, (c) => c.query(`ALTER ROLE ${c.escapeIdentifier(side.appUser)} IN DATABASE ${c.escapeIdentifier(side.database)} RESET default_transaction_read_only`));
}

/** Problems of blue that stop the upgrade before anything changes. */
export async function blueProblems(plan: AwsUpgradePlan): Promise<string[]> {
  return on(plan.blue, async (c) => {
    const out: string[] = [];
    const walLevel = (await c.query("SHOW wal_level")).rows[0].wal_level;
    if (walLevel !== "logical") {
      out.push(`the source runs with \`wal_level\` \`${walLevel}\`: \`rds.logical_replication\` is not 1 in its parameter group yet (set \`aws.logicalReplication: true\` on the source, run \`pulumi up\` and reboot it, before \`prepare\`)`);
    }
    if (plan.tablesWithoutPrimaryKey === "refuse") {
      const bad = await tablesWithoutKey(c);
      if (bad.length > 0) {
        out.push(`${bad.length} table${bad.length > 1 ? "s have" : " has"} no primary key, so logical replication cannot apply their UPDATE and DELETE: ${bad.map((t) => `\`${tableLabel(t)}\``).join(", ")}; add primary keys, or set \`tablesWithoutPrimaryKey: "replica_identity_full"\``);
      }
    }
    return out;
  });
}

/** Green's app role: made (LOGIN) or altered to blue's password (sent as a SCRAM verifier made here, never in clear), so the stable endpoint's credentials work on both sides. */
async function ensureGreenAppRole(plan: AwsUpgradePlan): Promise<void> {
  const g = plan.green;
  await on(g, async (c) => {
    const role = c.escapeIdentifier(g.appUser);
    const exists = (await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [g.appUser])).rowCount > 0;
    await c.query(`${exists ? "ALTER" : "CREATE"} ROLE ${role} LOGIN PASSWORD ${c.escapeLiteral(scramVerifier(plan.blue.appPassword))}`);
    const member = (await c.query("SELECT pg_has_role(current_user, $1, 'MEMBER') AS m", [g.appUser])).rows[0].m;
    if (!member) await c.query(`GRANT ${role} TO CURRENT_USER`);
  });
}

/** Phase prepare; idempotent (a prepare that died half way converges when run again). */
export async function prepareAws(plan: AwsUpgradePlan, log: LogEntry[]): Promise<void> {
  const names = replicationNames(plan.id);
  const problems = await blueProblems(plan);
  if (problems.length > 0) throw new Error(`the blue-green upgrade cannot start:\n  - ${problems.join("\n  - ")}`);
  const already = await on(plan.green, (c) => subscriptionExists(c, names.subscription));
  if (!already) {
    if (plan.tablesWithoutPrimaryKey === "replica_identity_full") {
      const bad = await on(plan.blue, async (c) => {
        const tables = await tablesWithoutKey(c);
        await setReplicaIdentityFull(c, tables);
        return tables;
      });
      if (bad.length > 0) log.push(entry("replica_identity_full", bad.map(tableLabel).join(", ")));
    }
    await ensureGreenAppRole(plan);
    log.push(entry("app_role_ready", `${plan.green.appUser} on green with blue's password`));
    const greenTables = await on(plan.green, userTables);
    if (greenTables.length > 0) {
      throw new Error(`green's application database already holds tables (${greenTables.map(tableLabel).join(", ")}) and no subscription of this upgrade: drop them on green, or remove the green side and run \`pulumi up\` again`);
    }
    const copied = await on(plan.blue, (b) => on(plan.green, (g) => copySchemaByCatalog(b, g)));
    log.push(entry("schema_copied", `${copied.tables} tables, ${copied.statements} statements from blue's catalogue`));
    await on(plan.blue, (c) => ensurePublication(c, names.publication));
    log.push(entry("publication_created", `${names.publication} FOR ALL TABLES on blue`));
    await on(plan.green, (c) => ensureSubscription(c, names.subscription, publisherOf(plan.blue), names.publication, { copyData: true, createSlot: true }));
    log.push(entry("subscription_created", `${names.subscription} on green, initial copy started`));
  }
  const timeoutMs = plan.prepareTimeoutSeconds * 1000;
  const state = await on(plan.green, (c) => waitForInitialCopy(c, names.subscription, timeoutMs));
  log.push(entry("initial_copy_done", `${state.tables} tables`));
  const target = await on(plan.blue, currentLsn);
  const waited = await on(plan.blue, (c) => waitForConfirmed(c, names.subscription, target, Date.now() + timeoutMs));
  if (waited === false) throw new Error(`green did not catch up with blue's ${target} within ${plan.prepareTimeoutSeconds} s`);
  log.push(entry("caught_up", `blue ${target} confirmed by green in ${waited} ms`));
}

async function switchSides(plan: AwsUpgradePlan, fromName: Side, log: LogEntry[]): Promise<AwsSwitchResult> {
  const names = replicationNames(plan.id);
  const from = fromName === "blue" ? plan.blue : plan.green;
  const to = fromName === "blue" ? plan.green : plan.blue;
  const toName: Side = fromName === "blue" ? "green" : "blue";
  const slot = fromName === "blue" ? names.subscription : names.reverseSubscription;
  const started = Date.now();
  const deadline = started + plan.maxWritePauseSeconds * 1000;
  let readiedReverse = false;
  const callOff = async (why: string): Promise<never> => {
    await thawApp(from).catch(() => undefined);
    if (readiedReverse) {
      await on(plan.green, async (c) => {
        await dropSlot(c, names.reverseSubscription);
        await dropPublication(c, names.reversePublication);
        await c.query(`ALTER SUBSCRIPTION ${c.escapeIdentifier(names.subscription)} ENABLE`);
      }).catch(() => undefined);
    }
    log.push(entry("switch_called_off", `${fromName} to ${toName}: ${why}; writes paused ${Date.now() - started} ms, ${fromName} keeps serving`));
    throw new AwsSwitchCalledOff(
      `the switch from ${fromName} to ${toName} was called off: ${why} (\`maxWritePauseSeconds\` is ${plan.maxWritePauseSeconds}); ` +
        `${fromName} keeps serving and takes writes again, replication goes on; run \`pulumi up\` again at a quieter time, or raise \`maxWritePauseSeconds\``,
    );
  };
  try {
    const sessionsEnded = await freezeApp(from);
    const target = await on(from, currentLsn);
    const waited = await on(from, (c) => waitForConfirmed(c, slot, target, deadline));
    if (waited === false) return await callOff(`${toName} did not confirm ${fromName}'s WAL position ${target} in time`);
    const values = await on(from, sequenceValues);
    const copied = await on(to, (c) => applySequenceValues(c, values));
    if (fromName === "blue") {
      await on(plan.green, async (c) => {
        await disableSubscription(c, names.subscription);
        await ensurePublication(c, names.reversePublication);
        const exists = (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [names.reverseSubscription])).rowCount > 0;
        if (!exists) await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [names.reverseSubscription]);
      });
      readiedReverse = true;
    }
    if (Date.now() > deadline) return await callOff("the switch took longer than the pause allowed");
    await thawApp(to);
    return { pauseMs: Date.now() - started, catchUpMs: waited, sequences: copied, sessionsEnded };
  } catch (err) {
    if (err instanceof AwsSwitchCalledOff) throw err;
    return callOff(`a step failed: ${(err as Error).message}`);
  }
}

/** Phase cutover: green takes writes, blue is read-only, the reverse stream (green to blue) runs. */
export async function cutoverAws(plan: AwsUpgradePlan, log: LogEntry[]): Promise<AwsSwitchResult> {
  const names = replicationNames(plan.id);
  const r = await switchSides(plan, "blue", log);
  log.push(entry("cutover", `writes paused ${r.pauseMs} ms (catch-up ${r.catchUpMs} ms), ${r.sequences} sequences copied, ${r.sessionsEnded} sessions on blue ended; green serves`));
  await on(plan.blue, (c) => ensureSubscription(c, names.reverseSubscription, publisherOf(plan.green), names.reversePublication, { copyData: false, createSlot: false }));
  log.push(entry("reverse_replication_started", `${names.reverseSubscription} on blue: writes on green reach blue, so a rollback loses none`));
  return r;
}

/** Phase rollback after a cut-over: back to blue once it holds every write green took; replication removed. */
export async function rollbackAws(plan: AwsUpgradePlan, log: LogEntry[]): Promise<AwsSwitchResult> {
  const r = await switchSides(plan, "green", log);
  log.push(entry("rolled_back", `writes paused ${r.pauseMs} ms (catch-up ${r.catchUpMs} ms), ${r.sequences} sequences copied back; blue serves`));
  await teardownAws(plan, log);
  return r;
}

/** Phase finalize: replication removed both ways; blue's app role stays read-only (blue is retired). */
export async function finalizeAws(plan: AwsUpgradePlan, log: LogEntry[]): Promise<void> {
  await teardownAws(plan, log);
  await freezeApp(plan.blue);
  log.push(entry("finalized", "green serves for good; blue is read-only for the application and can be removed"));
}

/** Removes every replication object of the upgrade, both directions. Idempotent. */
export async function teardownAws(plan: AwsUpgradePlan, log: LogEntry[]): Promise<void> {
  const names = replicationNames(plan.id);
  await on(plan.green, (c) => dropSubscription(c, names.subscription));
  await on(plan.blue, (c) => dropSubscription(c, names.reverseSubscription));
  await on(plan.blue, (c) => dropSlot(c, names.subscription));
  await on(plan.green, (c) => dropSlot(c, names.reverseSubscription));
  await on(plan.blue, (c) => dropPublication(c, names.publication));
  await on(plan.green, (c) => dropPublication(c, names.reversePublication));
  log.push(entry("replication_removed", "publications, subscriptions and slots of both directions"));
}

/** Lag of both streams, for the `progress` output. */
export async function progressAws(plan: AwsUpgradePlan): Promise<Record<string, unknown>> {
  const names = replicationNames(plan.id);
  const lag = await on(plan.blue, (c) => slotLagBytes(c, names.subscription)).catch(() => undefined);
  const reverseLag = await on(plan.green, (c) => slotLagBytes(c, names.reverseSubscription)).catch(() => undefined);
  return { ...(lag === undefined ? {} : { lagBytes: lag }), ...(reverseLag === undefined ? {} : { reverseLagBytes: reverseLag }) };
}
