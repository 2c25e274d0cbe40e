/**
 * The stack P6 judges: {@link TOTAL} resources as the engine would hand them to the policy pack at
 * preview, a realistic mix of what pgplatform programs register.
 *
 * - Components run for real under Pulumi mocks (preview) for one project: shared `PgSingle`s
 *   (`dev_single` in `dev`, `small_single` with backups off in `staging`), each carrying
 *   `TenantDatabase`s (database and schema mode alternating, every third with quotas), with every
 *   child they make (RandomPassword, LocalServer, Role, Database/Schema, Grants, TenantQuota,
 *   CatalogRecord: the dynamic ones with their serialized provider in `__provider`, ~57 KB each, as
 *   the engine receives them). What reaches the pack is read off the SDK's resource monitor
 *   (test/policies/quotas/capture.ts): each resource's inputs for `Analyze`, components' registered
 *   outputs (`facts`) for `AnalyzeStack`. That project is then copied under {@link PROJECTS} project
 *   ids (every id, name, URN and label renamed), which gives the same wire form as running them all
 *   (running 20 projects under mocks takes ~100 s; one takes ~5 s).
 * - The rest, up to {@link TOTAL}, are primitives made without components, by their labels/tags, in
 *   `prod`: `aws:rds/instance:Instance`s and their read replicas, CloudNativePG `Cluster`s with their
 *   `ScheduledBackup`s, Aurora PostgreSQL `aws:rds/cluster:Cluster`s with their
 *   `aws:rds/clusterInstance:ClusterInstance`s (see {@link primitive}).
 */
import * as pulumi from "@pulumi/pulumi";
import { PgSingle, TenantDatabase } from "../components";
import { Seen, captureEngineView, waitForRPCs } from "../test/policies/quotas/capture";
import { ResourceFixture } from "../test/policies/quotas/harness";

/** Resources in the stack. */
export const TOTAL = 10_000;
/** Projects the db_resources spread over. */
const PROJECTS = 20;
/** Projects the hand-made primitives spread over. */
const PRIMITIVE_PROJECTS = 100;
/** Shared PgSingles per project and environment. */
const SHARED_PER_ENVIRONMENT = 5;
/** Tenants per shared PgSingle. */
const TENANTS_PER_SHARED = 6;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** The project the components run for; its id is replaced in every copy. */
const TEMPLATE_PROJECT = "proj00";

/** Answers every registration with its inputs (plus what a server reports), as a preview would. */
function installMocks(): void {
  void pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: a.custom ? `${a.name}-id` : undefined, state: a.custom ? { ...a.inputs, host: "127.0.0.1", port: 5432, status: "RUNNING", state: "ok", usageBytes: 0 } : {} }),
      call: (a) => {
        throw new Error(`unexpected invoke ${a.token}`);
      },
    },
    "p6",
    "bench",
    true,
  );
  pulumi.runtime.setAllConfig({ "pgplatform:catalog": "local", "pgplatform:localDataRoot": "/srv/pgplatform" });
}

/** The components' part of the program, for one project. */
function program(projectId: string): void {
  for (const environmentId of ["dev", "staging"]) {
    for (let s = 0; s < SHARED_PER_ENVIRONMENT; s++) {
      const shared = new PgSingle(`${projectId}-${environmentId}-shared${s}`, {
        projectId,
        environmentId,
        plan: environmentId === "dev" ? "dev_single" : "small_single",
        ...(environmentId === "dev" ? {} : { backup: { enabled: false } }),
      });
      for (let t = 0; t < TENANTS_PER_SHARED; t++) {
        const tenantId = `t${pad(s)}${pad(t)}`;
        new TenantDatabase(`${shared.spec.name}-${tenantId}`, {
          tenantId,
          projectId,
          environmentId,
          target: shared,
          mode: t % 2 === 0 ? "database_per_tenant" : "schema_per_tenant",
          ...(t % 3 === 0 ? { quotas: { maxConnections: 10, maxStorageGb: 2 } } : {}),
        });
      }
    }
  }
}

/** Labels/tags of a db_resource made without components. */
function labels(projectId: string, name: string, plan: string, kind: string): Record<string, string> {
  const resourceId = `${projectId}-prod-${name}`;
  return { "pgplatform.io/project": projectId, "pgplatform.io/environment": "prod", "pgplatform.io/plan": plan, "pgplatform.io/resource-id": resourceId, "pgplatform.io/kind": kind };
}

/** Zones the hand-made Aurora members are spread over. */
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

/**
 * The i-th hand-made primitive, in `prod` of {@link PRIMITIVE_PROJECTS} other projects (so no quota
 * is exceeded), in groups of 8 that each hold what the stack rules match across resources (a
 * ScheduledBackup before its CNPG Cluster, ClusterInstances before their Aurora cluster, so a stack
 * cut short mid-group is still compliant):
 * 0 a ScheduledBackup (daily), 2 its CNPG `Cluster` (`prod_ha`); 1 an RDS instance, 3 its read
 * replica; 4-6 the writer and 2 standbys (one per zone) of 7, an Aurora PostgreSQL cluster (`prod_ha`).
 */
function primitive(i: number): ResourceFixture {
  const group = Math.floor(i / 8);
  const projectId = `legacy${pad(group % PRIMITIVE_PROJECTS, 3)}`;
  const slot = i % 8;
  if (slot === 0 || slot === 2) {
    const name = `events${pad(group, 5)}`;
    if (slot === 0) {
      return {
        type: "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
        name: `${name}-scheduled`,
        props: {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "ScheduledBackup",
          metadata: { name: `${name}-scheduled`, namespace: projectId, labels: labels(projectId, name, "prod_ha", "pg_cluster") },
          spec: { schedule: "0 0 3 * * *", cluster: { name }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" } },
        },
      };
    }
    return {
      type: "kubernetes:postgresql.cnpg.io/v1:Cluster",
      name,
      protect: true,
      props: {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name, namespace: projectId, labels: labels(projectId, name, "prod_ha", "pg_cluster") },
        spec: {
          instances: 3,
          imageName: "ghcr.io/cloudnative-pg/postgresql:17.6",
          storage: { size: "200Gi", storageClass: "gp3" },
          resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
          postgresql: { synchronous: { method: "any", number: 2 } },
          affinity: { topologyKey: "topology.kubernetes.io/zone" },
          plugins: [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true, parameters: { barmanObjectName: `${name}-store` } }],
        },
      },
    };
  }
  if (slot >= 4) {
    const name = `ledger${pad(group, 5)}`;
    const tags = labels(projectId, name, "prod_ha", "pg_cluster");
    if (slot === 7) {
      return {
        type: "aws:rds/cluster:Cluster",
        name,
        protect: true,
        props: {
          clusterIdentifier: name,
          engine: "aurora-postgresql",
          engineVersion: "17",
          availabilityZones: ZONES,
          storageEncrypted: true,
          deletionProtection: true,
          backupRetentionPeriod: 30,
          tags,
        },
      };
    }
    const k = slot - 4;
    return {
      type: "aws:rds/clusterInstance:ClusterInstance",
      name: `${name}-${k + 1}`,
      protect: true,
      props: {
        identifier: `${name}-${k + 1}`,
        clusterIdentifier: name,
        engine: "aurora-postgresql",
        engineVersion: "17",
        instanceClass: "db.r7g.large",
        promotionTier: k === 0 ? 0 : 1,
        availabilityZone: ZONES[k],
        publiclyAccessible: false,
        tags,
      },
    };
  }
  const replica = slot === 3;
  const name = `orders${pad(group, 5)}`;
  return {
    type: "aws:rds/instance:Instance",
    name: replica ? `${name}-replica` : name,
    props: {
      engine: "postgres",
      engineVersion: "17",
      instanceClass: "db.t4g.small",
      allocatedStorage: 50,
      storageEncrypted: true,
      publiclyAccessible: false,
      backupRetentionPeriod: 7,
      tags: labels(projectId, name, "small_single", "pg_single"),
      ...(replica ? { replicateSourceDb: `${name}-id` } : {}),
    },
  };
}

/** Runs one project under mocks, copies it to every project, and returns exactly `total` resources as the pack would get them. */
export async function buildStack(total = TOTAL): Promise<Seen[]> {
  installMocks();
  const view = captureEngineView();
  program(TEMPLATE_PROJECT);
  await waitForRPCs();
  const template = view.seen();
  // Every copy shares the template's `__provider` strings (they do not name the project), so the
  // copies cost no more memory than the requests they become.
  const providers = template.map((s) => (s.analyze.props as any).__provider as string | undefined);
  const text = JSON.stringify(template.map((s) => ({ ...s, analyze: { ...s.analyze, props: { ...s.analyze.props, __provider: undefined } }, stack: { ...s.stack, props: { ...s.stack.props, __provider: undefined } } })));
  const seen: Seen[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    const copy: Seen[] = JSON.parse(text.split(TEMPLATE_PROJECT).join(`proj${pad(p)}`));
    copy.forEach((s, i) => {
      if (providers[i] === undefined) return;
      (s.analyze.props as any).__provider = providers[i];
      (s.stack.props as any).__provider = providers[i];
    });
    seen.push(...copy);
  }
  if (seen.length > total) throw new Error(`the components alone registered ${seen.length} resources, more than ${total}`);
  for (let i = 0; seen.length < total; i++) {
    const r = primitive(i);
    seen.push({ custom: true, analyze: r, stack: r });
  }
  return seen;
}
