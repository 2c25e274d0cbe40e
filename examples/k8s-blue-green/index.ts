/**
 * A blue-green major upgrade on Kubernetes: `orders` runs PostgreSQL 16; the upgrade builds
 * `orders-green` on 17 (schema imported, data fed by a Publication/Subscription) and gives the
 * application `connection`, a stable Service that points at blue until `phase: cutover`, at green
 * after it, and at blue again on `rollback`. Move it on with `pulumi config set phase cutover`.
 */
import * as pulumi from "@pulumi/pulumi";
import { BlueGreenUpgrade, PgSingle } from "pgplatform";

const blue = new PgSingle("orders", {
  projectId: "shop",
  environmentId: "staging",
  plan: "small_single",
  version: "16",
  backend: "kubernetes",
  kubernetes: { namespace: "shop", backupStore: { bucket: "shop-pg-backups", credentials: { secretName: "backup-s3" } } },
});

const phase = (new pulumi.Config().get("phase") ?? "prepare") as "prepare" | "cutover" | "finalize" | "rollback";
const upgrade = new BlueGreenUpgrade("orders-17", { source: blue, targetVersion: "17", phase, tablesWithoutPrimaryKey: "refuse" });

export const uri = upgrade.connection.uri; // a secret: give this to the application, it follows the cut-over
export const activeSide = upgrade.activeSide;
export const progress = upgrade.progress;
