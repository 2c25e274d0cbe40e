/**
 * Every plan × component × option the kubernetes back end supports, as programs to render: each
 * PgSingle plan in each tier it allows, with and without backups, paused, soft-deleted, with read
 * replicas, an image catalogue, a public endpoint, a direct backup cron; PgCluster in sync and async,
 * single and multi-zone; ReadReplicaSets with each endpoint strategy and pooler mode; BackupPolicies
 * with the plan's and their own schedules; restores (clone at each target, in place); and
 * BlueGreenUpgrades in every phase, for a major upgrade and a single-to-cluster migration.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupPolicy, BlueGreenUpgrade, PgCluster, PgSingle, ReadReplicaSet } from "../../components";
import { PLANS, plansOfKind } from "../../components/model/plans";
import { EnvironmentTier } from "../../components/model/environments";
import { Program } from "./render";

const STORE = { bucket: "pgplatform-backups", credentials: { secretName: "backup-s3", regionKey: "REGION" } };
const ENV: Record<EnvironmentTier, string> = { dev: "dev", staging: "staging", production: "prod" };

/** `kubernetes` options a db_resource of `plan` in `tier` needs: a backup store when it backs up, a StorageClass in production. */
function k8sFor(plan: string, tier: EnvironmentTier, extra: Record<string, unknown> = {}) {
  return {
    namespace: "shop",
    ...(PLANS[plan as keyof typeof PLANS].backup.enabled ? { backupStore: STORE } : {}),
    ...(tier === "production" ? { storageClass: "fast-ssd" } : {}),
    ...extra,
  };
}

/** The common args of a db_resource named on `plan` in `tier`. */
function base(plan: string, tier: EnvironmentTier) {
  return { projectId: "shop", environmentId: ENV[tier], plan, backend: "kubernetes" as const };
}

/** A component that is only a parent, so a second db_resource of the same name can exist in one program (an in-place restore's predecessor). */
class Previous extends pulumi.ComponentResource {
  constructor(name: string) {
    super("pgplatform-test:index:Previous", name);
  }
}

/** The programs. */
export function matrix(): Program[] {
  const out: Program[] = [];
  const add = (label: string, run: () => void) => out.push({ label, run });

  for (const plan of plansOfKind("pg_single")) {
    for (const tier of PLANS[plan].tiers) {
      add(`PgSingle ${plan} ${tier}`, () => new PgSingle("orders", { ...base(plan, tier), kubernetes: k8sFor(plan, tier) }));
    }
    add(`PgSingle ${plan} paused, soft delete, hard network`, () =>
      new PgSingle("orders", {
        ...base(plan, "staging"),
        lifecycle: { state: "paused", deletionPolicy: "soft", softDeleteRetentionDays: 14, maintenanceWindow: "sat:22:00-sun:02:00" },
        network: { allowedNamespaces: ["web", "jobs"], allowedPodLabels: { app: "orders" }, allowedCidrs: ["10.20.0.0/16"] },
        monitoring: { enabled: false },
        kubernetes: k8sFor(plan, "staging", { monitoringNamespace: "monitoring", scheduledVacuum: false }),
      }),
    );
    if (PLANS[plan].maxReadReplicas > 0) {
      add(`PgSingle ${plan} readReplicas, image catalogue, CNPG cron`, () =>
        new PgSingle("orders", {
          ...base(plan, "production"),
          readReplicas: PLANS[plan].maxReadReplicas,
          kubernetes: k8sFor(plan, "production", { imageCatalog: { name: "postgresql-trixie" }, backupSchedule: "0 30 1 * * *", failover: { primaryUpdateStrategy: "supervised" } }),
        }),
      );
    }
  }
  add("PgSingle dev_single public, backups on, IAM store", () =>
    new PgSingle("orders", {
      ...base("dev_single", "dev"),
      version: "15",
      network: { publicAccess: true },
      backup: { enabled: true, schedule: "hourly", retentionDays: 3 },
      kubernetes: { backupStore: { bucket: "dev-backups", prefix: "team/orders", endpointURL: "https://minio.storage.svc:9000", inheritFromIAMRole: true }, imageName: "registry.example.com/pg:15.8-custom" },
    }),
  );

  for (const tier of PLANS.prod_ha.tiers) {
    add(`PgCluster prod_ha ${tier}`, () => new PgCluster("orders", { ...base("prod_ha", tier), kubernetes: k8sFor("prod_ha", tier) }));
  }
  add("PgCluster prod_ha staging async, single zone, 5 standbys, no backups", () =>
    new PgCluster("orders", {
      ...base("prod_ha", "staging"),
      standbys: 5,
      replicationMode: "async",
      multiAz: false,
      backup: { enabled: false },
      kubernetes: { namespace: "shop", failover: { delaySeconds: 30, switchoverDelaySeconds: 600, primaryUpdateMethod: "restart" }, alerts: { storageUsedPercent: 90, connectionsUsedPercent: 70, replicationLagSeconds: 10 } },
    }),
  );
  add("PgCluster prod_ha production sync 2 of 3", () =>
    new PgCluster("orders", { ...base("prod_ha", "production"), standbys: 3, syncStandbys: 2, version: 18, kubernetes: k8sFor("prod_ha", "production") }),
  );

  const sources: [string, () => PgSingle | PgCluster][] = [
    ["small_single", () => new PgSingle("orders", { ...base("small_single", "production"), kubernetes: k8sFor("small_single", "production") })],
    ["prod_ha", () => new PgCluster("orders", { ...base("prod_ha", "production"), kubernetes: k8sFor("prod_ha", "production") })],
  ];
  for (const [plan, make] of sources) {
    for (const endpointStrategy of ["single", "per_replica"] as const) {
      for (const pooling of [undefined, { mode: "session" as const }, { mode: "transaction" as const, maxClientConnections: 500, defaultPoolSize: 50 }]) {
        add(`ReadReplicaSet on ${plan} ${endpointStrategy} pooler ${pooling?.mode ?? "none"}`, () => {
          const source = make();
          new ReadReplicaSet("orders-reads", { source, replicas: 1, endpointStrategy, pooling, ...(pooling ? { maxLagBytes: 16 * 1024 * 1024 } : { maxLagSeconds: 10 }) });
        });
      }
    }
    for (const schedule of [undefined, "hourly", "daily", "15 */6 * * 1-5"]) {
      add(`BackupPolicy on ${plan} schedule ${schedule ?? "plan"}`, () => new BackupPolicy("orders-backups", { target: make(), schedule }));
    }
    const targets = [{}, { backupId: "20260701T030000" }, { targetTime: "2026-07-01T10:15:00Z" }, { targetLsn: "0/3000060" }];
    for (const target of targets) {
      add(`restore clone of ${plan} at ${JSON.stringify(target)}`, () => {
        const policy = new BackupPolicy("orders-backups", { target: make() });
        const args = { ...base(plan, "production"), kubernetes: k8sFor(plan, "production"), restore: { from: policy, ...target } };
        if (plan === "prod_ha") new PgCluster("orders-copy", args);
        else new PgSingle("orders-copy", args);
      });
    }
    add(`restore in place of ${plan}`, () => {
      const previous = new Previous("before");
      const policy = new BackupPolicy("orders-backups", { target: sourceUnder(plan, previous) }, { parent: previous });
      const args = { ...base(plan, "production"), kubernetes: k8sFor(plan, "production"), restore: { from: policy, mode: "in_place" as const, confirm: true, targetTime: "2026-07-01T10:15:00Z" } };
      if (plan === "prod_ha") new PgCluster("orders", args);
      else new PgSingle("orders", args);
    });
  }

  for (const phase of ["prepare", "cutover", "finalize", "rollback"] as const) {
    add(`BlueGreenUpgrade major 16 to 17 ${phase}`, () => {
      const source = new PgSingle("orders", { ...base("small_single", "staging"), version: "16", kubernetes: k8sFor("small_single", "staging") });
      new BlueGreenUpgrade("orders-17", { source, targetVersion: "17", phase, tablesWithoutPrimaryKey: "refuse" });
    });
    add(`BlueGreenUpgrade single to cluster ${phase}`, () => {
      const source = new PgSingle("orders", { ...base("medium_single", "production"), kubernetes: k8sFor("medium_single", "production") });
      new BlueGreenUpgrade("orders-ha", { source, targetPlan: "prod_ha", phase, confirm: true, tablesWithoutPrimaryKey: "refuse" });
    });
  }
  return out;
}

/** The source of an in-place restore, parented to `previous`. */
function sourceUnder(plan: string, previous: pulumi.ComponentResource): PgSingle | PgCluster {
  const args = { ...base(plan, "production"), kubernetes: k8sFor(plan, "production") };
  return plan === "prod_ha" ? new PgCluster("orders", args, { parent: previous }) : new PgSingle("orders", args, { parent: previous });
}
