/**
 * Who runs the PostgreSQL processes. PostgreSQL refuses to run as root, so when the program runs as
 * root the servers run as an unprivileged system user (default `postgres`); otherwise as the
 * current user. Also checks that this user can reach a directory, since a root-owned 0700 parent
 * (such as /root) silently breaks initdb.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
  /** True when processes must be spawned with this uid/gid (the program runs as root). */
  switchUser: boolean;
}

/** Looks a user up in /etc/passwd; undefined when absent. */
export function lookupUser(name: string): { uid: number; gid: number; groups: number[] } | undefined {
  let passwd = "";
  try {
    passwd = fs.readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[0] === name && f.length >= 4) {
      const uid = Number(f[2]);
      const gid = Number(f[3]);
      return { uid, gid, groups: [gid, ...supplementaryGroups(name)] };
    }
  }
  return undefined;
}

function supplementaryGroups(name: string): number[] {
  try {
    return fs
      .readFileSync("/etc/group", "utf8")
      .split("\n")
      .map((l) => l.split(":"))
      .filter((f) => f.length >= 4 && f[3].split(",").includes(name))
      .map((f) => Number(f[2]));
  } catch {
    return [];
  }
}

/** The user PostgreSQL runs as. `runAs` names the system user used when running as root. */
export function serviceUser(runAs = "postgres"): ServiceUser {
  const me = os.userInfo();
  if (me.uid !== 0) return { name: me.username, uid: me.uid, gid: me.gid, switchUser: false };
  const found = lookupUser(runAs);
  if (!found) {
    throw new Error(
      `This program runs as root and PostgreSQL refuses to run as root, so the local back end runs its servers as the system user \`${runAs}\`, which does not exist. ` +
        `Create it (\`useradd --system --home-dir /var/lib/postgresql ${runAs}\`) or set stack config \`pgplatform:localRunAs\` to an existing unprivileged user.`,
    );
  }
  if (found.uid === 0) {
    throw new Error(`stack config \`pgplatform:localRunAs\` must name an unprivileged user; got ${JSON.stringify(runAs)} (uid 0)`);
  }
  return { name: runAs, uid: found.uid, gid: found.gid, switchUser: true };
}

/**
 * The first directory on the way to `target` (inclusive) that `user` cannot traverse, or
 * undefined when it can reach `target`.
 */
export function unreachableAncestor(target: string, user: ServiceUser): string | undefined {
  if (user.uid === 0) return undefined;
  const groups = lookupUser(user.name)?.groups ?? [user.gid];
  let dir = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of chain) {
    let st: fs.Stats;
    try {
      st = fs.statSync(d);
    } catch {
      return undefined; // does not exist yet: created later by its owner
    }
    const bit = st.uid === user.uid ? 0o100 : groups.includes(st.gid) ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return d;
  }
  return undefined;
}
