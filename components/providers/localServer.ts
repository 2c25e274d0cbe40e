/**
 * The dynamic provider that manages one real PostgreSQL server process for the `local` back end.
 * check validates (unknown preview values are skipped), diff lists its replaces and reports drift
 * that `read` found, create/update/delete converge the machine on the inputs.
 *
 * Serialized with the program: it imports only Node built-ins and pure local modules, and requires
 * `pg` inside its methods.
 */
import * as pulumi from "@pulumi/pulumi";
import { sameSetting } from "../backends/local/config";
import { LocalServerSpec, createServer, destroyServer, inspectServer, restartAllowedNow, updateServer } from "../backends/local/server";
import type { CloneSource } from "../backends/local/restore/pgbackrestRestore";
import { changeProblems } from "../model/change";
import { KINDS, UNKNOWN } from "./values";

/** The `kind` input that tells policies what this dynamic resource is. */
export const LOCAL_SERVER_KIND = KINDS.localServer;

/** Inputs that force a new server (and so a new data directory) when they change. */
export const LOCAL_SERVER_REPLACES = ["resourceId", "dataRoot", "superuser"] as const;

/** The inputs of a local server, as the provider sees them (plain values). */
export interface LocalServerInputs extends LocalServerSpec {
  kind: string;
  /** The db_resource kind, for validateChange (`pg_single`). */
  resourceKind: string;
  storageGb: number;
}

type Outputs = LocalServerInputs & Record<string, any>;

function specOf(p: any): LocalServerSpec {
  return {
    resourceId: p.resourceId,
    version: p.version,
    dataRoot: p.dataRoot,
    runAs: p.runAs || undefined,
    port: typeof p.port === "number" && p.port > 0 ? p.port : undefined,
    allowedCidrs: p.allowedCidrs,
    superuser: p.superuser,
    superuserPassword: p.superuserPassword,
    databaseName: p.databaseName,
    username: p.username,
    password: p.password,
    parameters: p.parameters ?? {},
    binarySearchPaths: p.binarySearchPaths ?? [],
    archive: p.archive === true,
    paused: p.paused === true,
    deletionPolicy: p.deletionPolicy === "soft" ? "soft" : "hard",
    softDeleteRetentionDays: typeof p.softDeleteRetentionDays === "number" ? p.softDeleteRetentionDays : 7,
    ...(p.restore ? { restore: p.restore } : {}),
    // Unknown during a preview: judged as no window (a restart allowed) there, and for real at `up`.
    ...(typeof p.maintenanceWindow === "string" && p.maintenanceWindow !== "" && p.maintenanceWindow !== UNKNOWN ? { maintenanceWindow: p.maintenanceWindow } : {}),
    applyImmediately: p.applyImmediately === true,
  };
}

function known(v: unknown): boolean {
  return v !== UNKNOWN && v !== undefined;
}

/** The provider object; one shared instance, so it is serialized once per program. */
export const localServerProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: any, news: any) {
    const failures: { property: string; reason: string }[] = [];
    if (olds && olds.resourceId) {
      const was = { kind: olds.resourceKind, version: String(olds.version), storageGb: Number(olds.storageGb) };
      // A value unknown during preview is judged at `up`; until then it counts as unchanged.
      const now = {
        kind: known(news.resourceKind) ? news.resourceKind : was.kind,
        version: known(news.version) ? String(news.version) : was.version,
        storageGb: known(news.storageGb) ? Number(news.storageGb) : was.storageGb,
      };
      for (const p of changeProblems(was, now)) failures.push({ property: p.path === "storage.sizeGb" ? "storageGb" : p.path === "kind" ? "resourceKind" : p.path, reason: p.message });
      if (Number(now.version) > Number(was.version)) {
        failures.push({
          property: "version",
          reason:
            `\`version\` cannot change in place from \`${was.version}\` to \`${now.version}\` on the local back end ` +
            "(the embedded server packages ship no pg_upgrade); upgrade with BlueGreenUpgrade instead",
        });
      }
    }
    return { inputs: news, failures };
  },

  async diff(id: string, olds: Outputs, news: LocalServerInputs) {
    const replaces = LOCAL_SERVER_REPLACES.filter((k) => known(news[k]) && olds[k] !== news[k]);
    const changed: string[] = [];
    const scalar = ["version", "runAs", "superuserPassword", "databaseName", "username", "password", "storageGb", "deletionPolicy", "softDeleteRetentionDays", "maintenanceWindow"] as const;
    for (const k of scalar) if (known(news[k]) && (olds[k] ?? "") !== (news[k] ?? "")) changed.push(k);
    // `restore` only says how the data directory was made: dropping it once the clone exists changes nothing.
    for (const k of ["archive", "paused", "applyImmediately"] as const) if (known(news[k]) && (olds[k] === true) !== (news[k] === true)) changed.push(k);
    if (known(news.port) && news.port !== olds.port) changed.push("port");
    if (known(news.allowedCidrs) && JSON.stringify(olds.allowedCidrs) !== JSON.stringify(news.allowedCidrs)) changed.push("allowedCidrs");
    if (known(news.parameters)) {
      // `parameters` holds what runs; a setting waiting for its restart is compared with the value written for it.
      const was = { ...olds.parameters, ...(olds.pendingValues ?? {}) };
      const keys = new Set([...Object.keys(was), ...Object.keys(news.parameters ?? {})]);
      if ([...keys].some((k) => !sameSetting(was[k], news.parameters?.[k]))) changed.push("parameters");
    }
    // Drift that read found (server stopped, role or database dropped by hand) is repaired by an update.
    if ((olds.running === false && olds.paused !== true) || (Array.isArray(olds.drift) && olds.drift.length > 0)) changed.push("drift");
    // A restart left pending outside the maintenance window is due once a run falls inside it (or `applyImmediately`).
    if (Array.isArray(olds.pendingRestart) && olds.pendingRestart.length > 0 && restartAllowedNow(specOf({ ...olds, ...news }))) changed.push("pendingRestart");
    return { changes: replaces.length > 0 || changed.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
  },

  async create(inputs: LocalServerInputs) {
    const state = await createServer(specOf(inputs));
    return { id: inputs.resourceId, outs: { ...inputs, ...state } };
  },

  async read(id: string, props: Outputs) {
    const state = await inspectServer(specOf(props));
    if (!state) return { id: "", props: {} };
    return { id, props: { ...props, ...state } };
  },

  async update(id: string, olds: Outputs, news: LocalServerInputs) {
    const state = await updateServer({ ...specOf(olds), port: olds.port }, specOf(news));
    return { outs: { ...news, ...state } };
  },

  async delete(id: string, props: Outputs) {
    const spec = specOf(props);
    await destroyServer(props.dataRoot, props.resourceId, spec.deletionPolicy === "soft" ? { retentionDays: spec.softDeleteRetentionDays ?? 7 } : undefined);
  },
};

/** Inputs of a {@link LocalServer} resource. */
export interface LocalServerArgs {
  resourceId: pulumi.Input<string>;
  resourceKind: pulumi.Input<string>;
  version: pulumi.Input<string>;
  dataRoot: pulumi.Input<string>;
  runAs?: pulumi.Input<string>;
  port?: pulumi.Input<number>;
  allowedCidrs: pulumi.Input<pulumi.Input<string>[]>;
  superuser: pulumi.Input<string>;
  superuserPassword: pulumi.Input<string>;
  databaseName: pulumi.Input<string>;
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
  parameters: pulumi.Input<Record<string, pulumi.Input<string>>>;
  storageGb: pulumi.Input<number>;
  binarySearchPaths?: pulumi.Input<pulumi.Input<string>[]>;
  /** The db_resource's labels (project, environment, plan, resource id, kind), so policies can judge this primitive on its own. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** WAL archiving through pgBackRest and the private socket it uses, so a BackupPolicy can attach without a restart. @default false */
  archive?: pulumi.Input<boolean>;
  /** Keep the server stopped, its data kept (`lifecycle.state: paused`). @default false */
  paused?: pulumi.Input<boolean>;
  /** `soft`: delete stops the server and keeps its directory for `softDeleteRetentionDays`, then a later run purges it. @default "hard" */
  deletionPolicy?: pulumi.Input<"hard" | "soft">;
  /** @default 7 */
  softDeleteRetentionDays?: pulumi.Input<number>;
  /** Make the data directory from a BackupPolicy's repository instead of initdb; read at create only. @default - a new, empty cluster */
  restore?: pulumi.Input<CloneSource>;
  /**
   * The db_resource's `lifecycle.maintenanceWindow` (`ddd:hh:mm-ddd:hh:mm`, UTC): a changed parameter that needs a
   * restart is applied only inside it; outside it the value is written and listed in `pendingRestart`.
   * @default - none: such a change restarts at once
   */
  maintenanceWindow?: pulumi.Input<string>;
  /** Restart for a changed parameter at once, even outside `maintenanceWindow`. @default false */
  applyImmediately?: pulumi.Input<boolean>;
}

/** One real PostgreSQL server process on this machine (type `pulumi-nodejs:dynamic/pgplatform:LocalServer`). */
export class LocalServer extends pulumi.dynamic.Resource {
  declare readonly resourceId: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly status: pulumi.Output<"RUNNING" | "PENDING" | "FAILED">;
  /** `PAUSED` while the server is kept stopped, else `ACTIVE`. */
  declare readonly lifecycle: pulumi.Output<"ACTIVE" | "PAUSED">;
  declare readonly running: pulumi.Output<boolean>;
  declare readonly dataDir: pulumi.Output<string>;
  declare readonly serverVersion: pulumi.Output<string>;
  declare readonly parameters: pulumi.Output<Record<string, string>>;
  declare readonly drift: pulumi.Output<string[]>;
  /** Parameters written but waiting for a restart (in the maintenance window); empty when none. */
  declare readonly pendingRestart: pulumi.Output<string[]>;
  /** The values written for the `pendingRestart` parameters (`parameters` shows what runs until the restart). */
  declare readonly pendingValues: pulumi.Output<Record<string, string>>;
  declare readonly superuserPassword: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: LocalServerArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { host: undefined, status: undefined, lifecycle: undefined, running: undefined, dataDir: undefined, instanceDir: undefined, binDir: undefined, serverVersion: undefined, drift: undefined, pendingRestart: undefined, pendingValues: undefined };
    super(
      localServerProvider,
      name,
      { kind: LOCAL_SERVER_KIND, ...outputs, ...args, port: args.port },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["superuserPassword", "password"] }),
      "pgplatform",
      "LocalServer",
    );
  }
}
