/**
 * BlueGreenUpgrade on AWS.
 * - `in_place`: not a component of its own on AWS: RDS upgrades an instance or cluster in place
 *   when its `version` changes (pgplatform sets `allowMajorVersionUpgrade` and a parameter group
 *   of the new family), so the change goes on the PgSingle or PgCluster itself.
 * - `blue_green`: the green side is a new db_resource (instance, or an Aurora cluster for a
 *   single-to-cluster migration) of the target version and plan in the source's network, with a
 *   Route53 record as the stable endpoint (`<upgrade>.<source aws.dns name>`), on blue until
 *   cut-over. The data copy is logical replication, which needs SQL reach from the program to both
 *   databases (`aws.sqlAccess` gives the program that reach and TLS, but the replication driver is
 *   not built for aws yet); this version renders `prepare` and `rollback` and refuses `cutover` and
 *   `finalize` rather than switch the application to an empty green side. For a PgSingle, RDS's own
 *   blue/green deployment (`aws.blueGreenUpdate` + a `version` change) does the whole move.
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
    if (spec.phase === "cutover" || spec.phase === "finalize") {
      p.add(
        "phase",
        `\`phase\` \`${spec.phase}\` is not available on the \`aws\` back end in this version: the data copy to the green side is logical replication (publication on blue, subscription on green, catch-up, write freeze, sequence copy, then the Route53 switch), which the aws back end does not drive yet, even with \`aws.sqlAccess\`; moving the application to an empty green side would lose its data${source.spec.kind === "pg_single" && spec.targetKind === "pg_single" ? "; for a PgSingle use `aws.blueGreenUpdate: true` and change its `version` (an RDS blue/green deployment)" : ""}; got ${show(spec.phase)}`,
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

/** Renders a BlueGreenUpgrade on AWS (phases `prepare` and `rollback`: the green side, the stable record on blue). */
export function renderUpgradeAws(scope: pulumi.ComponentResource, spec: BlueGreenUpgradeSpec, source: RenderedSource): RenderedUpgrade {
  const h = awsHandleOf(source.rendered.handle, `the source of BlueGreenUpgrade ${JSON.stringify(spec.name)}`);
  const greenSpec = greenSpecOf(spec, source.spec, h);
  const green: RenderedDbResource = greenSpec.kind === "pg_single" ? renderSingleAws(scope, greenSpec) : renderClusterAws(scope, greenSpec);
  const dns = h.settings.dns!;
  const stableName = `${spec.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}.${dns.name}`;
  const blue = source.rendered.connection;
  const record = renderDnsRecord(scope, spec.name, { ...dns, name: stableName }, h.instance ? h.instance.address : h.cluster!.endpoint);
  return {
    connection: connectionOf(record.fqdn, blue.port, blue.database, blue.user, blue.password),
    green,
    activeSide: pulumi.output("blue" as const),
    progress: pulumi.output(spec.phase).apply((phase): Record<string, unknown> => ({
      phase,
      stableEndpoint: stableName,
      green: greenSpec.resourceId,
      replication: "not started: the aws back end does not run the logical replication SQL in this version (see docs/aws.md)",
    })),
    status: green.status,
    resources: [...green.resources, record],
  };
}
