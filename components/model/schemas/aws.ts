/**
 * Options of the `aws` back end (RDS, Aurora) on PgSingle and PgCluster: their zod shape, checks
 * and resolution. Owned by the AWS back end; other back ends never read them.
 */
import { z } from "zod";
import { Problems, show } from "../errors";

/** Resolved `aws` options. */
export interface AwsOptions {
  /** VPC the database and its security group live in. */
  vpcId?: string;
  /** Private subnets (at least two, in two zones) for the DB subnet group. */
  subnetIds?: string[];
}

/** zod shape of `aws` options. */
export function awsShape() {
  return z.object({ vpcId: z.string(), subnetIds: z.array(z.string()) }).partial().strict().optional();
}

/** Checks `aws` options: only for the aws back end. */
export function checkAws(input: any, backend: string | undefined, p: Problems): void {
  const a = input.aws;
  if (!a || typeof a !== "object") return;
  if (backend !== undefined && backend !== "aws" && Object.keys(a).length > 0) {
    p.add("aws", `\`aws\` options apply to the \`aws\` back end only, and this db_resource uses \`${backend}\`; got ${show(a)}`);
  }
}

/** Resolves `aws` options. */
export function resolveAws(input: any): AwsOptions {
  return { ...input.aws };
}

/** `aws` args as the user writes them (see {@link AwsOptions}). */
export type AwsArgs = Partial<AwsOptions>;
