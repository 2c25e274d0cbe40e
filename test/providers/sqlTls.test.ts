/**
 * TLS in the SQL layer against real PostgreSQL servers: one with `ssl = on` and a certificate from
 * a CA made with openssl for the test, one without TLS. `require` encrypts, `verify-full` checks the
 * chain and the name, a wrong CA and a server without TLS are refused with clear errors that carry
 * neither the password nor the CA, and no `ssl` behaves as before (plain TCP).
 */
import { strict as assert } from "assert";
import { SqlConnection, closePools, pgSslOption, withClient } from "../../components/providers/sql/connection";
import { roleProvider } from "../../components/providers/sql/role";
import { KINDS } from "../../components/providers/values";
import { TestPostgres, startTestPostgres } from "../harness/postgres";
import { TlsTestPostgres, startTlsPostgres } from "../harness/tlsPostgres";

async function sslInUse(c: SqlConnection): Promise<boolean> {
  return withClient(c, async (client) => (await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0].ssl);
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a failure");
}

describe("SQL connections over TLS (real PostgreSQL)", function () {
  this.timeout(180_000);
  let tls: TlsTestPostgres;
  let plain: TestPostgres;
  const admin = (pg: TestPostgres, ssl?: SqlConnection["ssl"], host = pg.host): SqlConnection => ({ host, port: pg.port, user: pg.superuser, password: pg.password, ...(ssl ? { ssl } : {}) });

  before(async () => {
    [tls, plain] = await Promise.all([startTlsPostgres(), startTestPostgres()]);
  });
  after(async () => {
    await closePools();
    await Promise.all([tls?.stop(), plain?.stop()]);
  });

  it("without `ssl` connects in plain TCP, as before, even to a server that offers TLS", async () => {
    assert.equal(await sslInUse(admin(tls)), false);
    assert.equal(await sslInUse(admin(plain)), false);
    assert.equal(pgSslOption({ host: "127.0.0.1" }), undefined);
  });

  it("`require` encrypts without checking the certificate (any CA)", async () => {
    assert.equal(await sslInUse(admin(tls, { mode: "require" })), true);
    assert.deepEqual(pgSslOption({ host: "db.example", ssl: { mode: "require", ca: tls.certs.wrongCaPem } }), { rejectUnauthorized: false });
  });

  it("the TLS settings are part of the pool key: the same login with and without TLS gets its own pool", async () => {
    assert.equal(await sslInUse(admin(tls)), false);
    assert.equal(await sslInUse(admin(tls, { mode: "require" })), true);
    assert.equal(await sslInUse(admin(tls, { mode: "verify-full", ca: tls.certs.caPem })), true);
    assert.equal(await sslInUse(admin(tls)), false);
  });

  it("`verify-full` with the right CA connects by address and by name (SNI), and the session is encrypted", async () => {
    assert.equal(await sslInUse(admin(tls, { mode: "verify-full", ca: tls.certs.caPem })), true);
    assert.equal(await sslInUse(admin(tls, { mode: "verify-full", ca: tls.certs.caPem }, "localhost")), true);
    assert.deepEqual(pgSslOption({ host: "db.example", ssl: { mode: "verify-full", ca: "PEM" } }), { rejectUnauthorized: true, ca: "PEM", servername: "db.example" });
    assert.deepEqual(pgSslOption({ host: "10.0.0.5", ssl: { mode: "verify-full" } }), { rejectUnauthorized: true });
  });

  it("`verify-full` with a wrong CA is refused, naming the fix, without the password or the CA", async () => {
    const c = admin(tls, { mode: "verify-full", ca: tls.certs.wrongCaPem });
    const msg = await failure(sslInUse(c));
    assert.equal(
      msg,
      `could not connect to postgres@127.0.0.1:${tls.port}/postgres (TLS verify-full): the server's certificate is not signed by the trusted CA ` +
        "(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate); give the server's CA bundle in `ssl.ca`",
    );
    assert.ok(!msg.includes(tls.password) && !msg.includes("BEGIN CERTIFICATE"));
  });

  it("`verify-full` without a CA trusts only Node's roots, so a private CA is refused", async () => {
    const msg = await failure(sslInUse(admin(tls, { mode: "verify-full" })));
    assert.match(msg, /^could not connect to postgres@127\.0\.0\.1:\d+\/postgres \(TLS verify-full\): the server's certificate is not signed by the trusted CA/);
  });

  it("a server without TLS is refused when TLS is required, in either mode", async () => {
    for (const mode of ["require", "verify-full"] as const) {
      const msg = await failure(sslInUse(admin(plain, { mode, ca: tls.certs.caPem })));
      assert.equal(
        msg,
        `could not connect to postgres@127.0.0.1:${plain.port}/postgres (TLS ${mode}): The server does not support SSL connections ` +
          "(the connection requires TLS: turn `ssl` on at the server, or drop `ssl` for a loopback server)",
      );
    }
  });

  it("the SQL providers take `ssl` with the admin connection: a Role made over verify-full exists; a bad `ssl` fails check", async () => {
    const a = admin(tls, { mode: "verify-full", ca: tls.certs.caPem });
    const inputs = { kind: KINDS.role, admin: a, name: "tls_made", password: "pw-tls-made-123", login: true, connectionLimit: 3, memberOf: [], onDelete: "drop" };
    const made = await roleProvider.create!(inputs);
    assert.equal(made.id, `127.0.0.1:${tls.port}/role/tls_made`);
    assert.equal(await withClient(a, async (c) => (await c.query("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'tls_made'")).rows[0].rolconnlimit), 3);
    const diff = await roleProvider.diff!(made.id, made.outs, { ...inputs, admin: { ...a, ssl: { mode: "require" } } } as any);
    assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    await roleProvider.delete!(made.id, made.outs);
    const checked = await roleProvider.check!({}, { ...inputs, admin: { ...a, ssl: { mode: "prefer" } } });
    assert.deepEqual(checked.failures, [{ property: "admin", reason: '`admin.ssl` must be `{ mode: "require" | "verify-full", ca?: <PEM text> }`; got mode "prefer"' }]);
  });
});
