/**
 * How SQL providers reach a server: a plain connection description (the password is a secret
 * input, plaintext inside the provider) and a small pool per server kept for the life of the
 * provider process, so a `pulumi up` that creates hundreds of tenants does not pay a new login
 * for each. Pools let the process exit when idle. Error messages never carry the password.
 */

/**
 * TLS for a connection. `require`: encrypted, the server's certificate not checked (like libpq's
 * `sslmode=require`). `verify-full`: encrypted, the certificate must chain to `ca` (or, without it,
 * to Node's trusted roots) and name `host` (SNI is sent for a host name).
 */
export interface SqlTls {
  mode: "require" | "verify-full";
  /** PEM text of the CA certificate(s) to trust for `verify-full` (e.g. the RDS global bundle). @default - Node's trusted roots */
  ca?: string;
}

/** A superuser-capable connection to one database of a server. */
export interface SqlConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Database to connect to; `postgres` when absent. */
  database?: string;
  /** TLS; a server that does not offer it is refused. @default - no TLS (plain TCP, as on loopback) */
  ssl?: SqlTls;
}

/** The node-postgres `ssl` option for `tls` (undefined: no TLS). Never logged: it may carry a CA bundle. */
export function pgSslOption(c: Pick<SqlConnection, "host" | "ssl">): Record<string, unknown> | undefined {
  const tls = c.ssl;
  if (!tls) return undefined;
  if (tls.mode === "require") return { rejectUnauthorized: false };
  if (tls.mode !== "verify-full") throw new Error(`\`ssl.mode\` must be \`require\` or \`verify-full\`; got ${JSON.stringify(tls.mode)}`);
  const net = require("net");
  return { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}), ...(net.isIP(c.host) ? {} : { servername: c.host }) };
}

/** A short, secret-free tag of the TLS settings, for pool keys: the mode and a hash of the CA. */
function tlsKey(c: SqlConnection): string {
  if (!c.ssl) return "plain";
  const crypto = require("crypto");
  return `${c.ssl.mode}${c.ssl.ca ? `:${crypto.createHash("sha256").update(c.ssl.ca).digest("hex").slice(0, 16)}` : ""}`;
}

/**
 * A stable description of a connection without its password: `user@host:port/database`. (Not named
 * `describe`: mocha defines a global `describe`, and the closure serializer would leave it out.)
 */
export function describeConnection(c: SqlConnection, database = c.database ?? "postgres"): string {
  return `${c.user}@${c.host}:${c.port}/${database}`;
}

function pools(): Map<string, any> {
  const g = globalThis as any;
  if (!g.__pgplatformPools) g.__pgplatformPools = new Map<string, any>();
  return g.__pgplatformPools;
}

function poolFor(c: SqlConnection, database: string): any {
  const crypto = require("crypto");
  const key = `${describeConnection(c, database)}#${crypto.createHash("sha256").update(c.password).digest("hex").slice(0, 16)}#${tlsKey(c)}`;
  let pool = pools().get(key);
  if (!pool) {
    const { Pool } = require("pg");
    pool = new Pool({
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database,
      ssl: pgSslOption(c),
      max: 4,
      idleTimeoutMillis: 2_000,
      connectionTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
    pool.on("error", () => undefined); // an idle client lost: the next checkout reconnects
    pools().set(key, pool);
  }
  return pool;
}

/** A driver error's message, with what to do for the TLS failures a user can fix. */
function tlsHint(err: any): string {
  const msg = String(err?.message ?? err);
  if (/does not support SSL/i.test(msg)) return `${msg} (the connection requires TLS: turn \`ssl\` on at the server, or drop \`ssl\` for a loopback server)`;
  if (["SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_SIGNATURE_FAILURE"].includes(err?.code)) {
    return `the server's certificate is not signed by the trusted CA (${err.code}: ${msg}); give the server's CA bundle in \`ssl.ca\``;
  }
  if (err?.code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the server's certificate does not name this host (${msg})`;
  return msg;
}

/**
 * Runs `fn` with a client connected to `database` (default: the connection's own), returning
 * the client to the pool afterwards. A client that failed is discarded rather than reused.
 */
export async function withClient<T>(c: SqlConnection, fn: (client: any) => Promise<T>, database = c.database ?? "postgres"): Promise<T> {
  let client: any;
  try {
    client = await poolFor(c, database).connect();
  } catch (err: any) {
    throw new Error(`could not connect to ${describeConnection(c, database)}${c.ssl ? ` (TLS ${c.ssl.mode})` : ""}: ${tlsHint(err)}`);
  }
  let broken = false;
  // The pool listens for errors of idle clients only: a checked-out client whose connection dies
  // (killed, server restarted) would otherwise throw an uncaught 'error' and end the process.
  const onError = () => (broken = true);
  client.on("error", onError);
  try {
    return await fn(client);
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}

/** Runs `fn` inside one transaction on an already checked-out client: COMMIT on success, ROLLBACK on error. */
export async function transaction<T>(client: any, fn: (client: any) => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` inside one transaction on a pooled client. */
export async function inTransaction<T>(c: SqlConnection, fn: (client: any) => Promise<T>, database?: string): Promise<T> {
  return withClient(c, (client) => transaction(client, fn), database);
}

/** Closes every pool this process opened (tests and benchmarks call it at the end). */
export async function closePools(): Promise<void> {
  const all = [...pools().values()];
  pools().clear();
  await Promise.all(all.map((p) => p.end().catch(() => undefined)));
}
