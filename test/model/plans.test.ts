/**
 * The plan catalogue and the version table are coherent: every default a component resolves from
 * them is itself valid.
 */
import assert from "assert";
import {
  BACKENDS,
  BACKUP_CRON,
  DEFAULT_MAJOR,
  END_OF_LIFE,
  ENVIRONMENT_TIERS,
  LIMITS,
  PLAN_NAMES,
  PLANS,
  SUPPORTED_MAJORS,
  UPGRADE_EDGES,
  compareMajors,
  isSupportedMajor,
  parseCron,
  plansOfKind,
} from "../../components/model";

const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

describe("plan catalogue", () => {
  it("has one entry per plan name, under its own name", () => {
    assert.deepStrictEqual(Object.keys(PLANS).sort(), [...PLAN_NAMES].sort());
    for (const name of PLAN_NAMES) assert.strictEqual(PLANS[name].name, name);
  });

  it("splits plans into pg_single and pg_cluster", () => {
    assert.deepStrictEqual(plansOfKind("pg_single"), ["dev_single", "small_single", "medium_single"]);
    assert.deepStrictEqual(plansOfKind("pg_cluster"), ["prod_ha"]);
  });

  for (const name of PLAN_NAMES) {
    describe(name, () => {
      const plan = PLANS[name];

      it("is complete: a description, tiers, compute for every back end, parameters", () => {
        assert.ok(plan.description.length > 0);
        assert.ok(plan.tiers.length > 0);
        for (const tier of plan.tiers) assert.ok(ENVIRONMENT_TIERS.includes(tier), tier);
        for (const backend of BACKENDS) assert.ok(plan.compute[backend], `compute.${backend}`);
        assert.ok(plan.compute.aws.instanceClass.startsWith("db."));
        assert.ok(plan.compute.kubernetes.cpu && plan.compute.kubernetes.memory);
        for (const v of Object.values(plan.compute.local)) assert.match(v, /^\d+(kB|MB|GB)$/);
        assert.ok(Number(plan.parameters.max_connections) > 0);
        assert.match(plan.maintenanceWindow, MAINTENANCE_WINDOW);
      });

      it("has coherent storage: min <= default <= max, autoscaling off or between default and max", () => {
        const s = plan.storage;
        assert.ok(s.minGb >= 1 && s.minGb <= s.defaultGb && s.defaultGb <= s.maxGb, JSON.stringify(s));
        assert.ok(s.autoscaleMaxGb === 0 || (s.autoscaleMaxGb >= s.defaultGb && s.autoscaleMaxGb <= s.maxGb), JSON.stringify(s));
        assert.ok(s.iops > 0 && s.throughputMbps > 0);
      });

      it("has coherent HA: minStandbys <= standbys <= maxStandbys, by kind", () => {
        const ha = plan.ha;
        assert.ok(ha.minStandbys <= ha.standbys && ha.standbys <= ha.maxStandbys, JSON.stringify(ha));
        if (plan.kind === "pg_cluster") {
          assert.ok(ha.minStandbys >= 1, "a cluster has at least one standby");
        } else {
          assert.deepStrictEqual([ha.standbys, ha.minStandbys, ha.maxStandbys, ha.multiAz], [0, 0, 0, false]);
        }
        assert.ok(plan.maxReadReplicas >= 0);
      });

      it("offers only supported majors, including the default", () => {
        assert.ok(plan.versions.length > 0);
        for (const v of plan.versions) assert.ok(isSupportedMajor(v), v);
        assert.ok(plan.versions.includes(DEFAULT_MAJOR));
      });

      it("has a valid backup: its cron parses and matches its schedule, PITR only with backups", () => {
        const b = plan.backup;
        assert.ok(parseCron(b.cron).ok, b.cron);
        assert.strictEqual(b.cron, BACKUP_CRON[b.schedule]);
        if (b.pitr) assert.strictEqual(b.enabled, true, "pitr implies backups");
        assert.ok(b.retentionDays >= 1 && b.retentionDays <= LIMITS.awsBackupRetentionDays, "retention fits RDS");
      });

      it("protects what may run in production", () => {
        if (plan.tiers.includes("production")) assert.strictEqual(plan.deletionProtection, true);
      });
    });
  }

  it("names valid crons for every backup schedule", () => {
    for (const cron of Object.values(BACKUP_CRON)) assert.ok(parseCron(cron).ok, cron);
  });
});

describe("versions", () => {
  it("lists supported majors oldest first, none past end of life", () => {
    const sorted = [...SUPPORTED_MAJORS].sort(compareMajors);
    assert.deepStrictEqual([...SUPPORTED_MAJORS], sorted);
    for (const v of SUPPORTED_MAJORS) assert.strictEqual(END_OF_LIFE[v], undefined, v);
    assert.ok(isSupportedMajor(DEFAULT_MAJOR));
  });

  it("has upgrade edges from every supported major, only going up to supported majors", () => {
    assert.deepStrictEqual(Object.keys(UPGRADE_EDGES).sort(compareMajors), [...SUPPORTED_MAJORS]);
    for (const from of SUPPORTED_MAJORS) {
      for (const to of UPGRADE_EDGES[from]) {
        assert.ok(isSupportedMajor(to), `${from} -> ${to}`);
        assert.ok(compareMajors(to, from) > 0, `${from} -> ${to} goes down`);
      }
    }
  });
});

describe("cron parser", () => {
  it("reads numbers, lists, ranges and steps", () => {
    const r = parseCron("*/20 1-3,22 1 */6 1-5/2");
    assert.ok(r.ok);
    assert.deepStrictEqual(r.cron, { minute: [0, 20, 40], hour: [1, 2, 3, 22], day: [1], month: [1, 7], weekday: [1, 3, 5] });
  });

  it("reports every bad field", () => {
    assert.deepStrictEqual(parseCron("0 24 * * 8"), {
      ok: false,
      faults: ['its hour field "24" is out of range (hour is 0-23)', 'its weekday field "8" is out of range (weekday is 0-7)'],
    });
  });
});
