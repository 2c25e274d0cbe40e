/**
 * The root program: a dev PgSingle on the local back end. `pulumi up` here gives a real
 * PostgreSQL on this machine and exports its URI (a secret) and status.
 */
import { PgSingle } from "./components";

const db = new PgSingle("quickstart", {
  projectId: "demo",
  environmentId: "dev",
  plan: "dev_single",
});

export const uri = db.connection.uri;
export const status = db.status;
export const resourceId = db.resourceId;
