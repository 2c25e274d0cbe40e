/**
 * Small catalog helpers the SQL providers share: existence checks and ending sessions.
 */

/** Ends the sessions of `role` (in `database`, when given), except the caller's; waits up to 5 s for each. Returns how many. */
export async function terminateSessions(client: any, where: { role?: string; database?: string }): Promise<number> {
  const rows = (
    await client.query(
      `SELECT pg_terminate_backend(pid, 5000) AS gone FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND ($1::text IS NULL OR usename = $1) AND ($2::text IS NULL OR datname = $2)`,
      [where.role ?? null, where.database ?? null],
    )
  ).rows;
  return rows.length;
}

/** True when a role of that name exists. */
export async function roleExists(client: any, name: string): Promise<boolean> {
  return (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name])).rowCount > 0;
}

/** True when a database of that name exists. */
export async function databaseExists(client: any, name: string): Promise<boolean> {
  return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount > 0;
}

/** True when a schema of that name exists in the client's database. */
export async function schemaExists(client: any, name: string): Promise<boolean> {
  return (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [name])).rowCount > 0;
}

/** The SQLSTATE of a driver error, if any. */
export function sqlState(err: unknown): string | undefined {
  return (err as any)?.code;
}
