/**
 * What a local blue-green upgrade works with: the two sides' logins, the names of the replication
 * objects, the state the upgrade provider keeps between phases, and its log. Pure data.
 */
import { createHash } from "crypto";

/** One side (blue or green): a superuser-capable login and the application's database and login there. */
export interface SideLogin {
  host: string;
  port: number;
  superuser: string;
  superuserPassword: string;
  /** The application's database (the one that is replicated). */
  database: string;
  appUser: string;
  appPassword: string;
  /** Its PostgreSQL major. */
  version: string;
}

/** Which side serves the application. */
export type Side = "blue" | "green";

/** Phases as the spec names them; `none` before the first one ran. */
export type Phase = "none" | "prepare" | "cutover" | "finalize" | "rollback";

/** Migration statuses, as the catalogue's `migration` record holds them. */
export type MigrationStatus = "PENDING" | "IN_PROGRESS" | "DONE" | "FAILED" | "ROLLED_BACK";

/** One line of the upgrade's log (also written to the catalogue). */
export interface LogEntry {
  at: string;
  step: string;
  detail?: string;
}

/** Everything that defines one upgrade run. */
export interface UpgradePlan {
  /** Stable id of the upgrade (names its endpoint directory and replication objects). */
  id: string;
  blue: SideLogin;
  green: SideLogin;
  tablesWithoutPrimaryKey: "replica_identity_full" | "refuse";
  maxWritePauseSeconds: number;
  /** How long prepare may wait for the initial copy and catch-up. */
  prepareTimeoutSeconds: number;
}

/** What the provider keeps between phases. */
export interface UpgradeState {
  appliedPhase: Phase;
  activeSide: Side;
  status: MigrationStatus;
  log: LogEntry[];
  progress: Record<string, unknown>;
}

/** The replication objects of an upgrade: forward (blue to green) and, after a cut-over, reverse (green to blue). */
export interface ReplicationNames {
  publication: string;
  subscription: string;
  reversePublication: string;
  reverseSubscription: string;
}

/** Names derived from the upgrade id: lower-case, at most 63 bytes, the same on every run. */
export function replicationNames(id: string): ReplicationNames {
  const h = createHash("sha256").update(id).digest("hex").slice(0, 12);
  return {
    publication: `pgplatform_up_${h}`,
    subscription: `pgplatform_up_${h}`,
    reversePublication: `pgplatform_back_${h}`,
    reverseSubscription: `pgplatform_back_${h}`,
  };
}

/** A log entry stamped now. */
export function entry(step: string, detail?: string): LogEntry {
  return detail === undefined ? { at: new Date().toISOString(), step } : { at: new Date().toISOString(), step, detail };
}
