/**
 * Use case 1: a dev database from a plan name. Nothing else is required: version, compute,
 * storage, parameters and the allowlist come from the `dev_single` plan.
 */
import { PgSingle } from "pgplatform";

const db = new PgSingle("orders", { projectId: "shop", environmentId: "dev", plan: "dev_single", version: "16" });

export const uri = db.connection.uri; // a secret: `pulumi stack output uri --show-secrets`
export const host = db.connection.host;
export const port = db.connection.port;
export const status = db.status;
export const metadata = db.metadata;
