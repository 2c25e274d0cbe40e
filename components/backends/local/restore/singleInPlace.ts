/**
 * `restore: { mode: "in_place" }` on a local PgSingle, program side: one LocalRestore child of the
 * PgSingle, after its server, restoring from "its own backups". A PgSingle cannot name the
 * BackupPolicy that targets it, so the repository is left out here and read at `up` from the
 * pgBackRest configuration that policy keeps for the server (`<dataRoot>/<resourceId>/backup/`).
 */
import * as pulumi from "@pulumi/pulumi";
import { PgSingleSpec } from "../../../model/spec";
import { LocalRestore } from "../../../providers/localRestore";
import type { LocalServer } from "../../../providers/localServer";
import { RenderedBackupSource } from "../../backend";
import { LocalBackupHandle, inPlaceRestoreArgs } from "../backup/render";

/** The suffix of a PgSingle's in-place restore child (`<name>-restore-in-place`). */
export const SINGLE_RESTORE_CHILD = "restore-in-place";

/** What the local back end rendered for the PgSingle that the restore needs. */
export interface SingleRestoreParts {
  server: LocalServer;
  dataRoot: string;
  runAs: string;
}

/** The reasons an in-place restore of this PgSingle is refused up front (empty when it may go ahead). */
export function inPlaceProblems(spec: PgSingleSpec): string[] {
  if (spec.restore?.mode !== "in_place") return [];
  if (spec.readReplicas > 0) {
    return [
      `\`restore.mode\` \`in_place\` with \`readReplicas\` ${spec.readReplicas}: the restored server starts a new timeline behind its replicas, which cannot follow it; ` +
        "set `readReplicas: 0` first (one `up`), restore, then add them back",
    ];
  }
  return [];
}

/**
 * Renders the LocalRestore of `restore.mode: "in_place"` under the PgSingle, or nothing without it.
 * With a `from` (a BackupPolicy of this very db_resource, which the model checked) its repository is named.
 */
export function renderSingleInPlaceRestore(scope: pulumi.ComponentResource, spec: PgSingleSpec, parts: SingleRestoreParts, from?: RenderedBackupSource): LocalRestore | undefined {
  if (spec.restore?.mode !== "in_place") return undefined;
  const policy = from?.rendered.handle as LocalBackupHandle | undefined;
  return new LocalRestore(
    `${spec.name}-${SINGLE_RESTORE_CHILD}`,
    inPlaceRestoreArgs(spec, parts, spec.restore, policy?.type === "local-backup" ? { policyName: from!.spec.name, repoPath: policy.repoPath } : undefined),
    { parent: scope, dependsOn: [parts.server] },
  );
}
