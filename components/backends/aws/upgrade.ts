/**
 * BlueGreenUpgrade on AWS.
 * - `in_place`: not a component of its own on AWS: RDS upgrades an instance or cluster in place
 *   when its `version` changes (pgplatform sets `allowMajorVersionUpgrade` and a parameter group
 *   of the new family), so the change goes on the PgSingle or PgCluster itself.
 * - `blue_green`: the green side is a new db_resource (instance, or an Aurora cluster for a
 *   single-to-cluster migration) of the target version and plan in the source's network, with a
 *   Route53 record as the stable endpoint (`<upgrade>.<source aws.dns name>`). The data copy is
 *   logical replication run by the program over TLS as each side's master user, which needs
 *   `aws.sqlAccess` on the source (the green side inherits it): the `AwsUpgrade` dynamic resource
 *   (components/providers/awsUpgrade.ts) runs every phase and reports the side that serves, and the
 *   record follows it. Green's application role takes blue's password, so the stable endpoint's
 *   credentials work on both sides. Without `aws.sqlAccess` only `prepare` and `rollback` render
 *   (the green side and the record on blue) and `cutover` and `finalize` are refused rather than
 *   switch the application to an empty green side. For a PgSingle, RDS's own blue/green deployment
 *   (`aws.blueGreenUpdate` + a `version` change) does the whole move.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems, show } from "../../model/errors";
import { PLANS } from "../../model/plans";
import { BlueGreenUpgradeSpec, PgClusterSpec, PgSingleSpec } from "../../model/spec";
import { DEFAULTS, LABEL_KEYS } from "../../model/defaults";
import { connectionOf } from "../../outputs";
import { RenderedDbResource, RenderedSource, RenderedUpgrade } from "../backend";
import { awsSubject, checkClusterAws, checkSingleAws } from "./checks";
import { renderClusterAws } from "./cluster";
import { AwsHandle, awsHandleOf } from "./handle";
import { renderSingleAws } from "./instance";
import { AWS_CHILD, IDENTIFIER_SUFFIX } from "./names";
import { renderDnsRecord } from "./restore";
import { adminSqlOf, sqlAccessOf } from "./sqlAccess";
import { recordDbResource } from "../../catalog/componentRecords";
import { catalogInputOf, catalogTarget } from "../../catalog/target";
import { resourceIdOf } from "../../model/ids";
import { AwsUpgrade } from "../../providers/awsUpgrade";

/** Suffix of the upgrade's dynamic resource (`<upgrade>-upgrade`). */
export const AWS_UPGRADE_CHILD = "upgrade";

/** How long prepare waits for the initial copy and the catch-up, in seconds. */
export const AWS_PREPARE_TIMEOUT_SECONDS = 3600;

/** The green side's spec: the source's, moved to the target version and plan, in the same network. */
export function greenSpecOf(spec: BlueGreenUpgradeSpec, src: PgSingleSpec | PgClusterSpec, h: AwsHandle): PgSingleSpec | PgClusterSpec {
  const plan = PLANS[spec.targetPlan];
  const samePlan = plan.name === src.plan;
  const resourceId = `${src.resourceId}${IDENTIFIER_SUFFIX.green(spec.targetVersion)}`;
  const sizeGb = Math.max(src.storage.sizeGb, samePlan ? 0 : plan.storage.defaultGb);
  const common = {
    ...src,
    name: `${spec.name}-${AWS_CHILD.green}`,
    resourceId,
    version: spec.targetVersion,
    plan: plan.name,
    compute: samePlan ? src.compute : { ...src.compute, aws: { ...plan.compute.aws } },
    storage: samePlan ? src.storage : { ...plan.storage, sizeGb, autoscaleMaxGb: Math.max(plan.storage.autoscaleMaxGb, sizeGb) },
    parameters: samePlan ? src.parameters : { ...src.parameters, max_connections: plan.parameters.max_connections },
    labels: { ...src.labels, [LABEL_KEYS.plan]: plan.name, [LABEL_KEYS.kind]: plan.kind, [LABEL_KEYS.resourceId]: resourceId },
    aws: { ...src.aws, identifier: `${h.baseIdentifier}${IDENTIFIER_SUFFIX.green(spec.targetVersion)}`, dns: undefined, blueGreenUpdate: undefined, logicalReplication: true },
    restore: undefined,
  };
  if (plan.kind === "pg_single") return { ...(common as PgSingleSpec), kind: "pg_single", readReplicas: 0 };
  const fromCluster = src.kind === "pg_cluster" ? src : undefined;
  return {
    ...(common as unknown as PgClusterSpec),
    kind: "pg_cluster",
    standbys: fromCluster?.standbys ?? plan.ha.standbys,
    replicationMode: fromCluster?.replicationMode ?? plan.ha.replicationMode,
    syncStandbys: fromCluster?.syncStandbys ?? (plan.ha.replicationMode === "sync" ? DEFAULTS.syncStandbys : 0),
    multiAz: fromCluster?.multiAz ?? plan.ha.multiAz,
    awsTopology: fromCluster?.awsTopology ?? "aurora",
    readReplicas: 0,
    backup: samePlan ? src.backup : { ...src.backup, enabled: true, retentionDays: Math.max(src.backup.retentionDays, plan.backup.retentionDays), pitr: true },
  };
}

/** Checks a BlueGreenUpgrade against its source on AWS; throws one ValidationError listing every problem. */
export function checkUpgradeAws(spec: BlueGreenUpgradeSpec, source: RenderedSource): void {
  const p = new Problems();
  const h = awsHandleOf(source.rendered.handle, `the source of BlueGreenUpgrade ${JSON.stringify(spec.name)}`);
  if (h.shardGroup) {
    p.add(
      "source",
      `\`source\` \`${source.spec.resourceId}\` is a sharded PgCluster (Aurora Limitless Database), which can be neither a replication source nor in an RDS blue/green deployment, and runs PostgreSQL 16 only (its minor versions are upgraded in place, in the maintenance window)`,
    );
    p.throwIfAny(awsSubject("BlueGreenUpgrade", spec.name));
  }
  if (spec.strategy === "in_place") {
    p.add(
      "strategy",
      `\`strategy\` \`in_place\` on the \`aws\` back end is a change of \`version\` on the source itself: set \`version: "${spec.targetVersion}"\` on \`${source.spec.resourceId}\` (RDS upgrades it in place with a parameter group of the new family; a PgSingle with \`aws.blueGreenUpdate\` goes through an RDS blue/green deployment); got "in_place"`,
    );
  } else {
    if (!h.settings.dns) {
      p.add("source", `\`source\` \`${source.spec.resourceId}\` needs \`aws.dns\` for a blue-green upgrade on the \`aws\` back end (the stable endpoint is a Route53 record moved at cut-over)`);
    }
    if (!h.settings.logicalReplication) {
      p.add("source", `\`source\` \`${source.spec.resourceId}\` needs \`aws.logicalReplication: true\` for a blue-green upgrade (\`rds.logical_replication = 1\` in its parameter group: the green side is fed by logical replication; the parameter takes a reboot, so set it before \`prepare\`)`);
    }
    if ((spec.phase === "cutover" || spec.phase === "finalize") && !sqlAccessOf(source.spec)) {
      p.add(
        "phase",
        `\`phase\` \`${spec.phase}\` is not available on the \`aws\` back end in this version: the data copy to the green side is logical replication (publication on blue, subscription on green, catch-up, write freeze, sequence copy, then the Route53 switch), which the program runs only with \`aws.sqlAccess: true\` on the source (its TLS SQL reach to both databases; set it when the source is created); without it, moving the application to an empty green side would lose its data${source.spec.kind === "pg_single" && spec.targetKind === "pg_single" ? "; for a PgSingle use `aws.blueGreenUpdate: true` and change its `version` (an RDS blue/green deployment)" : ""}; got ${show(spec.phase)}`,
      );
    }
    const green = greenSpecOf(spec, source.spec, h);
    try {
      if (green.kind === "pg_single") checkSingleAws(green);
      else checkClusterAws(green);
    } catch (err: any) {
      for (const problem of err.problems ?? [{ path: "targetPlan", message: String(err.message) }]) p.add(problem.path, `the green side: ${problem.message}`);
    }
  }
  p.throwIfAny(awsSubject("BlueGreenUpgrade", spec.name));
}

/** Renders a BlueGreenUpgrade on AWS: the green side, the stable record, and with `aws.sqlAccess` the upgrade that feeds green and moves the record. */
export function renderUpgradeAws(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
  const h = awsHandleOf(source.rendered.handle, `the source of BlueGreenUpgrade ${JSON.stringify(spec.name)}`);
  const s = source.spec;
  const greenSpec = greenSpecOf(spec, s, h);
  const blue = source.rendered.connection;
  const driven = sqlAccessOf(s);
  const appPassword = driven ? blue.password : undefined;
  const green: RenderedDbResource = greenSpec.kind === "pg_single" ? renderSingleAws(scope, greenSpec, undefined, appPassword) : renderClusterAws(scope, greenSpec, undefined, appPassword);
  const dns = h.settings.dns!;
  const stableName = `${spec.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}.${dns.name}`;
  const blueHost = h.instance ? h.instance.address : h.cluster!.endpoint;
  if (!driven) {
    const record = renderDnsRecord(scope, spec.name, { ...dns, name: stableName }, blueHost);
    return {
      connection: connectionOf(record.fqdn, blue.port, blue.database, blue.user, blue.password),
      green,
      activeSide: pulumi.output("blue" as const),
      progress: pulumi.output(spec.phase).apply((phase): Record<string, unknown> => ({
        phase,
        stableEndpoint: stableName,
        green: greenSpec.resourceId,
        replication: "not started: the aws back end runs the logical replication only with `aws.sqlAccess` on the source (see docs/aws.md)",
      })),
      status: green.status,
      resources: [...green.resources, record],
    };
  }
  const gh = awsHandleOf(green.handle, `the green side of BlueGreenUpgrade ${JSON.stringify(spec.name)}`);
  const greenHost = gh.instance ? gh.instance.address : gh.cluster!.endpoint;
  const sideOf = (sideSpec: typeof s | typeof greenSpec, host: pulumi.Input<string>, port: number, masterPassword: pulumi.Input<string>) =>
    pulumi.all([host, masterPassword, blue.password]).apply(([hostName, pw, app]) => ({
      admin: adminSqlOf(sideSpec, hostName, port, pw),
      database: sideSpec.databaseName,
      appUser: s.username,
      appPassword: app,
    }));
  const catalog = catalogInputOf(catalogTarget());
  const greenRecord = catalog ? recordDbResource(scope, greenSpec.name, catalog, greenSpec, green) : undefined;
  const upgrade = new AwsUpgrade(
    `${spec.name}-${AWS_UPGRADE_CHILD}`,
    {
      upgradeId: resourceIdOf(spec.kind, s.projectId, s.environmentId, spec.name),
      phase: spec.phase,
      blue: sideOf(s, blueHost, h.port, h.masterPassword),
      green: sideOf(greenSpec, greenHost, gh.port, gh.masterPassword),
      stableEndpoint: stableName,
      tablesWithoutPrimaryKey: spec.tablesWithoutPrimaryKey,
      maxWritePauseSeconds: spec.maxWritePauseSeconds,
      prepareTimeoutSeconds: AWS_PREPARE_TIMEOUT_SECONDS,
      migration: {
        migrationType: spec.targetKind !== s.kind ? "single_to_cluster" : "blue_green_upgrade",
        sourceResourceId: s.resourceId,
        targetResourceId: greenSpec.resourceId,
        fromVersion: s.version,
        toVersion: spec.targetVersion,
      },
      ...(catalog ? { catalog } : {}),
    },
    { parent: scope, dependsOn: [...source.rendered.resources, ...green.resources, ...(greenRecord ? [greenRecord] : [])] },
  );
  // The record follows the side the upgrade reports serving: it moves once the switch (freeze, catch-up, sequences) is done.
  const target = pulumi.all([upgrade.activeSide, blueHost, greenHost]).apply(([side, b, g]) => (side === "green" ? g : b));
  const record = renderDnsRecord(scope, spec.name, { ...dns, name: stableName }, target);
  return {
    connection: connectionOf(record.fqdn, blue.port, blue.database, blue.user, blue.password),
    green,
    activeSide: upgrade.activeSide,
    progress: pulumi.all([upgrade.appliedPhase, upgrade.status, upgrade.progress]).apply(([phase, status, progress]): Record<string, unknown> => ({
      phase,
      migrationStatus: status,
      stableEndpoint: stableName,
      green: greenSpec.resourceId,
      ...progress,
    })),
    status: green.status,
    resources: [...green.resources, upgrade, record],
  };
}
