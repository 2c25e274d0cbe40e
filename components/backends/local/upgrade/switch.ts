/**
 * The switches of a local blue-green upgrade: `cutover` (blue to green), `rollback` (back to blue,
 * without losing what was written on green) and `finalize` (the move made final).
 *
 * A switch, from the side that serves (`from`) to the other (`to`):
 *  1. `PAUSE` the application's database on the stable endpoint: running transactions end, new ones wait;
 *  2. the application role made read-only on `from` and its direct sessions ended (nobody writes there any more);
 *  3. `from`'s current WAL position taken, and the wait until `to`'s subscription confirmed it (catch-up);
 *  4. sequences copied from `from` to `to` (logical replication does not carry them);
 *  5. at a cut-over only: the reverse stream readied while nothing writes on green (a publication
 *     and a slot on green), so every write green takes from now on reaches blue once the reverse
 *     subscription starts;
 *  6. the endpoint pointed at `to`, `RESUME`.
 * Steps 1-6 must fit in `maxWritePauseSeconds`; past it the switch is called off: `from` takes
 * writes again, the endpoint resumes on `from`, and the error says so. The pause the clients saw
 * (PAUSE sent to RESUME done) is reported.
 */
import { dropPublication, dropSlot, ensurePublication } from "../../../providers/sql/publication";
import { applySequenceValues, currentLsn, sequenceValues, waitForConfirmed } from "../../../providers/sql/replication";
import { disableSubscription, ensureSubscription } from "../../../providers/sql/subscription";
import { EndpointSpec, pauseEndpoint, resumeEndpoint, retargetEndpoint } from "./endpoint";
import { publisherOf, teardownReplication } from "./prepare";
import { freezeApp, thawApp, withSide } from "./sql";
import { LogEntry, Side, SideLogin, UpgradePlan, entry, replicationNames } from "./types";

/** How a switch went. */
export interface SwitchResult {
  /** Milliseconds from PAUSE sent to RESUME done: the longest wait a client saw. */
  pauseMs: number;
  /** Milliseconds the catch-up took inside the pause. */
  catchUpMs: number;
  /** Sequences copied. */
  sequences: number;
  /** Direct sessions of the application role ended on the side left. */
  sessionsEnded: number;
}

/** The error of a called-off switch: nothing was switched, the side that served still does. */
export class SwitchCalledOff extends Error {}

/** The endpoint target for a side. */
export function targetOf(side: SideLogin) {
  return { port: side.port, user: side.appUser, password: side.appPassword };
}

async function switchSides(plan: UpgradePlan, endpoint: EndpointSpec, port: number, fromName: Side, log: LogEntry[]): Promise<SwitchResult> {
  const names = replicationNames(plan.id);
  const from = fromName === "blue" ? plan.blue : plan.green;
  const to = fromName === "blue" ? plan.green : plan.blue;
  const toName: Side = fromName === "blue" ? "green" : "blue";
  const slot = fromName === "blue" ? names.subscription : names.reverseSubscription;
  const budgetMs = plan.maxWritePauseSeconds * 1000;
  const started = Date.now();
  // Keep room for the retarget and RESUME after the catch-up.
  const deadline = started + Math.max(200, budgetMs - 300);
  const callOff = async (why: string, readiedReverse: boolean): Promise<never> => {
    await thawApp(from).catch(() => undefined);
    if (readiedReverse) {
      await withSide(plan.green, async (c) => {
        await dropSlot(c, names.reverseSubscription);
        await dropPublication(c, names.reversePublication);
        await c.query(`ALTER SUBSCRIPTION ${c.escapeIdentifier(names.subscription)} ENABLE`);
      }).catch(() => undefined);
    }
    await resumeEndpoint(port, endpoint.consolePassword, endpoint.database).catch(() => undefined);
    const pauseMs = Date.now() - started;
    log.push(entry("switch_called_off", `${fromName} to ${toName}: ${why}; writes paused ${pauseMs} ms, ${fromName} keeps serving`));
    throw new SwitchCalledOff(
      `the switch from ${fromName} to ${toName} was called off: ${why} (\`maxWritePauseSeconds\` is ${plan.maxWritePauseSeconds}); ` +
        `${fromName} keeps serving and replication goes on; run \`pulumi up\` again at a quieter time, or raise \`maxWritePauseSeconds\``,
    );
  };
  try {
    await pauseEndpoint(port, endpoint.consolePassword, endpoint.database, deadline);
  } catch (err) {
    return callOff(`the running transactions did not end in time (${(err as Error).message})`, false);
  }
  let readiedReverse = false;
  try {
    const sessionsEnded = await freezeApp(from);
    const target = await withSide(from, currentLsn);
    const waited = await withSide(from, (c) => waitForConfirmed(c, slot, target, deadline));
    if (waited === false) return await callOff(`${toName} did not confirm ${fromName}'s WAL position ${target} in time`, false);
    const values = await withSide(from, sequenceValues);
    const copied = await withSide(to, (c) => applySequenceValues(c, values));
    if (fromName === "blue") {
      await withSide(plan.green, async (c) => {
        await disableSubscription(c, names.subscription);
        await ensurePublication(c, names.reversePublication);
        const exists = (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [names.reverseSubscription])).rowCount > 0;
        if (!exists) await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [names.reverseSubscription]);
      });
      readiedReverse = true;
    }
    if (Date.now() > deadline) return await callOff("the switch took longer than the pause allowed", readiedReverse);
    await thawApp(to);
    await retargetEndpoint(endpoint, port, targetOf(to));
    await resumeEndpoint(port, endpoint.consolePassword, endpoint.database);
    const pauseMs = Date.now() - started;
    return { pauseMs, catchUpMs: waited, sequences: copied, sessionsEnded };
  } catch (err) {
    if (err instanceof SwitchCalledOff) throw err;
    return callOff(`a step failed: ${(err as Error).message}`, readiedReverse);
  }
}

/** Phase cutover: the application moves to green; the reverse stream (green to blue) starts. */
export async function cutover(plan: UpgradePlan, endpoint: EndpointSpec, port: number, log: LogEntry[]): Promise<SwitchResult> {
  const names = replicationNames(plan.id);
  const r = await switchSides(plan, endpoint, port, "blue", log);
  log.push(entry("cutover", `writes paused ${r.pauseMs} ms (catch-up ${r.catchUpMs} ms), ${r.sequences} sequences copied, ${r.sessionsEnded} direct sessions on blue ended; green serves`));
  await withSide(plan.blue, (c) =>
    ensureSubscription(c, names.reverseSubscription, publisherOf(plan.green), names.reversePublication, { copyData: false, createSlot: false }),
  );
  log.push(entry("reverse_replication_started", `${names.reverseSubscription} on blue: writes on green reach blue, so a rollback loses none`));
  return r;
}

/** Phase rollback after a cut-over: back to blue once blue holds every write green took. Replication is then removed. */
export async function rollbackAfterCutover(plan: UpgradePlan, endpoint: EndpointSpec, port: number, log: LogEntry[]): Promise<SwitchResult> {
  const r = await switchSides(plan, endpoint, port, "green", log);
  log.push(entry("rolled_back", `writes paused ${r.pauseMs} ms (catch-up ${r.catchUpMs} ms), ${r.sequences} sequences copied back; blue serves`));
  await teardownReplication(plan, log);
  return r;
}

/** Phase finalize: replication removed both ways; blue's application role stays read-only (blue is retired). */
export async function finalize(plan: UpgradePlan, log: LogEntry[]): Promise<void> {
  await teardownReplication(plan, log);
  await freezeApp(plan.blue);
  log.push(entry("finalized", "green serves for good; blue is read-only for the application and can be removed"));
}
