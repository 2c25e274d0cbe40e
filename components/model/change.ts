/**
 * Changes that are never allowed in place, whatever the back end: storage shrink, major
 * downgrade, and turning a pg_single into a pg_cluster (or back) by mutation. Dynamic providers
 * call it from `check(olds, news)`; it is pure and imports nothing that cannot be serialized.
 */
import { Problem, ValidationError } from "./errors";

/** The part of a db_resource a change is judged on. */
export interface ChangeView {
  kind: string;
  version: string;
  storageGb: number;
}

/** Lists the problems of moving from `old` to `next`; empty when the change is allowed. */
export function changeProblems(old: ChangeView, next: ChangeView): Problem[] {
  const out: Problem[] = [];
  if (old.kind !== next.kind) {
    out.push({
      path: "kind",
      message: `\`kind\` cannot change in place from \`${old.kind}\` to \`${next.kind}\`; migrate to a new db_resource with BlueGreenUpgrade instead; got \`${next.kind}\``,
    });
  }
  if (Number(next.storageGb) < Number(old.storageGb)) {
    out.push({
      path: "storage.sizeGb",
      message: `\`storage.sizeGb\` cannot shrink from ${old.storageGb} (storage only grows; move the data to a new db_resource to shrink); got ${next.storageGb}`,
    });
  }
  if (Number(next.version) < Number(old.version)) {
    out.push({
      path: "version",
      message: `\`version\` cannot go down from \`${old.version}\` (a major downgrade needs a dump and restore into a new db_resource); got \`${next.version}\``,
    });
  }
  return out;
}

/** Throws one ValidationError when the change from `old` to `next` is never allowed. */
export function validateChange(old: ChangeView, next: ChangeView, subject = "Change not allowed"): void {
  const problems = changeProblems(old, next);
  if (problems.length > 0) throw new ValidationError(subject, problems);
}
