/**
 * Shared by the replica tests: the spec of a real local pg_single (PostgreSQL 15) to stream from.
 */
import * as crypto from "crypto";
import { LocalServerSpec } from "../../../../components/backends/local/server";
import { randomPassword } from "../../../harness/postgres";
import { PROJECT_ROOT } from "../../../harness/providerHost";
import { CLUSTER_TEST_PARAMETERS } from "../cluster/support";

/** A PostgreSQL 15 single under `dataRoot`, run as `postgres`, with database and user `app` and fresh passwords. */
export function sourceSingleSpec(dataRoot: string): LocalServerSpec {
  return {
    resourceId: `single-${crypto.randomBytes(4).toString("hex")}`,
    version: "15",
    dataRoot,
    runAs: "postgres",
    allowedCidrs: ["127.0.0.1/32"],
    superuser: "postgres",
    superuserPassword: randomPassword(),
    databaseName: "app",
    username: "app",
    password: randomPassword(),
    parameters: { ...CLUSTER_TEST_PARAMETERS },
    binarySearchPaths: [PROJECT_ROOT],
  };
}
