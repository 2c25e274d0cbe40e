/**
 * The subscriber side of logical replication (the green side of a blue-green upgrade, or the blue
 * side of the reverse stream after a cut-over): the subscription, its initial copy and its removal.
 * The connection string carries the publisher's password, so it travels only as a SQL literal and
 * any error that could echo it is scrubbed. Pure: serialized with the providers.
 */

/** Where a subscription reads from: a superuser-capable login on the publisher's database. */
export interface PublisherLogin {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** A libpq connection string with every value quoted (`key='value'`, `\` and `'` escaped). */
export function conninfoOf(p: PublisherLogin): string {
  const q = (v: string | number) => `'${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `host=${q(p.host)} port=${q(p.port)} user=${q(p.user)} password=${q(p.password)} dbname=${q(p.database)} connect_timeout='10'`;
}

/** `err` with every occurrence of `secret` replaced, so a message never carries a password. */
export function scrubbed(err: unknown, secret: string): Error {
  const message = String((err as Error)?.message ?? err);
  return new Error(secret ? message.split(secret).join("***") : message);
}

/** Options of {@link createSubscription}. */
export interface SubscriptionOptions {
  /** Copy the tables' current rows first (`copy_data`). */
  copyData: boolean;
  /** Create the slot on the publisher (false: `slotName` must exist there already). */
  createSlot: boolean;
  /** The slot on the publisher; the subscription's name when absent. */
  slotName?: string;
}

/** Whether subscription `name` exists on the client's server. */
export async function subscriptionExists(client: any, name: string): Promise<boolean> {
  return (await client.query("SELECT 1 FROM pg_subscription WHERE subname = $1", [name])).rowCount > 0;
}

/** Creates subscription `name` to `publication` on the publisher, unless it exists. */
export async function ensureSubscription(client: any, name: string, publisher: PublisherLogin, publication: string, opts: SubscriptionOptions): Promise<void> {
  if (await subscriptionExists(client, name)) return;
  const slot = opts.slotName ?? name;
  const sql =
    `CREATE SUBSCRIPTION ${client.escapeIdentifier(name)} CONNECTION ${client.escapeLiteral(conninfoOf(publisher))} ` +
    `PUBLICATION ${client.escapeIdentifier(publication)} WITH (copy_data = ${opts.copyData}, create_slot = ${opts.createSlot}, slot_name = ${client.escapeLiteral(slot)})`;
  try {
    await client.query(sql);
  } catch (err) {
    throw scrubbed(err, publisher.password);
  }
}

/** What a subscription reports: its tables' sync states and the last position it received. */
export interface SubscriptionState {
  enabled: boolean;
  tables: number;
  /** Tables whose initial copy is done and that follow the stream (`r`). */
  ready: number;
  /** Tables still copying or syncing, as `schema.table` (`i`, `d`, `f`, `s`). */
  syncing: string[];
}

/** The state of subscription `name`, or undefined when it does not exist. */
export async function subscriptionState(client: any, name: string): Promise<SubscriptionState | undefined> {
  const sub = (await client.query("SELECT oid, subenabled FROM pg_subscription WHERE subname = $1", [name])).rows[0];
  if (!sub) return undefined;
  const rels = (
    await client.query(
      `SELECT n.nspname || '.' || c.relname AS name, r.srsubstate AS state
         FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.srsubid = $1 ORDER BY 1`,
      [sub.oid],
    )
  ).rows;
  return {
    enabled: sub.subenabled,
    tables: rels.length,
    ready: rels.filter((r: any) => r.state === "r").length,
    syncing: rels.filter((r: any) => r.state !== "r").map((r: any) => r.name),
  };
}

/** Waits until every table of subscription `name` finished its initial copy; throws past `timeoutMs`. */
export async function waitForInitialCopy(client: any, name: string, timeoutMs: number): Promise<SubscriptionState> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await subscriptionState(client, name);
    if (!s) throw new Error(`the subscription \`${name}\` is gone`);
    if (s.syncing.length === 0) return s;
    if (Date.now() > until) {
      throw new Error(`the initial copy of subscription \`${name}\` did not finish within ${Math.round(timeoutMs / 1000)} s; still copying: ${s.syncing.join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops subscription `name` applying changes (its slot on the publisher keeps the position). */
export async function disableSubscription(client: any, name: string): Promise<void> {
  if (await subscriptionExists(client, name)) await client.query(`ALTER SUBSCRIPTION ${client.escapeIdentifier(name)} DISABLE`);
}

/**
 * Drops subscription `name` if it exists, without reaching the publisher (its slot is detached
 * first; drop the slot on the publisher with `dropSlot`), so a publisher that is down or gone does
 * not block the drop.
 */
export async function dropSubscription(client: any, name: string): Promise<void> {
  if (!(await subscriptionExists(client, name))) return;
  const id = client.escapeIdentifier(name);
  await client.query(`ALTER SUBSCRIPTION ${id} DISABLE`);
  await client.query(`ALTER SUBSCRIPTION ${id} SET (slot_name = NONE)`);
  await client.query(`DROP SUBSCRIPTION ${id}`);
}
