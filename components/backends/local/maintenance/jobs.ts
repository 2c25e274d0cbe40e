/**
 * The dynamic provider of a local db_resource's scheduled maintenance
 * (`pulumi-nodejs:dynamic/pgplatform:MaintenanceJobs`, input `kind: pgplatform:local:maintenance`):
 * pg_cron jobs in the `cron.job` table of the server's `postgres` database, run as background
 * workers in the application database at the start of the maintenance window. `read` reports the
 * jobs as `cron.job` holds them (a job removed or changed by hand is drift, put back by `up`);
 * `delete` unschedules them. Serialized with the program: `pg` inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { SqlConnection, withClient } from "../../../providers/sql/connection";
import { known } from "../../../providers/values";
import { CRON_DATABASE } from "./schedule";

/** The `kind` input that tells policies what this dynamic resource is. */
export const MAINTENANCE_KIND = "pgplatform:local:maintenance";

/** One job as cron.job holds it. */
export interface CronJob {
  name: string;
  schedule: string;
  command: string;
  database: string;
}

/** The jobs for a spec: `VACUUM (ANALYZE)` of the application database when asked for. */
export function jobsOf(p: { database: string; schedule: string; vacuumAnalyze: boolean }): CronJob[] {
  return p.vacuumAnalyze ? [{ name: `pgplatform-vacuum-analyze-${p.database}`, schedule: p.schedule, command: "VACUUM (ANALYZE)", database: p.database }] : [];
}

async function readJobs(admin: SqlConnection): Promise<CronJob[]> {
  // The database pg_cron keeps its jobs in: the admin connection's (the server's `cron.database_name`).
  return withClient(
    admin,
    async (c) => {
      const ext = (await c.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'")).rowCount > 0;
      if (!ext) return [];
      return (await c.query("SELECT jobname AS name, schedule, command, database FROM cron.job WHERE jobname LIKE 'pgplatform-%' ORDER BY jobname")).rows;
    },
    admin.database ?? CRON_DATABASE,
  );
}

/** Makes cron.job hold exactly `jobs` among pgplatform's jobs. */
async function applyJobs(admin: SqlConnection, jobs: readonly CronJob[]): Promise<CronJob[]> {
  await withClient(
    admin,
    async (c) => {
      await c.query("CREATE EXTENSION IF NOT EXISTS pg_cron");
      const have = (await c.query("SELECT jobname FROM cron.job WHERE jobname LIKE 'pgplatform-%'")).rows.map((r: any) => r.jobname);
      for (const name of have) if (!jobs.some((j) => j.name === name)) await c.query("SELECT cron.unschedule($1)", [name]);
      // schedule_in_database replaces a job of the same name.
      for (const j of jobs) await c.query("SELECT cron.schedule_in_database($1, $2, $3, $4)", [j.name, j.schedule, j.command, j.database]);
    },
    admin.database ?? CRON_DATABASE,
  );
  return readJobs(admin);
}

function wanted(p: any): CronJob[] {
  return jobsOf({ database: p.database, schedule: p.schedule, vacuumAnalyze: p.vacuumAnalyze });
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const maintenanceProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (news.kind !== MAINTENANCE_KIND) failures.push({ property: "kind", reason: `\`kind\` must be \`${MAINTENANCE_KIND}\`; got ${JSON.stringify(news.kind)}` });
    if (known(news.schedule) && (typeof news.schedule !== "string" || news.schedule.trim().split(/\s+/).length !== 5)) {
      failures.push({ property: "schedule", reason: `\`schedule\` must be a 5-field cron; got ${JSON.stringify(news.schedule)}` });
    }
    return { inputs: news, failures };
  },
  async diff(id: string, olds: any, news: any) {
    const changes = ["database", "schedule", "vacuumAnalyze", "admin"].some((k) => known(news[k]) && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const drift = JSON.stringify(olds.jobs ?? []) !== JSON.stringify(wanted(olds));
    return { changes: changes || drift, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs: any) {
    return { id: `maintenance:${inputs.database}`, outs: { ...inputs, jobs: await applyJobs(inputs.admin, wanted(inputs)) } };
  },
  async read(id: string, props: any) {
    return { id, props: { ...props, jobs: await readJobs(props.admin) } };
  },
  async update(id: string, olds: any, news: any) {
    return { outs: { ...news, jobs: await applyJobs(news.admin, wanted(news)) } };
  },
  async delete(id: string, props: any) {
    await applyJobs(props.admin, []).catch((err) => {
      if (!/could not connect/.test(String(err.message))) throw err;
    });
  },
};

/** Inputs of {@link MaintenanceJobs}. */
export interface MaintenanceJobsArgs {
  /** The server's superuser (or, on RDS, master user) connection, with TLS settings where the server needs them. Secret. */
  admin: pulumi.Input<{ host: pulumi.Input<string>; port: pulumi.Input<number>; user: pulumi.Input<string>; password: pulumi.Input<string>; ssl?: pulumi.Input<SqlConnection["ssl"]> }>;
  /**
   * The database pg_cron keeps its jobs in (the server's `cron.database_name`).
   * @default "postgres"
   */
  cronDatabase?: pulumi.Input<string>;
  /** The application database the jobs run in. */
  database: pulumi.Input<string>;
  /** 5-field cron (UTC): the start of the maintenance window. */
  schedule: pulumi.Input<string>;
  vacuumAnalyze: pulumi.Input<boolean>;
}

/** Scheduled maintenance of a local server, as pg_cron jobs. */
export class MaintenanceJobs extends pulumi.dynamic.Resource {
  declare readonly jobs: pulumi.Output<CronJob[]>;

  constructor(name: string, args: MaintenanceJobsArgs, opts?: pulumi.CustomResourceOptions) {
    const a = pulumi.output(args.admin);
    super(
      maintenanceProvider,
      name,
      {
        kind: MAINTENANCE_KIND,
        jobs: undefined,
        ...args,
        admin: pulumi.secret(
          pulumi
            .all([a.host, a.port, a.user, a.password, a.ssl, args.cronDatabase])
            .apply(([host, port, user, password, ssl, cronDatabase]) => ({ host, port, user, password, database: cronDatabase ?? CRON_DATABASE, ...(ssl ? { ssl } : {}) })),
        ),
      },
      opts,
      "pgplatform",
      "MaintenanceJobs",
    );
  }
}
