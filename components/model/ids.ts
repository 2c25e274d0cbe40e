/**
 * Deterministic ids. A db_resource's id is derived from what identifies it (kind, project,
 * environment, Pulumi name), so every run of the same program names the same thing.
 */
import { createHash } from "crypto";

/** A short, stable hash of the given parts. */
export function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);
}

/** Lower-case `[a-z0-9-]` form of a free-form name, at most `max` characters. */
export function slugify(name: string, max = 24): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/g, "");
  return slug || "db";
}

/** The id of a db_resource: `<project>-<environment>-<name>-<hash>`; safe as a directory, label and AWS identifier part. */
export function resourceIdOf(kind: string, projectId: string, environmentId: string, name: string): string {
  return `${projectId}-${environmentId}-${slugify(name)}-${shortHash(kind, projectId, environmentId, name)}`;
}
