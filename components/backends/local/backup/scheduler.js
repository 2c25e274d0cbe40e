#!/usr/bin/env node
/**
 * pgplatform's backup scheduler for the local back end: plain Node, no dependencies, so it runs as
 * a detached process outside any Pulumi program.
 *
 *   node scheduler.js daemon <schedule.json>              every minute (UTC), re-reads the file and
 *                                                          runs a backup when its cron matches
 *   node scheduler.js once <schedule.json> <trigger> [type]  one backup now; prints its job as JSON
 *
 * Every job (scheduled, on demand, safety, initial) is appended as one JSON line to the `jobs`
 * file the schedule names, with its status (DONE or FAILED), the backup's label and pgBackRest's
 * error: the BackupPolicy provider reads it back into its outputs and the catalogue.
 *
 * The type of a backup: `full` when no full backup finished within `fullEvery` (a day or a week),
 * else `incrementalType` (`incr` or `diff`); pgBackRest itself promotes to full when no full exists.
 */
"use strict";
const fs = require("fs");
const { spawn } = require("child_process");

const PERIOD_MS = { day: 86400000, week: 7 * 86400000 };

/** True when the parsed cron fires at `d` (UTC, to the minute); day and weekday follow Vixie cron's either-or rule. */
function cronMatches(cron, d) {
  const has = (list, v) => list.indexOf(v) >= 0;
  if (!has(cron.minute, d.getUTCMinutes()) || !has(cron.hour, d.getUTCHours()) || !has(cron.month, d.getUTCMonth() + 1)) return false;
  const wd = d.getUTCDay();
  const dayOk = has(cron.day, d.getUTCDate());
  const weekdayOk = has(cron.weekday, wd) || (wd === 0 && has(cron.weekday, 7));
  const dayRestricted = cron.day.length < 31;
  const weekdayRestricted = !(has(cron.weekday, 0) || has(cron.weekday, 7)) || [1, 2, 3, 4, 5, 6].some((v) => !has(cron.weekday, v));
  if (dayRestricted && weekdayRestricted) return dayOk || weekdayOk;
  return dayOk && weekdayOk;
}

function exec(job, args) {
  return new Promise((resolve) => {
    const child = spawn(job.pgbackrest, [`--config=${job.config}`, `--stanza=${job.stanza}`].concat(args), {
      cwd: "/",
      env: { PATH: process.env.PATH || "/usr/bin:/bin", LC_ALL: "C", LANG: "C", TZ: "UTC" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(job.switchUser ? { uid: job.uid, gid: job.gid } : {}),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (err += b));
    child.on("error", (e) => resolve({ code: 127, stdout: "", stderr: String(e.message) }));
    child.on("close", (code) => resolve({ code: code === null ? 1 : code, stdout: out, stderr: err }));
  });
}

function errorOf(r) {
  const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  const first = lines.findIndex((l) => l.startsWith("ERROR"));
  return ((first >= 0 ? lines.slice(first) : lines.slice(-4)).join(" ") || `exit ${r.code}`).slice(0, 2000);
}

async function backupsOf(job) {
  const r = await exec(job, ["--output=json", "info"]);
  if (r.code !== 0) return [];
  try {
    const stanza = JSON.parse(r.stdout).find((s) => s.name === job.stanza);
    return (stanza && stanza.backup) || [];
  } catch (e) {
    return [];
  }
}

/** The type the next backup takes under the schedule's rule. */
function nextType(job, backups, now) {
  const fulls = backups.filter((b) => b.type === "full" && !b.error);
  const last = fulls.length > 0 ? fulls[fulls.length - 1].timestamp.stop * 1000 : 0;
  return now - last >= PERIOD_MS[job.fullEvery] ? "full" : job.incrementalType;
}

/**
 * Runs one backup, retrying while another backup of the stanza holds pgBackRest's lock, or while a
 * just-promoted primary has not yet written its end-of-recovery checkpoint (pgBackRest [058]: "WAL
 * timeline N does not match pg_control timeline M", right after a failover or switchover); appends
 * and returns its job.
 */
async function backupOnce(job, trigger, forcedType) {
  const before = await backupsOf(job);
  const startedAt = new Date();
  const type = forcedType || nextType(job, before, startedAt.getTime());
  let r;
  for (let waited = 0; ; waited += 1000) {
    r = await exec(job, [`--type=${type}`, "backup"]);
    const transient = /\[050\]|unable to acquire lock|\[058\]: WAL timeline \d+ does not match pg_control timeline/.test(r.stderr + r.stdout);
    if (r.code === 0 || !transient || waited >= (job.lockWaitMs || 120000)) break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const entry = { id: `${startedAt.toISOString().replace(/[-:.]/g, "")}-${trigger}`, trigger, type, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString() };
  if (r.code === 0) {
    const known = new Set(before.map((b) => b.label));
    const made = (await backupsOf(job)).filter((b) => !known.has(b.label));
    const label = made.length > 0 ? made[made.length - 1].label : undefined;
    Object.assign(entry, { status: "DONE", label, type: made.length > 0 ? made[made.length - 1].type : type });
  } else {
    Object.assign(entry, { status: "FAILED", error: errorOf(r) });
  }
  fs.appendFileSync(job.jobs, JSON.stringify(entry) + "\n");
  return entry;
}

function readJob(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

async function daemon(file) {
  let job = readJob(file);
  fs.writeFileSync(job.pidFile, String(process.pid));
  let stopping = false;
  const stop = () => {
    stopping = true;
    try {
      if (fs.readFileSync(job.pidFile, "utf8").trim() === String(process.pid)) fs.rmSync(job.pidFile, { force: true });
    } catch (e) {
      /* already gone */
    }
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  let last = -1;
  while (!stopping) {
    const now = Date.now();
    await new Promise((res) => setTimeout(res, 60000 - (now % 60000) + 50));
    const minute = Math.floor(Date.now() / 60000);
    if (minute === last) continue;
    last = minute;
    try {
      job = readJob(file);
    } catch (e) {
      process.stderr.write(`${new Date().toISOString()} cannot read ${file}: ${e.message}\n`);
      continue;
    }
    if (cronMatches(job.cron, new Date(minute * 60000))) {
      const entry = await backupOnce(job, "schedule");
      process.stdout.write(`${new Date().toISOString()} ${entry.status} ${entry.type} ${entry.label || entry.error || ""}\n`);
    }
  }
}

async function main(argv) {
  const [mode, file, trigger, type] = argv;
  if (mode === "daemon" && file) return daemon(file);
  if (mode === "once" && file) {
    const entry = await backupOnce(readJob(file), trigger || "on-demand", type);
    process.stdout.write(JSON.stringify(entry) + "\n");
    process.exitCode = entry.status === "DONE" ? 0 : 1;
    return undefined;
  }
  process.stderr.write("usage: scheduler.js daemon <schedule.json> | once <schedule.json> [trigger] [type]\n");
  process.exitCode = 2;
  return undefined;
}

module.exports = { cronMatches, nextType };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 1;
  });
}
