/**
 * Rules for the names pgplatform turns into PostgreSQL identifiers and labels. Each check returns
 * every problem it finds, already worded, so callers can report them all at once. Identifiers are
 * also quoted wherever SQL is written; these rules keep them portable across back ends.
 */
import { Problem, allowed, show } from "./errors";

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1); longer names are silently cut. */
export const MAX_IDENTIFIER_BYTES = 63;
/** Databases every server already has. */
export const RESERVED_DATABASES = ["postgres", "template0", "template1"] as const;
/** Role names PostgreSQL keeps for itself or the platform's superuser. */
export const RESERVED_ROLES = ["postgres", "public", "none", "current_user", "current_role", "session_user", "system_user"] as const;
/** Schemas every database already has (`pg_catalog`, `pg_toast` are caught by the `pg_` rule). */
export const RESERVED_SCHEMAS = ["public", "information_schema"] as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** One rule an identifier breaks: what it must be, and an optional note shown after the value. */
export interface IdentifierFault {
  rule: string;
  note?: string;
}

/**
 * The rules a database, role or schema name breaks: lower case, at most 63 bytes, no `pg_` prefix,
 * not reserved. `reserved` lists the names this kind of identifier may not take. Callers that
 * word the problem themselves (a name computed from a template) use this; others use
 * {@link identifierProblems}.
 */
export function identifierFaults(value: string, reserved: readonly string[]): IdentifierFault[] {
  if (value.length === 0) return [{ rule: "must not be empty" }];
  const out: IdentifierFault[] = [];
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_IDENTIFIER_BYTES) out.push({ rule: `must be at most ${MAX_IDENTIFIER_BYTES} bytes`, note: `${bytes} bytes` });
  if (!IDENTIFIER.test(value)) out.push({ rule: "must start with a lower-case letter or `_` and hold only lower-case letters, digits and `_`" });
  if (value.startsWith("pg_")) out.push({ rule: "must not start with `pg_` (PostgreSQL reserves it)" });
  if (reserved.includes(value)) out.push({ rule: `must not be one of the reserved names ${allowed(reserved)}` });
  return out;
}

/**
 * Checks a database, role or schema name (see {@link identifierFaults}) and words one problem per
 * broken rule for the field `field`.
 */
export function identifierProblems(field: string, value: string, reserved: readonly string[]): Problem[] {
  return identifierFaults(value, reserved).map((f) => ({
    path: field,
    message: `\`${field}\` ${f.rule}; got ${show(value)}${f.note ? ` (${f.note})` : ""}`,
  }));
}

/** Checks an id used in labels, tags and resource ids (`projectId`, `environmentId`, `tenantId`). */
export function slugProblems(field: string, value: string): Problem[] {
  if (SLUG.test(value)) return [];
  return [
    {
      path: field,
      message: `\`${field}\` must be 1 to 40 lower-case letters, digits or \`-\`, starting and ending with a letter or digit; got ${show(value)}`,
    },
  ];
}

/** Double-quotes an identifier for SQL text, doubling embedded quotes (as the `pg` driver's escapeIdentifier does). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
