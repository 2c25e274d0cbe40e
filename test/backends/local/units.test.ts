/**
 * The pure parts of the local back end, pinned exactly and, where PostgreSQL has the last word,
 * checked against a real server: the config files it renders (parsed by PostgreSQL's own
 * `pg_file_settings` and `pg_hba_file_rules`), setting comparison, SCRAM verifiers (RFC 7677 and
 * PostgreSQL's own), the service user and the reachability of directories.
 */
import assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ServerConfig, listenAddresses, normalizeSetting, renderConf, renderHba, sameSetting } from "../../../components/backends/local/config";
import { scramVerifier } from "../../../components/backends/local/scram";
import { ServiceUser, serviceUser, unreachableAncestor } from "../../../components/backends/local/serviceUser";
import { TestPostgres, query, randomPassword, startTestPostgres, tempRoot } from "../../harness/postgres";

const CONFIG: ServerConfig = {
  port: 5433,
  allowedCidrs: ["127.0.0.1/32"],
  superuser: "postgres",
  databaseName: "my db",
  username: "app",
  parameters: { work_mem: "4MB", search_path: '"$user", public', application_name: "it's", password_encryption: "md5", log_line_prefix: "%m [%p] \\ " },
};

const CONF = `# Managed by pgplatform: rewritten on every update. Use the component's \`parameters\` instead.
listen_addresses = '127.0.0.1'
port = 5433
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
application_name = 'it''s'
log_line_prefix = '%m [%p] \\\\ '
search_path = '"$user", public'
work_mem = '4MB'
`;

const HBA = `# Managed by pgplatform: rewritten on every update.
# TYPE  DATABASE  USER  ADDRESS  METHOD
host all "postgres" 127.0.0.1/32 scram-sha-256
host all "postgres" ::1/128 scram-sha-256
host replication "postgres" 127.0.0.1/32 scram-sha-256
host "my db" "app" 127.0.0.1/32 scram-sha-256
host "my db" "app" 10.1.0.0/16 scram-sha-256
host sameuser +pgplatform_tenants 127.0.0.1/32 scram-sha-256
host "my db" +pgplatform_tenants 127.0.0.1/32 scram-sha-256
host sameuser +pgplatform_tenants 10.1.0.0/16 scram-sha-256
host "my db" +pgplatform_tenants 10.1.0.0/16 scram-sha-256
host all all 0.0.0.0/0 reject
host all all ::/0 reject
`;

describe("local back end units", () => {
  let pg: TestPostgres;

  before(async () => {
    pg = await startTestPostgres();
  });

  after(async () => {
    await pg?.stop();
  });

  describe("renderConf and renderHba", () => {
    it("render the exact files: loopback-only listening, scram forced, values quoted with quotes and backslashes doubled", () => {
      assert.strictEqual(renderConf(CONFIG), CONF);
      assert.strictEqual(renderHba({ ...CONFIG, allowedCidrs: ["127.0.0.1/32", "10.1.0.0/16"] }), HBA);
    });

    it("listen on every address as soon as one allowed CIDR is not loopback", () => {
      const table: [string[], string][] = [
        [["127.0.0.1/32"], "127.0.0.1"],
        [["127.0.0.0/8", "127.0.0.2/32"], "127.0.0.1"],
        [["127.0.0.1/32", "::1/128"], "127.0.0.1,::1"],
        [[], "127.0.0.1"],
        [["10.0.0.0/8"], "*"],
        [["127.0.0.1/32", "0.0.0.0/0"], "*"],
        [["::/0"], "*"],
      ];
      for (const [cidrs, expected] of table) assert.strictEqual(listenAddresses(cidrs), expected, JSON.stringify(cidrs));
      assert.strictEqual(renderConf({ ...CONFIG, allowedCidrs: ["127.0.0.1/32", "192.168.0.0/16"] }).split("\n")[1], "listen_addresses = '*'");
    });

    it("are read by PostgreSQL as meant (pg_file_settings, pg_hba_file_rules), without errors", async () => {
      const admin = pg.adminUri;
      const conf = path.join(pg.dataDir, "pgplatform.conf");
      const hba = path.join(pg.dataDir, "pg_hba.conf");
      const saved = { conf: fs.readFileSync(conf, "utf8"), hba: fs.readFileSync(hba, "utf8") };
      try {
        // Written but never reloaded: the views parse the files as they are on disk. The running port, so it "could be applied".
        fs.writeFileSync(conf, renderConf({ ...CONFIG, port: pg.port }));
        fs.writeFileSync(hba, HBA);
        const settings = await query(admin, "SELECT name, setting, error FROM pg_file_settings WHERE sourcefile = $1 ORDER BY seqno", [conf]);
        assert.deepStrictEqual(settings, [
          { name: "listen_addresses", setting: "127.0.0.1", error: null },
          { name: "port", setting: String(pg.port), error: null },
          { name: "unix_socket_directories", setting: "", error: null },
          { name: "password_encryption", setting: "scram-sha-256", error: null },
          { name: "application_name", setting: "it's", error: null },
          { name: "log_line_prefix", setting: "%m [%p] \\ ", error: null },
          { name: "search_path", setting: '"$user", public', error: null },
          { name: "work_mem", setting: "4MB", error: null },
        ]);
        const rules = await query(admin, "SELECT database, user_name, address, netmask, auth_method, error FROM pg_hba_file_rules ORDER BY line_number");
        assert.deepStrictEqual(
          rules.map((r) => `${r.database} ${r.user_name} ${r.address}/${r.netmask} ${r.auth_method} ${r.error}`),
          [
            "all postgres 127.0.0.1/255.255.255.255 scram-sha-256 null",
            "all postgres ::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff scram-sha-256 null",
            "replication postgres 127.0.0.1/255.255.255.255 scram-sha-256 null",
            "my db app 127.0.0.1/255.255.255.255 scram-sha-256 null",
            "my db app 10.1.0.0/255.255.0.0 scram-sha-256 null",
            "sameuser +pgplatform_tenants 127.0.0.1/255.255.255.255 scram-sha-256 null",
            "my db +pgplatform_tenants 127.0.0.1/255.255.255.255 scram-sha-256 null",
            "sameuser +pgplatform_tenants 10.1.0.0/255.255.0.0 scram-sha-256 null",
            "my db +pgplatform_tenants 10.1.0.0/255.255.0.0 scram-sha-256 null",
            "all all 0.0.0.0/0.0.0.0 reject null",
            "all all ::/:: reject null",
          ],
        );
      } finally {
        fs.writeFileSync(conf, saved.conf);
        fs.writeFileSync(hba, saved.hba);
      }
    });
  });

  describe("normalizeSetting and sameSetting", () => {
    it("normalize memory to kB, times to ms, booleans to on/off, everything else to lower case", () => {
      const table: [string, string][] = [
        ["1000ms", "1000ms"], ["1s", "1000ms"], ["10min", "600000ms"], ["1h", "3600000ms"], ["1d", "86400000ms"], ["500us", "0.5ms"],
        ["1GB", "1048576kB"], ["1024MB", "1048576kB"], ["8kB", "8kB"], ["1TB", "1073741824kB"], ["2048B", "2kB"], [" 4MB ", "4096kB"],
        ["on", "on"], ["TRUE", "on"], ["yes", "on"], ["off", "off"], ["false", "off"], ["no", "off"],
        ["0", "0"], ["1", "1"], ["100", "100"], ["-1", "-1"], ["0.9", "0.9"], ["UTC", "utc"], ["scram-sha-256", "scram-sha-256"],
      ];
      for (const [input, expected] of table) assert.strictEqual(normalizeSetting(input), expected, input);
    });

    it("compare values as PostgreSQL means them", () => {
      const table: [string | undefined, string | undefined, boolean][] = [
        ["1s", "1000ms", true], ["1GB", "1024MB", true], ["10min", "600s", true], ["on", "true", true], ["UTC", "utc", true],
        [undefined, undefined, true], [undefined, "4MB", false], ["4MB", undefined, false], ["4MB", "8MB", false],
        ["1", "on", false], ["0", "off", false], ["100", "100", true],
      ];
      for (const [a, b, same] of table) assert.strictEqual(sameSetting(a, b), same, `${a} vs ${b}`);
    });
  });

  describe("scramVerifier", () => {
    const RFC_SALT = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");

    it("matches the RFC 7677 exchange: its ServerSignature and ClientProof verify against the keys", () => {
      const v = scramVerifier("pencil", 4096, RFC_SALT);
      assert.strictEqual(v, "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
      const [storedKey, serverKey] = v.split("$")[2].split(":").map((k) => Buffer.from(k, "base64"));
      const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
      const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
      const hmac = (key: Buffer) => crypto.createHmac("sha256", key).update(authMessage).digest();
      assert.strictEqual(hmac(serverKey).toString("base64"), "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
      const proof = Buffer.from("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "base64");
      const clientKey = Buffer.from(proof.map((b, i) => b ^ hmac(storedKey)[i]));
      assert.ok(crypto.createHash("sha256").update(clientKey).digest().equals(storedKey));
    });

    it("computes what PostgreSQL computes for the same password, salt and iterations (NFKC included)", async () => {
      const { Client } = require("pg");
      const client = new Client({ connectionString: pg.adminUri });
      await client.connect();
      try {
        for (const [i, password] of ["pencil", "correct horse battery staple", "ｐａｓｓ１２３", "pa\u0308ssword", randomPassword(32)].entries()) {
          const role = `scram_probe_${i}`;
          await client.query(`CREATE ROLE ${role} PASSWORD ${client.escapeLiteral(password)}`);
          const stored: string = (await client.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role])).rows[0].rolpassword;
          await client.query(`DROP ROLE ${role}`);
          const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
          assert.strictEqual(scramVerifier(password, Number(iterations), Buffer.from(salt, "base64")), stored, JSON.stringify(password));
        }
      } finally {
        await client.end();
      }
    });

    it("is accepted by PostgreSQL as a password: the user logs in with the password, not with another", async () => {
      const password = randomPassword();
      await query(pg.adminUri, `ALTER ROLE app PASSWORD '${scramVerifier(password)}'`);
      const as = (pw: string) => query(`postgresql://app:${pw}@127.0.0.1:${pg.port}/app`, "SELECT current_user AS u");
      assert.deepStrictEqual(await as(password), [{ u: "app" }]);
      await assert.rejects(as(pg.appPassword), { message: 'password authentication failed for user "app"' });
    });
  });

  describe("serviceUser and unreachableAncestor", () => {
    const postgres = { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) };
    const asRoot = os.userInfo().uid === 0;

    it("runs servers as `postgres` when the program runs as root (as the current user otherwise)", () => {
      const expected = asRoot ? { name: "postgres", ...postgres, switchUser: true } : { name: os.userInfo().username, uid: os.userInfo().uid, gid: os.userInfo().gid, switchUser: false };
      assert.deepStrictEqual(serviceUser(), expected);
    });

    it("refuses a missing user and root, with the exact messages", () => {
      if (!asRoot) return assert.strictEqual(serviceUser("pgplatform-no-such-user").switchUser, false, "only root switches users");
      assert.throws(() => serviceUser("pgplatform-no-such-user"), {
        message:
          "This program runs as root and PostgreSQL refuses to run as root, so the local back end runs its servers as the system user `pgplatform-no-such-user`, which does not exist. " +
          "Create it (`useradd --system --home-dir /var/lib/postgresql pgplatform-no-such-user`) or set stack config `pgplatform:localRunAs` to an existing unprivileged user.",
      });
      assert.throws(() => serviceUser("root"), { message: 'stack config `pgplatform:localRunAs` must name an unprivileged user; got "root" (uid 0)' });
    });

    it("finds the first directory on the way that the user cannot traverse, by owner, group and other bits", () => {
      const base = tempRoot();
      try {
        const user: ServiceUser = { name: "postgres", ...postgres, switchUser: true };
        const dir = (name: string, mode: number, uid = 0, gid = 0) => {
          const d = path.join(base, name);
          fs.mkdirSync(path.join(d, "inner"), { recursive: true });
          fs.chownSync(d, uid, gid);
          fs.chmodSync(d, mode);
          return d;
        };
        const closed = dir("closed", 0o700);
        const table: [string, string | undefined][] = [
          [path.join(dir("open", 0o755), "inner", "not", "yet"), undefined],
          [path.join(closed, "inner", "deeper"), closed],
          [path.join(dir("traverse-only", 0o711), "inner"), undefined],
          [path.join(dir("group-x", 0o710, 0, postgres.gid), "inner"), undefined],
          [path.join(dir("other-x-only", 0o701, 0, postgres.gid), "inner"), path.join(base, "other-x-only")],
          [path.join(dir("owner-no-x", 0o601, postgres.uid), "inner"), path.join(base, "owner-no-x")],
        ];
        for (const [target, expected] of table) assert.strictEqual(unreachableAncestor(target, user), expected, target);
        assert.strictEqual(unreachableAncestor(closed, { ...user, uid: 0 }), undefined, "root reaches everything");
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    });
  });
});
