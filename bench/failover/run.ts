/**
 * P4: write outage through a local cluster's stable write endpoint after kill -9 of the primary
 * (its Patroni and postmaster together), median over several kills, with acknowledged commits
 * lost counted. The killed node rejoins between kills. Its LAST line on stdout is
 *
 *     outage_s=<median> lost=<n> kills=<k>
 *
 * Environment: PGPLATFORM_P4_KILLS (default 5), PGPLATFORM_P4_WRITERS (4), PGPLATFORM_P4_TTL /
 * _LOOP_WAIT / _RETRY_TIMEOUT (Patroni timing, default the library's), PGPLATFORM_P4_SYNC (1 = one
 * synchronous standby, the default; 0 = async), PGPLATFORM_BENCH_VERSION (15). Progress to stderr.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { awaitMembers, awaitSync, clusterContext, createCluster, destroyCluster } from "../../components/backends/local/cluster/cluster";
import { DEFAULT_TIMING, LocalClusterSpec } from "../../components/backends/local/cluster/spec";
import { repairCluster } from "../../components/backends/local/cluster/update";
import { Writers, killPrimary, median } from "./writer";

const num = (name: string, fallback: number) => (process.env[name] !== undefined ? Number(process.env[name]) : fallback);
const pw = () => crypto.randomBytes(18).toString("base64").replace(/[^A-Za-z0-9]/g, "x");

async function main(): Promise<void> {
  const kills = num("PGPLATFORM_P4_KILLS", 5);
  const timing = { ttl: num("PGPLATFORM_P4_TTL", DEFAULT_TIMING.ttl), loopWait: num("PGPLATFORM_P4_LOOP_WAIT", DEFAULT_TIMING.loopWait), retryTimeout: num("PGPLATFORM_P4_RETRY_TIMEOUT", DEFAULT_TIMING.retryTimeout) };
  const sync = num("PGPLATFORM_P4_SYNC", 1);
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), "pgplatform-p4-"));
  fs.chmodSync(dataRoot, 0o755);
  const spec: LocalClusterSpec = {
    resourceId: `p4-${crypto.randomBytes(3).toString("hex")}`,
    version: process.env.PGPLATFORM_BENCH_VERSION ?? "15",
    dataRoot,
    runAs: "postgres",
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: pw(),
    replicationPassword: pw(),
    databaseName: "app",
    username: "app",
    password: pw(),
    parameters: { max_connections: "40", shared_buffers: "32MB", password_encryption: "scram-sha-256" },
    standbys: 2,
    syncStandbys: sync,
    timing,
    binarySearchPaths: [path.resolve(__dirname, "..", "..")],
  };
  process.stderr.write(`P4: 1 primary + 2 standbys, ${sync > 0 ? `sync (${sync})` : "async"}, Patroni ttl ${timing.ttl} / loop_wait ${timing.loopWait} / retry_timeout ${timing.retryTimeout}, ${kills} kills\n`);
  const outages: number[] = [];
  let writers: Writers | undefined;
  try {
    const state = await createCluster(spec);
    const { user } = clusterContext(spec);
    writers = new Writers({ port: state.writePort, user: "app", password: spec.password, database: "app" }, "p4_probe");
    await writers.start(num("PGPLATFORM_P4_WRITERS", 4));
    for (let k = 1; k <= kills; k++) {
      await new Promise((r) => setTimeout(r, 2_000));
      const kill = await killPrimary(spec, state.layout);
      const back = await writers.firstWriteAfter(kill.at, 120_000);
      outages.push((back - kill.at) / 1000);
      process.stderr.write(`  kill ${k}: primary ${kill.member}, write outage ${outages[outages.length - 1].toFixed(2)} s\n`);
      await repairCluster(spec, state.layout, user);
      await awaitMembers(state.layout, state.layout.members.map((m) => m.name));
      await awaitSync(state.layout, spec.syncStandbys);
    }
    await writers.stop();
    const lost = await writers.lost();
    process.stderr.write(`  ${writers.acks.length} commits acknowledged, ${lost.length} lost, ${writers.errors} failed attempts\n`);
    process.stdout.write(`outage_s=${median(outages).toFixed(2)} lost=${lost.length} kills=${outages.length}\n`);
  } finally {
    await writers?.stop();
    await destroyCluster(dataRoot, spec.resourceId);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`P4 failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
