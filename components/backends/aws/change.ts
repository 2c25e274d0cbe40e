/**
 * Changes RDS refuses or performs badly, for the change guard (components/model/change.ts runs the
 * changes never allowed anywhere; this adds the aws back end's own): allocated storage grows by at
 * least 10% at a time (an RDS rule: smaller increases fail with InvalidParameterCombination), and
 * the RDS identifier of a db_resource never changes (that is a replace: a new, empty database),
 * nor does sharding come or go (Aurora fixes a cluster's scalability type at create: turning
 * Limitless on or off would replace the cluster); the shard group's capacity moves freely, down too.
 * Pure and serializable: the lead wires it into the guard's `check` for `backend` `aws`.
 */
import { Problem } from "../../model/errors";

/** The part of an aws db_resource a change is judged on. */
export interface AwsChangeView {
  storageGb: number;
  /** The base RDS identifier (`aws.identifier`, or the one derived from the resource id). */
  identifier?: string;
  /** `sharding.maxAcu` of a sharded PgCluster (Aurora Limitless); absent when it is not sharded. */
  maxAcu?: number;
}

/** Smallest growth of allocated storage RDS accepts, in percent. */
export const MIN_STORAGE_GROWTH_PERCENT = 10;

/** Lists the problems of moving an aws db_resource from `old` to `next`; empty when RDS can do it in place. */
export function awsChangeProblems(old: AwsChangeView, next: AwsChangeView): Problem[] {
  const out: Problem[] = [];
  const from = Number(old.storageGb);
  const to = Number(next.storageGb);
  // Integer arithmetic: 100 * 1.1 is 110.00000000000001 in floating point.
  const least = Math.ceil((from * (100 + MIN_STORAGE_GROWTH_PERCENT)) / 100);
  if (to > from && to < least) {
    out.push({
      path: "storage.sizeGb",
      message: `\`storage.sizeGb\` must grow by at least 10% at a time on the \`aws\` back end (RDS refuses smaller increases): from ${from} at least ${least}; got ${to}`,
    });
  }
  if (old.identifier !== undefined && next.identifier !== undefined && old.identifier !== next.identifier) {
    out.push({
      path: "aws.identifier",
      message: `\`aws.identifier\` cannot change from "${old.identifier}" (RDS would replace the database with a new, empty one); keep it, or restore into a new db_resource; got "${next.identifier}"`,
    });
  }
  const sharded = (v: AwsChangeView) => v.maxAcu !== undefined && v.maxAcu !== null;
  if (!sharded(old) && sharded(next)) {
    out.push({
      path: "sharding",
      message: `\`sharding\` cannot be added to an existing PgCluster on the \`aws\` back end (Aurora fixes a cluster's scalability type at create: RDS would replace it with a new, empty Limitless cluster); create a sharded PgCluster beside it and load the data into it; got \`sharding.maxAcu\` ${next.maxAcu}`,
    });
  }
  if (sharded(old) && !sharded(next)) {
    out.push({
      path: "sharding",
      message: "`sharding` cannot be removed from an existing PgCluster on the `aws` back end (Aurora fixes a cluster's scalability type at create: RDS would replace the Limitless cluster with a new, empty one); keep it, or create an unsharded PgCluster beside it and move the data; got nothing",
    });
  }
  return out;
}
