/**
 * The schema copy of a blue-green upgrade: `pg_dump --schema-only --no-publications
 * --no-subscriptions` of the blue application database, applied to the green one with `psql` in one
 * transaction. pg_dump refuses a server of a newer major, so the tools are those of the BLUE major
 * or the nearest newer (`PGPLATFORM_PG<major>_BIN`, then Debian's `/usr/lib/postgresql/<major>/bin`;
 * the embedded npm packages ship no pg_dump). On this machine that means Debian's PostgreSQL 15
 * tools, so a blue side of 15 can be upgraded and a blue side of 16 or 17 needs client tools of
 * its major installed. A newer psql applies a dump to an older or newer server alike.
 *
 * Passwords reach the tools only in the child's `PGPASSWORD`, and are scrubbed from messages.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClientTools, findClientTools } from "../../../providers/sql/archive";
import { SideLogin } from "./types";

/** The pg_dump/psql to copy a schema from a server of `blueMajor`, or an error that says what to install. */
export function schemaTools(blueMajor: string): ClientTools {
  const tools = findClientTools(Number(blueMajor));
  if (!fs.existsSync(path.join(tools.dir, "psql"))) throw new Error(`psql was not found next to pg_dump in ${tools.dir}; install the PostgreSQL ${tools.major} client tools`);
  return tools;
}

function runClient(bin: string, args: string[], password: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG") && v !== undefined) env[k] = v;
  Object.assign(env, { PGPASSWORD: password, PGCONNECT_TIMEOUT: "10", LC_ALL: "C" });
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-3000)));
    child.once("error", (e) => reject(new Error(`${path.basename(bin)} could not run: ${e.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(out);
      const msg = password ? err.trim().split(password).join("***") : err.trim();
      reject(new Error(`${path.basename(bin)} failed (${signal ?? `exit ${code}`}): ${msg}`));
    });
  });
}

function loginArgs(side: SideLogin): string[] {
  return [`--host=${side.host}`, `--port=${side.port}`, `--username=${side.superuser}`, `--dbname=${side.database}`, "--no-password"];
}

/** Copies the blue application database's schema to green; returns the tools' major and the statements' size in bytes. */
export async function copySchema(blue: SideLogin, green: SideLogin): Promise<{ toolsMajor: number; bytes: number }> {
  const tools = schemaTools(blue.version);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-schema-"));
  const file = path.join(dir, "schema.sql");
  try {
    const sql = await runClient(path.join(tools.dir, "pg_dump"), ["--schema-only", "--no-publications", "--no-subscriptions", ...loginArgs(blue)], blue.superuserPassword);
    fs.writeFileSync(file, sql, { mode: 0o600 });
    await runClient(path.join(tools.dir, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", ...loginArgs(green), "-f", file], green.superuserPassword);
    return { toolsMajor: tools.major, bytes: Buffer.byteLength(sql) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
