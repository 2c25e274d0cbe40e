/**
 * A throwaway real PostgreSQL with TLS on (`ssl = on`), for tests of TLS connections: a CA and a
 * server certificate generated with `openssl` in a temp directory (the certificate names
 * `127.0.0.1` and `localhost`), plus a second, unrelated CA to show a wrong bundle is refused.
 * Built on {@link startTestPostgres}; the server key is handed to the PostgreSQL service user
 * (mode 0600, as PostgreSQL demands). `stop()` stops the server and removes every file.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { serviceUser } from "../../components/backends/local/serviceUser";
import { TestPostgres, startTestPostgres, tempRoot } from "./postgres";

/** The PEM files of a test CA and of a server certificate it signed. */
export interface TestCertificates {
  dir: string;
  /** PEM text of the CA that signed the server certificate. */
  caPem: string;
  /** PEM text of another CA, which signed nothing the server holds. */
  wrongCaPem: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function selfSignedCa(dir: string, name: string): void {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.crt`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
}

/** Makes a CA, a server certificate it signs (SAN `IP:127.0.0.1`, `DNS:localhost`) and an unrelated CA. */
export function makeCertificates(): TestCertificates {
  const dir = tempRoot("pgplatform-tls-");
  selfSignedCa(dir, "test-ca");
  selfSignedCa(dir, "wrong-ca");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"], dir);
  fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "test-ca.crt", "-CAkey", "test-ca.key", "-CAcreateserial", "-days", "2", "-out", "server.crt", "-extfile", "server.ext"], dir);
  const keyFile = path.join(dir, "server.key");
  fs.chmodSync(keyFile, 0o600);
  const user = serviceUser();
  if (user.switchUser) fs.chownSync(keyFile, user.uid, user.gid);
  fs.chmodSync(path.join(dir, "server.crt"), 0o644);
  return {
    dir,
    caPem: fs.readFileSync(path.join(dir, "test-ca.crt"), "utf8"),
    wrongCaPem: fs.readFileSync(path.join(dir, "wrong-ca.crt"), "utf8"),
    certFile: path.join(dir, "server.crt"),
    keyFile,
  };
}

/** A test server with TLS on, and the certificates it was given. */
export interface TlsTestPostgres extends TestPostgres {
  certs: TestCertificates;
}

/** Starts a throwaway server with `ssl = on` (plain TCP still accepted, as on a default server). */
export async function startTlsPostgres(opts: { version?: string; parameters?: Record<string, string> } = {}): Promise<TlsTestPostgres> {
  const certs = makeCertificates();
  try {
    const pg = await startTestPostgres({ version: opts.version, parameters: { ssl: "on", ssl_cert_file: certs.certFile, ssl_key_file: certs.keyFile, ...opts.parameters } });
    return {
      ...pg,
      certs,
      async stop() {
        await pg.stop();
        fs.rmSync(certs.dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(certs.dir, { recursive: true, force: true });
    throw err;
  }
}
