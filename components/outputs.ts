/**
 * The normalized outputs every back end gives, whatever it runs on: a connection (password and
 * URI are secrets), the resource id, a status and metadata.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackendName } from "./model/defaults";
import { PlanName, ResourceKind } from "./model/plans";

export type ResourceStatus = "PENDING" | "RUNNING" | "FAILED";

/** How to reach a database. `password` and `uri` are Pulumi secrets. */
export interface Connection {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  database: pulumi.Output<string>;
  user: pulumi.Output<string>;
  password: pulumi.Output<string>;
  /** `postgresql://user:password@host:port/database`, a secret. */
  uri: pulumi.Output<string>;
}

export interface Metadata {
  kind: ResourceKind;
  plan: PlanName;
  version: string;
  backend: BackendName;
  region: string;
  size: { compute: string; storageGb: number };
}

/** Builds a {@link Connection}; the password and the URI are wrapped as secrets. */
export function connectionOf(host: pulumi.Input<string>, port: pulumi.Input<number>, database: pulumi.Input<string>, user: pulumi.Input<string>, password: pulumi.Input<string>): Connection {
  const secretPassword = pulumi.secret(password);
  return {
    host: pulumi.output(host),
    port: pulumi.output(port),
    database: pulumi.output(database),
    user: pulumi.output(user),
    password: secretPassword,
    uri: pulumi.secret(
      pulumi
        .all([host, port, database, user, secretPassword])
        .apply(([h, p, d, u, pw]) => `postgresql://${encodeURIComponent(u)}:${encodeURIComponent(pw)}@${h.includes(":") ? `[${h}]` : h}:${p}/${encodeURIComponent(d)}`),
    ),
  };
}

/** One stable host:port (the node `pg` driver takes no multi-host URIs, so an endpoint is always one). */
export interface Endpoint {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
}

/** A member of a db_resource and what it does now. */
export interface TopologyMember {
  name: string;
  role: "primary" | "standby" | "replica";
  host?: string;
  port?: number;
  /** Replay lag behind the primary, where the back end can read it. */
  lagBytes?: number;
  /** The member's state as the back end words it (`running`, `streaming`, `stopped`, ...). */
  state?: string;
}

/** Who is primary and who else serves, as the back end last read it. */
export interface Topology {
  primary?: string;
  members: TopologyMember[];
  /** Where the application should send what: writes to the write endpoint, read-heavy work to the read endpoint. */
  routing: { writes: string; reads: string };
}

/** An endpoint from a host and port. */
export function endpointOf(host: pulumi.Input<string>, port: pulumi.Input<number>): Endpoint {
  return { host: pulumi.output(host), port: pulumi.output(port) };
}
