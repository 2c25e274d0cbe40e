/**
 * Normalized outputs from RDS facts: the status RDS reports mapped to pgplatform's, the region
 * read from an ARN, endpoints and metadata.
 */
import * as pulumi from "@pulumi/pulumi";
import { Metadata, ResourceStatus } from "../../outputs";
import { DbResourceSpec } from "../../model/spec";

/** RDS statuses that mean the database does not serve and needs a human. */
const FAILED = /^(failed|incompatible-.*|inaccessible-encryption-credentials.*|storage-full|restore-error|insufficient-capacity)$/;
/** RDS statuses that mean it does not serve yet (or right now). */
const PENDING = /^(creating|starting|stopping|stopped|rebooting|deleting|renaming|resetting-master-credentials)$/;

/** pgplatform's status for an RDS instance or cluster status. */
export function statusOf(rdsStatus: string | undefined): ResourceStatus {
  const s = (rdsStatus ?? "").toLowerCase();
  if (FAILED.test(s)) return "FAILED";
  if (s === "" || PENDING.test(s)) return "PENDING";
  return "RUNNING";
}

/** The region of an ARN (`arn:aws:rds:eu-west-1:123456789012:db:orders` gives `eu-west-1`). */
export function regionOf(arn: string | undefined): string {
  return (arn ?? "").split(":")[3] ?? "";
}

/** Metadata of a db_resource on AWS. */
export function metadataOf(spec: DbResourceSpec, arn: pulumi.Output<string>, compute: string): pulumi.Output<Metadata> {
  return arn.apply((a) => ({
    kind: spec.kind,
    plan: spec.plan,
    version: spec.version,
    backend: "aws" as const,
    region: regionOf(a),
    size: { compute, storageGb: spec.storage.sizeGb },
  }));
}
