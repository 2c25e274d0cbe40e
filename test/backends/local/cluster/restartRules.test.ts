/**
 * The maintenance-window rules of a local cluster, without processes: whether a restart is allowed
 * now, which members restart in which order (restarts.ts), and when the provider's diff plans an
 * update for a restart left pending (a pending restart is not drift).
 */
import assert from "assert";
import { MemberPending, NEVER_DEFERRED, clusterRestartAllowedNow, pendingNames, pendingValuesOf, restartsDue } from "../../../../components/backends/local/cluster/restarts";
import { TEST_NOW_ENV } from "../../../../components/backends/local/maintenance/window";
import { LOCAL_CLUSTER_KIND, localClusterProvider as provider } from "../../../../components/providers/localCluster";
import { UNKNOWN } from "../../../../components/providers/values";
import { clusterSpec } from "./support";

const WINDOW = "sun:04:00-sun:05:00";
const OUTSIDE = "2026-11-25T12:00:00Z"; // a Wednesday
const INSIDE = "2026-11-29T04:30:00Z"; // a Sunday, 04:30 UTC
const NO_CHANGES = { changes: false, replaces: [], deleteBeforeReplace: false };
const CHANGES = { changes: true, replaces: [], deleteBeforeReplace: false };

const member = (name: string, leader: boolean, settings: string[], flagged = settings.length > 0): MemberPending => ({ name, pgPort: 7000, restPort: 8000, leader, flagged, settings });

describe("local cluster restart rules", () => {
  describe("clusterRestartAllowedNow", () => {
    it("allows a restart inside the window (start included, end excluded), with applyImmediately, or without a window", () => {
      const at = (iso: string, spec: { maintenanceWindow?: string; applyImmediately?: boolean }) => clusterRestartAllowedNow(spec, new Date(iso));
      assert.deepStrictEqual(
        [at("2026-11-29T04:00:00Z", { maintenanceWindow: WINDOW }), at("2026-11-29T04:59:59Z", { maintenanceWindow: WINDOW }), at("2026-11-29T05:00:00Z", { maintenanceWindow: WINDOW }), at(OUTSIDE, { maintenanceWindow: WINDOW })],
        [true, true, false, false],
      );
      assert.deepStrictEqual([at(OUTSIDE, { maintenanceWindow: WINDOW, applyImmediately: true }), at(OUTSIDE, {})], [true, true]);
    });
  });

  describe("restartsDue", () => {
    const pending = [member("node0", true, ["max_connections"]), member("node1", false, ["max_connections"]), member("node2", false, []), member("node3", false, ["shared_buffers"])];

    it("when allowed, restarts every pending member, standbys first (by name), the primary last", () => {
      assert.deepStrictEqual(restartsDue(pending, true, []).map((p) => p.name), ["node1", "node3", "node0"]);
    });

    it("restarts a member Patroni flags though its PostgreSQL names no setting (Patroni's own start values)", () => {
      assert.deepStrictEqual(restartsDue([member("node0", true, []), member("node1", false, [], true)], true, []).map((p) => p.name), ["node1"]);
    });

    it("outside the window, restarts only the members this update started or added, and those a setting that cannot wait holds", () => {
      assert.deepStrictEqual(restartsDue(pending, false, []), []);
      assert.deepStrictEqual(restartsDue(pending, false, ["node3", "node2"]).map((p) => p.name), ["node3"]);
      const listen = [member("node0", true, ["listen_addresses", "max_connections"]), member("node1", false, ["listen_addresses"]), member("node2", false, ["max_connections"])];
      assert.deepStrictEqual(restartsDue(listen, false, []).map((p) => p.name), ["node1", "node0"]);
      assert.deepStrictEqual(NEVER_DEFERRED, ["listen_addresses", "port", "unix_socket_directories", "unix_socket_permissions"]);
    });
  });

  describe("pendingRestart and pendingValues outputs", () => {
    it("spell the settings as the spec does, once each, sorted, with the values written for them", () => {
      const spec = clusterSpec("/srv/pg", { parameters: { max_connections: "50", DateStyle: "ISO, DMY", shared_buffers: "48MB" } });
      const names = pendingNames(spec, [member("node0", true, ["shared_buffers", "max_connections"]), member("node1", false, ["datestyle", "max_wal_senders"])]);
      assert.deepStrictEqual(names, ["DateStyle", "max_connections", "max_wal_senders", "shared_buffers"]);
      assert.deepStrictEqual(pendingValuesOf(spec, names), { DateStyle: "ISO, DMY", max_connections: "50", max_wal_senders: "10", shared_buffers: "48MB" });
    });
  });

  describe("the provider's diff", () => {
    const saved = process.env[TEST_NOW_ENV];
    const inputs = { kind: LOCAL_CLUSTER_KIND, resourceKind: "pg_cluster", storageGb: 10, ...clusterSpec("/srv/pg", { maintenanceWindow: WINDOW }) };
    const members = (flags: boolean[]) => flags.map((f, i) => ({ name: `node${i}`, role: i === 0 ? "primary" : "standby", host: "127.0.0.1", port: 7000 + i, state: "running", pendingRestart: f }));
    const olds = (extra: Record<string, unknown> = {}) => ({ ...inputs, drift: [], pendingRestart: ["max_connections"], pendingValues: { max_connections: "50" }, members: members([true, true]), ...extra }) as any;
    const diff = (o: any, n: any = inputs) => provider.diff!(inputs.resourceId, o, n);
    const at = (iso: string) => (process.env[TEST_NOW_ENV] = iso);
    afterEach(() => {
      if (saved === undefined) delete process.env[TEST_NOW_ENV];
      else process.env[TEST_NOW_ENV] = saved;
    });

    it("plans nothing for a pending restart outside the window (it is not drift)", async () => {
      at(OUTSIDE);
      assert.deepStrictEqual(await diff(olds()), NO_CHANGES);
      assert.deepStrictEqual(await diff(olds({ pendingRestart: [], members: members([false, true]) })), NO_CHANGES);
    });

    it("plans an update once a run falls inside the window, for named settings or a member Patroni flags", async () => {
      at(INSIDE);
      assert.deepStrictEqual(await diff(olds()), CHANGES);
      assert.deepStrictEqual(await diff(olds({ pendingRestart: [], members: members([false, true]) })), CHANGES);
      assert.deepStrictEqual(await diff(olds({ pendingRestart: [], pendingValues: {}, members: members([false, false]) })), NO_CHANGES, "nothing pending: nothing to do");
    });

    it("plans an update outside the window with applyImmediately, or without a window", async () => {
      at(OUTSIDE);
      assert.deepStrictEqual(await diff(olds({ applyImmediately: true }), { ...inputs, applyImmediately: true }), CHANGES);
      const noWindow = { ...inputs, maintenanceWindow: undefined };
      assert.deepStrictEqual(await diff(olds({ maintenanceWindow: undefined }), noWindow), CHANGES);
      // A window not known yet (preview) is judged as none: the restart shows in the plan, and `up` judges it for real.
      assert.deepStrictEqual(await diff(olds(), { ...inputs, maintenanceWindow: UNKNOWN }), CHANGES);
    });

    it("plans an update when the window or applyImmediately change", async () => {
      at(OUTSIDE);
      const none = olds({ pendingRestart: [], pendingValues: {}, members: members([false, false]) });
      assert.deepStrictEqual(await diff(none, { ...inputs, maintenanceWindow: "sat:22:00-sat:23:00" }), CHANGES);
      assert.deepStrictEqual(await diff(none, { ...inputs, applyImmediately: true }), CHANGES);
      assert.deepStrictEqual(await diff({ ...none, applyImmediately: true }, { ...inputs, applyImmediately: false }), CHANGES);
      assert.deepStrictEqual(await diff(none, { ...inputs, applyImmediately: false }), NO_CHANGES, "absent means false");
    });

    it("plans nothing for a paused cluster (no member runs, nothing is pending)", async () => {
      at(INSIDE);
      const paused = { ...inputs, paused: true };
      assert.deepStrictEqual(await diff({ ...paused, drift: [], pendingRestart: [], pendingValues: {}, members: members([false, false]) }, paused), NO_CHANGES);
    });
  });
});
