/**
 * What the local upgrade tests share: a blue PostgreSQL 15 (Debian's, `wal_level=logical`) and a
 * green 16 (embedded) server, the provider inputs for an upgrade between them, a catalogue on the
 * green server with the source recorded, and a writer that keeps inserting through the stable
 * endpoint and remembers every acknowledged row.
 */
import { freePort } from "../../../../components/backends/local/process";
import { SideLogin } from "../../../../components/backends/local/upgrade/types";
import { upsertRecord, withCatalog } from "../../../../components/catalog/store";
import { LOCAL_UPGRADE_KIND, LocalUpgradeInputs } from "../../../../components/providers/localUpgrade";
import { SqlConnection } from "../../../../components/providers/sql/connection";
import { TestPostgres, query, startTestPostgres } from "../../../harness/postgres";

export const SOURCE_ID = "shop-dev-orders-00000000";

export function sideOf(t: TestPostgres, version: string): SideLogin {
  return { host: "127.0.0.1", port: t.port, superuser: t.superuser, superuserPassword: t.password, database: t.database, appUser: t.appUser, appPassword: t.appPassword, version };
}

/** Blue 15 and green 16, both with logical decoding. */
export async function startPair(): Promise<{ blue: TestPostgres; green: TestPostgres }> {
  const [blue, green] = await Promise.all([
    startTestPostgres({ version: "15", parameters: { wal_level: "logical" } }),
    startTestPostgres({ version: "16", parameters: { wal_level: "logical" } }),
  ]);
  return { blue, green };
}

/** A catalogue in database `catalog` of `server`, with the source db_resource recorded. */
export async function catalogOn(server: TestPostgres): Promise<SqlConnection> {
  await query(server.adminUri, "CREATE DATABASE catalog");
  const connection = { host: "127.0.0.1", port: server.port, user: server.superuser, password: server.password, database: "catalog" };
  await withCatalog(connection, (c) =>
    upsertRecord(c, "db_resource", SOURCE_ID, { kind: "pg_single", projectId: "shop", environmentId: "dev", plan: "dev_single", version: "15", backend: "local", region: "local", status: "RUNNING" }),
  );
  return connection;
}

/** Provider inputs for an upgrade from `blue` to `green`. */
export async function inputsFor(id: string, blue: TestPostgres, green: TestPostgres, more: Partial<LocalUpgradeInputs> = {}): Promise<LocalUpgradeInputs> {
  return {
    kind: LOCAL_UPGRADE_KIND,
    upgradeId: id,
    phase: "prepare",
    blue: sideOf(blue, "15"),
    green: sideOf(green, "16"),
    dataRoot: blue.dataRoot,
    port: await freePort(),
    consolePassword: "console-password-1",
    tablesWithoutPrimaryKey: "replica_identity_full",
    maxWritePauseSeconds: 10,
    prepareTimeoutSeconds: 120,
    migration: { migrationType: "blue_green_upgrade", sourceResourceId: SOURCE_ID, targetResourceId: "shop-dev-orders-green-11111111", fromVersion: "15", toVersion: "16" },
    ...more,
  };
}

/** A writer through one persistent connection (reconnecting after an error) that records every acknowledged insert. */
export class Writer {
  readonly acked = new Map<number, number>();
  readonly errors: string[] = [];
  /** Server majors that acknowledged writes, in order of first sight. */
  readonly majors: string[] = [];
  private stopping = false;
  private done: Promise<void> | undefined;
  private n = 0;

  constructor(private readonly uri: string, private readonly table = "orders") {}

  start(): void {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const { Client } = require("pg");
    while (!this.stopping) {
      const client = new Client({ connectionString: this.uri, connectionTimeoutMillis: 5_000 });
      client.on("error", () => undefined);
      try {
        await client.connect();
        while (!this.stopping) {
          const amount = ++this.n;
          const r = await client.query(`INSERT INTO ${this.table} (amount) VALUES ($1) RETURNING id, current_setting('server_version_num') AS v`, [amount]);
          this.acked.set(Number(r.rows[0].id), amount);
          const major = String(r.rows[0].v).slice(0, 2);
          if (!this.majors.includes(major)) this.majors.push(major);
        }
      } catch (err) {
        this.errors.push((err as Error).message);
        await new Promise((res) => setTimeout(res, 50));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /** Stops and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  /** Sum of the acknowledged amounts. */
  sum(): number {
    let s = 0;
    for (const v of this.acked.values()) s += v;
    return s;
  }
}

/** Waits until `fn` is true (polling every 100 ms), or throws after `ms`. */
export async function until(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
