/**
 * An "RDS-like master user" on a throwaway test server: what RDS makes of `username` on an RDS for
 * PostgreSQL instance, as far as vanilla PostgreSQL can show it. It is NOT a superuser (so it cannot
 * read pg_authid), has CREATEROLE and CREATEDB, and belongs to an `rds_superuser` group holding
 * pg_monitor and pg_signal_backend (RDS's group has those; its other RDS-only powers, such as
 * creating a publication FOR ALL TABLES, vanilla PostgreSQL cannot grant). It owns the application
 * database, as RDS's master owns `dbName`, and the server's own app role and tenants' group are dropped
 * (RDS makes only the master user). The test server's pg_hba gains a line admitting every role by password, as RDS does (its security group is the fence).
 */
import * as fs from "fs";
import * as path from "path";
import { TestPostgres, query, randomPassword } from "./postgres";

/** The master login made on the server. */
export interface RdsLikeMaster {
  user: string;
  password: string;
}

/** Adds the master user to `pg` (idempotent per name) and hands it the application database. */
export async function addRdsLikeMaster(pg: TestPostgres, user = "pgadmin"): Promise<RdsLikeMaster> {
  const password = randomPassword();
  await query(pg.adminUri, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser') THEN CREATE ROLE rds_superuser NOLOGIN; END IF; END $$");
  await query(pg.adminUri, "GRANT pg_monitor, pg_signal_backend TO rds_superuser");
  await query(pg.adminUri, `CREATE ROLE ${user} LOGIN CREATEROLE CREATEDB NOSUPERUSER IN ROLE rds_superuser PASSWORD '${password}'`);
  await query(pg.adminUri, `ALTER DATABASE ${pg.database} OWNER TO ${user}`);
  // The local server made the app role and the tenants' group as its superuser; RDS makes only the master user
  // (which then makes the others, and so may alter and grant them).
  await query(pg.adminUri.replace(/\/postgres$/, `/${pg.database}`), `REASSIGN OWNED BY ${pg.appUser} TO ${user}`);
  await query(pg.adminUri, `DROP OWNED BY ${pg.appUser}`);
  await query(pg.adminUri, `DROP ROLE ${pg.appUser}`);
  await query(pg.adminUri, "DROP ROLE IF EXISTS pgplatform_tenants");
  await query(pg.adminUri, `GRANT CONNECT ON DATABASE postgres TO ${user}`);
  await query(pg.adminUri, `GRANT CONNECT, TEMPORARY ON DATABASE ${pg.database} TO ${user}`);
  const hba = path.join(pg.dataDir, "pg_hba.conf");
  fs.writeFileSync(hba, `host all all 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, "utf8")}`);
  await query(pg.adminUri, "SELECT pg_reload_conf()");
  return { user, password };
}
