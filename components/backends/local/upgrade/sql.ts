/**
 * One-shot SQL sessions on a side of an upgrade, as its superuser, over TCP. Errors name the
 * server (`user@host:port/db`), never the password. Pure Node + `pg` inside the function.
 */
import { SideLogin } from "./types";

/** Runs `fn` with a fresh client on `database` (default: the side's application database), always closing it. */
export async function withSide<T>(side: SideLogin, fn: (client: any) => Promise<T>, database = side.database): Promise<T> {
  const { Client } = require("pg");
  const client = new Client({ host: side.host, port: side.port, user: side.superuser, password: side.superuserPassword, database, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err: any) {
    throw new Error(`could not connect to ${side.superuser}@${side.host}:${side.port}/${database}: ${err.message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Makes the application role read-only in its database (new sessions) and ends its open sessions; returns how many ended. */
export async function freezeApp(side: SideLogin): Promise<number> {
  return withSide(side, async (c) => {
    await c.query(`ALTER ROLE ${c.escapeIdentifier(side.appUser)} IN DATABASE ${c.escapeIdentifier(side.database)} SET default_transaction_read_only = on`);
    const r = await c.query(
      "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
      [side.appUser, side.database],
    );
    return r.rowCount;
  });
}

/** Lets the application role write again in its database (undoes {@link freezeApp}). */
export async function thawApp(side: SideLogin): Promise<void> {
  await withSide(side, (c) => c.query(`ALTER ROLE ${c.escapeIdentifier(side.appUser)} IN DATABASE ${c.escapeIdentifier(side.database)} RESET default_transaction_read_only`));
}

/** Whether the application role is read-only in its database (see {@link freezeApp}). */
export async function appFrozen(side: SideLogin): Promise<boolean> {
  return withSide(side, async (c) => {
    const rows = (
      await c.query(
        `SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) cfg
          WHERE r.rolname = $1 AND d.datname = $2 AND cfg = 'default_transaction_read_only=on'`,
        [side.appUser, side.database],
      )
    ).rows;
    return rows.length > 0;
  });
}
