/**
 * Archives of a tenant before it is dropped: `pg_dump --format=custom` of a database or of one
 * schema into `<location>/<name>-<UTC timestamp>.dump` (mode 0600, directory created 0700), then
 * verified: `pg_restore --list` reads it, and a real `pg_restore` into a scratch database (created
 * and dropped on the same server) holds as many tables, each with as many rows, as the source had in
 * the dump's own snapshot. Only a verified archive is kept; a failed one is removed and the error
 * says why, so a caller drops nothing.
 *
 * pg_dump and pg_restore run as the current user (they are clients). pg_dump refuses a server of a
 * newer major, so the tools are chosen from the server's major up. The password reaches them only
 * in the child's `PGPASSWORD`, never on a command line, and is scrubbed from any message.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SqlConnection, withClient } from "./connection";
import { ident } from "./identifiers";

/** What a verified archive holds. */
export interface ArchiveResult {
  /** The dump file. */
  file: string;
  bytes: number;
  /** Tables in the dump (and in the verified restore). */
  tables: number;
  /** Rows over all tables (equal in the source snapshot and the verified restore). */
  rows: number;
  /** Major of the pg_dump used. */
  toolsMajor: number;
}

/** pg_dump/pg_restore of one major. */
export interface ClientTools {
  major: number;
  dir: string;
}

const DEBIAN = "/usr/lib/postgresql";

function hasTools(dir: string): boolean {
  return ["pg_dump", "pg_restore"].every((b) => {
    try {
      fs.accessSync(path.join(dir, b), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every pg_dump/pg_restore pair on this machine (`PGPLATFORM_PG<major>_BIN`, then Debian's), by major. */
export function installedClientTools(): ClientTools[] {
  const out: ClientTools[] = [];
  for (const [k, dir] of Object.entries(process.env)) {
    const m = /^PGPLATFORM_PG(\d+)_BIN$/.exec(k);
    if (m && dir && hasTools(dir)) out.push({ major: Number(m[1]), dir });
  }
  const debian = fs.existsSync(DEBIAN) ? fs.readdirSync(DEBIAN).filter((d) => /^\d+$/.test(d)) : [];
  for (const d of debian) {
    const dir = path.join(DEBIAN, d, "bin");
    if (hasTools(dir) && !out.some((t) => t.major === Number(d))) out.push({ major: Number(d), dir });
  }
  return out.sort((a, b) => a.major - b.major);
}

/** The tools for a server of `serverMajor`: the same major, else the nearest newer; or an error naming what to install. */
export function findClientTools(serverMajor: number, serverVersion = String(serverMajor)): ClientTools {
  const all = installedClientTools();
  const fit = all.find((t) => t.major >= serverMajor);
  if (fit) return fit;
  const found = all.length ? `; this machine has only ${all.map((t) => `pg_dump ${t.major} (${t.dir})`).join(", ")}` : "; none was found";
  throw new Error(
    `pg_dump for PostgreSQL ${serverMajor} or newer is needed (the server runs PostgreSQL ${serverVersion}, and pg_dump refuses a server of a newer major)${found}. ` +
      `Install the PostgreSQL ${serverMajor} client tools (\`apt-get install postgresql-client-${serverMajor}\`, from apt.postgresql.org where Debian lacks that major), ` +
      `or point PGPLATFORM_PG${serverMajor}_BIN at a directory holding pg_dump and pg_restore`,
  );
}

function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join("***") : text;
}

/** Runs a client tool with the password in its environment only; rejects with its exit code and the end of its stderr. */
function runTool(bin: string, args: string[], password: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG") && v !== undefined) env[k] = v;
  Object.assign(env, { PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" });
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.once("error", (e) => reject(new Error(`${path.basename(bin)} could not run: ${e.message}`)));
    child.once("close", (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} failed (${signal ?? `exit ${code}`}): ${scrub(err.trim(), password)}`)),
    );
  });
}

function connectionArgs(admin: SqlConnection, database: string): string[] {
  return [`--host=${admin.host}`, `--port=${admin.port}`, `--username=${admin.user}`, `--dbname=${database}`, "--no-password"];
}

/** Tables (ordinary and partitioned, not temporary, not an extension's) and their row counts, in the client's database. */
async function tableCounts(client: any, schema?: string): Promise<Map<string, number>> {
  const tables = (
    await client.query(
      `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname !~ '^pg_(toast|temp)' AND ($1::text IS NULL OR n.nspname = $1)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
      [schema ?? null],
    )
  ).rows;
  const out = new Map<string, number>();
  for (const t of tables) {
    const rows = t.relkind === "r" ? Number((await client.query(`SELECT count(*) AS n FROM ONLY ${ident(client, t.nspname)}.${ident(client, t.relname)}`)).rows[0].n) : 0;
    out.set(`${t.nspname}.${t.relname}`, rows);
  }
  return out;
}

function total(m: Map<string, number>): number {
  return [...m.values()].reduce((a, b) => a + b, 0);
}

async function archive(admin: SqlConnection, database: string, location: string, schema?: string): Promise<ArchiveResult> {
  const what = schema === undefined ? `database \`${database}\`` : `schema \`${schema}\` of database \`${database}\``;
  const fail = (why: string) => new Error(`archive of ${what} failed, nothing was dropped: ${scrub(why, admin.password)}`);
  let tools: ClientTools;
  try {
    const v = await withClient(admin, async (c) => (await c.query("SELECT current_setting('server_version_num')::int / 10000 AS major, current_setting('server_version') AS version")).rows[0]);
    tools = findClientTools(v.major, v.version);
    fs.mkdirSync(location, { recursive: true, mode: 0o700 });
  } catch (err: any) {
    throw fail(err.message);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, "");
  const file = path.join(location, `${schema ?? database}-${stamp}.dump`);
  let scratch: string | undefined;
  try {
    fs.closeSync(fs.openSync(file, "wx", 0o600));
  } catch (err: any) {
    throw fail(`cannot write the dump file: ${err.message}`);
  }
  try {
    const bin = (b: string) => path.join(tools.dir, b);
    // Dump from an exported snapshot and count the source in that same snapshot.
    const source = await withClient(
      admin,
      async (c) => {
        await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const snapshot = (await c.query("SELECT pg_export_snapshot() AS s")).rows[0].s;
        const counts = await tableCounts(c, schema);
        const args = [...connectionArgs(admin, database), "--format=custom", `--file=${file}`, `--snapshot=${snapshot}`];
        if (schema !== undefined) args.push(`--schema="${schema.replace(/"/g, '""')}"`);
        await runTool(bin("pg_dump"), args, admin.password);
        await c.query("COMMIT");
        return counts;
      },
      database,
    );
    fs.chmodSync(file, 0o600);
    const listed = (await runTool(bin("pg_restore"), ["--list", file], admin.password)).split("\n").filter((l) => /^\d+; \d+ \d+ TABLE (?!DATA )/.test(l)).length;
    if (listed !== source.size) throw new Error(`pg_restore --list shows ${listed} tables, the source has ${source.size}`);
    scratch = `pgplatform_verify_${crypto.randomBytes(6).toString("hex")}`;
    await withClient(admin, async (c) => {
      const src = (await c.query("SELECT pg_encoding_to_char(encoding) AS enc, datcollate, datctype FROM pg_database WHERE datname = $1", [database])).rows[0];
      const lit = (v: string) => c.escapeLiteral(v);
      await c.query(`CREATE DATABASE ${ident(c, scratch!)} TEMPLATE template0 ENCODING ${lit(src.enc)} LC_COLLATE ${lit(src.datcollate)} LC_CTYPE ${lit(src.datctype)}`);
    });
    await runTool(bin("pg_restore"), [...connectionArgs(admin, scratch), "--no-owner", "--no-privileges", "--exit-on-error", file], admin.password);
    const restored = await withClient(admin, (c) => tableCounts(c, schema), scratch);
    const differ = [...source].filter(([t, n]) => restored.get(t) !== n).map(([t, n]) => `${t}: ${n} rows in the source, ${restored.get(t) ?? "missing"} restored`);
    if (restored.size !== source.size || differ.length > 0) {
      throw new Error(`the verification restore differs from the source (${source.size} tables in the source, ${restored.size} restored${differ.length ? `; ${differ.join("; ")}` : ""})`);
    }
    return { file, bytes: fs.statSync(file).size, tables: source.size, rows: total(source), toolsMajor: tools.major };
  } catch (err: any) {
    fs.rmSync(file, { force: true });
    throw fail(err.message);
  } finally {
    if (scratch) await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(c, scratch!)} WITH (FORCE)`)).catch(() => undefined);
  }
}

/** Dumps `database` into `location` and verifies the dump restores; throws (keeping nothing) otherwise. */
export function archiveDatabase(admin: SqlConnection, database: string, location: string): Promise<ArchiveResult> {
  return archive(admin, database, location);
}

/** Dumps `schema` of `database` into `location` and verifies the dump restores; throws (keeping nothing) otherwise. */
export function archiveSchema(admin: SqlConnection, database: string, schema: string, location: string): Promise<ArchiveResult> {
  return archive(admin, database, location, schema);
}
