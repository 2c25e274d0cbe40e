/**
 * kubernetes-configure-scheduled-backups, through the SDK's AnalyzeStack handler: a CNPG Cluster
 * and its ScheduledBackup as the Kubernetes back end makes them (6-field cron, seconds first), a
 * compliant stack, mutations with the exact messages, config, values unknown at preview (never a
 * false violation), and how schedules are read (robfig/cron, as CloudNativePG reads them).
 */
import assert from "assert";
import { toCnpgCron } from "../../../components/backends/kubernetes/schedule";
import { BACKUP_CRON } from "../../../components/model/plans";
import { STACK_POLICIES } from "../../../policies/rules/quotas";
import { goDurationMs, readSchedule } from "../../../policies/rules/quotas/cnpgSchedule";
import { SCHEDULED_BACKUPS, SCHEDULED_BACKUPS_DEFAULTS, configureScheduledBackups } from "../../../policies/rules/quotas/kubernetes-configure-scheduled-backups";
import { labelsOf } from "./fixtures";
import { ResourceFixture, UNKNOWN, analyzeStack, pairs, urnOf } from "./harness";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const SCHEDULED = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";

function labels(environment = "prod", plan = "prod_ha"): Record<string, string> {
  return labelsOf({ resourceId: `shop-${environment}-orders`, projectId: "shop", environmentId: environment, plan, kind: "pg_cluster" });
}

/** A CNPG Cluster `orders` in namespace `shop`; `metadata` and `spec` patched shallowly. */
function cluster(metadata: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, name = "orders-cluster"): ResourceFixture {
  return {
    type: CLUSTER,
    name,
    protect: true,
    props: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: { name: "orders", namespace: "shop", labels: labels(), ...metadata },
      spec: { instances: 3, plugins: [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true }], ...spec },
    },
  };
}

/** A ScheduledBackup of `orders` in `shop` on the plan's hourly cron as the back end writes it; `spec` and `metadata` patched shallowly. */
function scheduled(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): ResourceFixture {
  return {
    type: SCHEDULED,
    name,
    props: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: { name, namespace: "shop", labels: labels(), ...metadata },
      spec: { schedule: toCnpgCron(BACKUP_CRON.hourly), cluster: { name: "orders" }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" }, ...spec },
    },
  };
}

const STACK = [cluster(), scheduled("orders-scheduled-backup")];
const judge = (stack: ResourceFixture[], config?: Parameters<typeof analyzeStack>[2]) => analyzeStack([configureScheduledBackups], stack, config);

const who = 'CNPG Cluster "orders-cluster"';
const need = (tier = "production", where = "label `pgplatform.io/environment` \"prod\" is production", ns = "shop") =>
  `${who}: plan \`prod_ha\` takes backups, so a ${tier} cluster (${where}) needs a \`ScheduledBackup\` in namespace \`${ns}\` with \`spec.cluster.name\` "orders", a \`spec.schedule\` that fires at least daily and \`spec.suspend\` not true`;

describe("kubernetes-configure-scheduled-backups", () => {
  it("passes a compliant stack with the defaults, and so does every stack rule", async () => {
    assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, STACK), []);
    assert.deepStrictEqual(toCnpgCron(BACKUP_CRON.hourly), "0 0 * * * *");
  });

  it("reports a Cluster without a ScheduledBackup on the Cluster, naming the fields", async () => {
    const ds = await judge([cluster()]);
    assert.deepStrictEqual(pairs(ds), [[SCHEDULED_BACKUPS, `${need()}; got none`]]);
    assert.deepStrictEqual([ds[0].urn, ds[0].enforcementLevel, ds[0].message], [urnOf(CLUSTER, "orders-cluster"), "mandatory", `${configureScheduledBackups.description}\n${ds[0].detail}`]);
  });

  it("does not count a ScheduledBackup of another Cluster or in another namespace", async () => {
    const stack = [cluster(), scheduled("other", { cluster: { name: "orders-reads" } }), scheduled("elsewhere", {}, { namespace: "billing" })];
    assert.deepStrictEqual(pairs(await judge(stack)), [[SCHEDULED_BACKUPS, `${need()}; got none`]]);
    // No namespace on either is the provider's (`default`) on both.
    const noNamespace = (r: ResourceFixture): ResourceFixture => {
      const { namespace: _, ...metadata } = (r.props as any).metadata;
      return { ...r, props: { ...r.props, metadata } };
    };
    const defaulted = [noNamespace(cluster()), noNamespace(scheduled("orders-scheduled-backup"))];
    assert.deepStrictEqual(await judge(defaulted), []);
    assert.deepStrictEqual(pairs(await judge([defaulted[0]])), [[SCHEDULED_BACKUPS, `${need(undefined, undefined, "default")}; got none`]]);
  });

  it("reports a suspended, a less than daily and an unreadable ScheduledBackup, each by name", async () => {
    const stack = [
      cluster(),
      scheduled("paused", { suspend: true }),
      scheduled("weekly", { schedule: "0 0 3 * * 0" }),
      scheduled("garbled", { schedule: "0 3 * * * * *" }),
      scheduled("out-of-range", { schedule: "0 0 25 * * *" }),
    ];
    assert.deepStrictEqual(pairs(await judge(stack)), [
      [
        SCHEDULED_BACKUPS,
        `${need()}; got \`ScheduledBackup\` "paused" has \`spec.suspend\` true; \`ScheduledBackup\` "weekly"'s \`spec.schedule\` "0 0 3 * * 0" does not fire every day; ` +
          `\`ScheduledBackup\` "garbled"'s \`spec.schedule\` "0 3 * * * * *" is not a cron CloudNativePG reads (it has 7 fields, not 6 (seconds minute hour day month weekday)); ` +
          `\`ScheduledBackup\` "out-of-range"'s \`spec.schedule\` "0 0 25 * * *" is not a cron CloudNativePG reads (its hour field "25" is out of range (hour is 0-23))`,
      ],
    ]);
    // One that does is enough.
    assert.deepStrictEqual(await judge([...stack, scheduled("daily", { schedule: "0 30 2 * * *", suspend: false })]), []);
  });

  it("leaves out replica clusters, plans without backups and tiers not in `tiers`", async () => {
    for (const c of [
      cluster({}, { replica: { enabled: true, source: "origin" } }),
      cluster({ labels: labels("prod", "dev_single") }),
      cluster({ labels: labels("staging") }),
      cluster({ labels: {} }),
    ]) {
      assert.deepStrictEqual(await judge([c]), [], JSON.stringify(c.props.metadata));
    }
    // A replica section that is not enabled is a Cluster of its own.
    assert.deepStrictEqual(pairs(await judge([cluster({}, { replica: { enabled: false, source: "origin" } })])), [[SCHEDULED_BACKUPS, `${need()}; got none`]]);
    // No environment label at all counts as production.
    const { ["pgplatform.io/environment"]: _, ...noEnvironment } = labels();
    assert.deepStrictEqual(pairs(await judge([cluster({ labels: noEnvironment })])), [
      [SCHEDULED_BACKUPS, `${need(undefined, "no `pgplatform.io/environment` label, so judged as production")}; got none`],
    ]);
  });

  it("takes `tiers` and the enforcement level from config; the schema's defaults judge as the code's", async () => {
    const staging = [cluster({ labels: labels("staging") })];
    const ds = await judge(staging, { [SCHEDULED_BACKUPS]: { enforcementLevel: "advisory", tiers: ["staging", "production"] } });
    assert.deepStrictEqual(pairs(ds), [[SCHEDULED_BACKUPS, `${need("staging", "label `pgplatform.io/environment` \"staging\" is staging")}; got none`]]);
    assert.deepStrictEqual(ds.map((d) => d.enforcementLevel), ["advisory"]);
    for (const stack of [STACK, [cluster()], staging]) {
      assert.deepStrictEqual(pairs(await judge(stack, { [SCHEDULED_BACKUPS]: { ...SCHEDULED_BACKUPS_DEFAULTS } })), pairs(await judge(stack)));
    }
  });

  describe("at preview (values unknown)", () => {
    it("skips a Cluster when a ScheduledBackup that could be its own has an unknown namespace, cluster, schedule or suspend flag", async () => {
      for (const b of [
        scheduled("b", {}, { namespace: UNKNOWN.string }),
        scheduled("b", { cluster: UNKNOWN.object }),
        scheduled("b", { cluster: { name: UNKNOWN.string } }),
        scheduled("b", { schedule: UNKNOWN.string }),
        scheduled("b", { suspend: UNKNOWN.boolean }),
        { ...scheduled("b"), props: { ...scheduled("b").props, spec: UNKNOWN.object } },
      ]) {
        assert.deepStrictEqual(await analyzeStack(STACK_POLICIES, [cluster(), b]), [], JSON.stringify(b.props));
      }
    });

    it("still reports when what is known excludes every ScheduledBackup", async () => {
      const stack = [cluster(), scheduled("elsewhere", { cluster: { name: UNKNOWN.string } }, { namespace: "billing" }), scheduled("other", { schedule: UNKNOWN.string, cluster: { name: "orders-reads" } })];
      assert.deepStrictEqual(pairs(await judge(stack)), [[SCHEDULED_BACKUPS, `${need()}; got none`]]);
    });

    it("skips a Cluster whose name, namespace, labels or replica section are unknown", async () => {
      for (const c of [
        cluster({ name: UNKNOWN.string }),
        cluster({ namespace: UNKNOWN.string }),
        cluster({ labels: UNKNOWN.object }),
        cluster({ labels: { ...labels(), "pgplatform.io/plan": UNKNOWN.string } }),
        cluster({ labels: { ...labels(), "pgplatform.io/environment": UNKNOWN.string } }),
        cluster({}, { replica: UNKNOWN.object }),
      ]) {
        assert.deepStrictEqual(await judge([c]), [], JSON.stringify(c.props));
      }
    });
  });
});

describe("CloudNativePG schedules (robfig/cron)", () => {
  const table: [string, boolean | string][] = [
    ["0 0 3 * * *", true],
    ["0 0 * * * *", true],
    ["*/30 * * * * *", true],
    ["0 0 3 * * 1-5", false],
    ["0 0 3 * * 0-6", true],
    ["0 0 3 1-31 * 1-5", true], // both restricted: either one matching is enough
    ["0 0 3 1-15 * *", false],
    ["0 0 3 ? * *", true],
    ["0 0 3 * JAN-JUN *", false],
    ["0 0 3 * * SUN,MON,TUE,WED,THU,FRI,SAT", true],
    ["0 0 3 * *", true], // the weekday may be left out
    ["@daily", true],
    ["@midnight", true],
    ["@hourly", true],
    ["@weekly", false],
    ["@Monthly", false],
    ["@yearly", false],
    ["@every 6h", true],
    ["@every 1h30m", true],
    ["@every 24h", true],
    ["@every 24h1s", false],
    ["@every 36h", false],
    ["@fortnightly", "it is not a descriptor robfig/cron knows (`@daily`, `@hourly`, `@every 24h`, ...)"],
    ["60 0 3 * * *", 'its seconds field "60" is out of range (seconds is 0-59)'],
    ["0 0 3 * * * *", "it has 7 fields, not 6 (seconds minute hour day month weekday)"],
  ];
  for (const [text, want] of table) {
    it(`${JSON.stringify(text)}: ${typeof want === "boolean" ? (want ? "daily" : "not daily") : want}`, () => {
      assert.deepStrictEqual(readSchedule(text), typeof want === "boolean" ? { ok: true, daily: want } : { ok: false, why: want });
    });
  }

  it("reads Go durations", () => {
    assert.deepStrictEqual(["24h", "1h30m", "90m", "1.5h", "500ms", "h", "1d", ""].map(goDurationMs), [86_400_000, 5_400_000, 5_400_000, 5_400_000, 500, undefined, undefined, undefined]);
  });
});
