/**
 * Shared by the local cluster tests: a small PostgreSQL 15 cluster spec under a temp data root,
 * and what the machine holds for it (processes by their config paths).
 */
import * as crypto from "crypto";
import { DEFAULT_TIMING, LocalClusterSpec } from "../../../../components/backends/local/cluster/spec";
import { query, randomPassword } from "../../../harness/postgres";
import { PROJECT_ROOT } from "../../../harness/providerHost";

/** Parameters small enough for three nodes on a CI machine. */
export const CLUSTER_TEST_PARAMETERS: Readonly<Record<string, string>> = {
  max_connections: "40",
  shared_buffers: "32MB",
  timezone: "UTC",
  password_encryption: "scram-sha-256",
};

/** A cluster spec with fresh passwords and a unique resource id. */
export function clusterSpec(dataRoot: string, overrides: Partial<LocalClusterSpec> = {}): LocalClusterSpec {
  return {
    resourceId: `cl-${crypto.randomBytes(4).toString("hex")}`,
    version: "15",
    dataRoot,
    runAs: "postgres",
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(),
    replicationPassword: randomPassword(),
    databaseName: "app",
    username: "app",
    password: randomPassword(),
    parameters: { ...CLUSTER_TEST_PARAMETERS },
    standbys: 2,
    syncStandbys: 1,
    timing: { ...DEFAULT_TIMING },
    binarySearchPaths: [PROJECT_ROOT],
    ...overrides,
  };
}

/** Runs `sql` on 127.0.0.1:`port` as `user`. */
export function sql(port: number, user: string, password: string, database: string, text: string, params: unknown[] = []): Promise<any[]> {
  return query(`postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`, text, params);
}
