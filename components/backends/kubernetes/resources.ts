/**
 * The custom resources the kubernetes back end registers: CNPG, Barman Cloud and Prometheus
 * Operator objects as `k8s.apiextensions.CustomResource`, with their `spec` and `status` exposed as
 * outputs (the provider returns the live object, so `status` carries what the operator reports).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** What every custom resource here is made of. */
export interface CustomObjectArgs {
  apiVersion: string;
  kind: string;
  metadata: pulumi.Input<Record<string, any>>;
  spec: pulumi.Input<Record<string, any>>;
}

/** A custom resource whose `spec` and `status` are outputs. */
export class CustomObject extends k8s.apiextensions.CustomResource {
  /** The object's spec as the API server holds it. */
  declare readonly spec: pulumi.Output<Record<string, any>>;
  /** What the operator reports (undefined until it has reconciled the object). */
  declare readonly status: pulumi.Output<Record<string, any> | undefined>;

  constructor(name: string, args: CustomObjectArgs, opts: pulumi.CustomResourceOptions) {
    // `status: undefined` is not sent; it only declares the output the provider fills in.
    super(name, { apiVersion: args.apiVersion, kind: args.kind, metadata: args.metadata, spec: args.spec, status: undefined }, opts);
  }
}
