/**
 * How the tenant storage quota locks a tenant out and lets it back in, and how it tells its own
 * lock from someone else's. A lock takes LOGIN away from the tenant's role, marks the role with
 * the setting {@link QUOTA_LOCK_SETTING} (recording whether the quota took LOGIN away or found it
 * gone), and terminates the role's sessions. Unlocking removes the mark, and gives LOGIN back only
 * when the quota took it and no other pgplatform lock mark ({@link LOCK_SETTING_PATTERN}) remains.
 * Changes to a role's login run under a transaction-level advisory lock ({@link roleLockKey}).
 */
import { SqlConnection, describeConnection, inTransaction, withClient } from "./connection";

/** The role setting that marks a tenant role's lock as the storage quota's own. */
export const QUOTA_LOCK_SETTING = "pgplatform.quota_locked";

/**
 * What the quota's lock mark records: `revoked-login` when the quota took LOGIN away (and gives it
 * back on unlock), `found-nologin` when the role could not log in already (someone else's lock,
 * which the quota never undoes).
 */
export const QUOTA_LOCK_VALUES = { revoked: "revoked-login", found: "found-nologin" } as const;

/**
 * Role settings of this shape (`pgplatform.<who>_locked`) mark a lock held by a pgplatform
 * component (the quota's own, a deletion lock, ...). The quota gives LOGIN back only when no
 * other such mark remains on the role. Other lockers should mark their locks the same way, and
 * serialize on the advisory lock {@link roleLockKey}.
 */
export const LOCK_SETTING_PATTERN = /^pgplatform\.[a-z0-9_]*locked$/i;

/** The advisory-lock key (for `pg_advisory_xact_lock(hashtext(key))`) under which a tenant role's login is changed. */
export function roleLockKey(role: string): string {
  return `pgplatform.role-login:${role}`;
}

/** What a tenant role looks like to the quota. */
export interface RoleFacts {
  canLogin: boolean;
  /** The value of the quota's own mark, if the role holds it. */
  mark?: string;
  /** Names of other pgplatform lock marks on the role. */
  otherLocks: string[];
}

/** Whether the role can log in and which lock marks it holds; undefined when it does not exist. */
export async function roleFacts(c: any, role: string): Promise<RoleFacts | undefined> {
  const row = (
    await c.query(
      `SELECT r.rolcanlogin,
              coalesce((SELECT array_agg(cfg) FROM pg_db_role_setting s, unnest(s.setconfig) cfg
                         WHERE s.setrole = r.oid AND s.setdatabase = 0), '{}') AS settings
         FROM pg_roles r WHERE r.rolname = $1`,
      [role],
    )
  ).rows[0];
  if (!row) return undefined;
  const facts: RoleFacts = { canLogin: row.rolcanlogin === true, otherLocks: [] };
  for (const entry of row.settings as string[]) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq).toLowerCase();
    if (name === QUOTA_LOCK_SETTING) facts.mark = entry.slice(eq + 1);
    else if (LOCK_SETTING_PATTERN.test(name)) facts.otherLocks.push(name);
  }
  return facts;
}

/** Runs `fn` in a transaction that holds the role's login lock (see {@link roleLockKey}). */
function withRoleLock<T>(admin: SqlConnection, role: string, fn: (c: any) => Promise<T>): Promise<T> {
  return inTransaction(admin, async (c) => {
    await c.query("SELECT pg_advisory_xact_lock(hashtext($1))", [roleLockKey(role)]);
    return fn(c);
  });
}

/** Locks the tenant out: no LOGIN, the quota's mark, then its open sessions terminated. */
export async function lockRole(admin: SqlConnection, role: string): Promise<void> {
  await withRoleLock(admin, role, async (c) => {
    const facts = await roleFacts(c, role);
    if (!facts) throw new Error(`the tenant role \`${role}\` does not exist on ${describeConnection(admin)}`);
    const id = c.escapeIdentifier(role);
    if (facts.canLogin) {
      await c.query(`ALTER ROLE ${id} NOLOGIN`);
      await c.query(`ALTER ROLE ${id} SET ${QUOTA_LOCK_SETTING} = ${c.escapeLiteral(QUOTA_LOCK_VALUES.revoked)}`);
    } else if (facts.mark === undefined) {
      await c.query(`ALTER ROLE ${id} SET ${QUOTA_LOCK_SETTING} = ${c.escapeLiteral(QUOTA_LOCK_VALUES.found)}`);
    }
  });
  // After the commit, so a terminated client cannot log in again; waits up to 5 s for each to go.
  await withClient(admin, (c) => c.query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", [role]));
}

/** Removes the quota's lock: its mark, and NOLOGIN when the quota set it and no other lock remains. */
export async function unlockRole(admin: SqlConnection, role: string): Promise<void> {
  await withRoleLock(admin, role, async (c) => {
    const facts = await roleFacts(c, role);
    if (!facts || facts.mark === undefined) return;
    const id = c.escapeIdentifier(role);
    await c.query(`ALTER ROLE ${id} RESET ${QUOTA_LOCK_SETTING}`);
    if (facts.mark === QUOTA_LOCK_VALUES.revoked && facts.otherLocks.length === 0 && !facts.canLogin) await c.query(`ALTER ROLE ${id} LOGIN`);
  });
}

/** Whether the quota's own lock is in place on the role (its mark held and LOGIN gone); undefined when the role does not exist. */
export async function quotaLocked(admin: SqlConnection, role: string): Promise<boolean | undefined> {
  const facts = await withClient(admin, (c) => roleFacts(c, role));
  return facts && facts.mark !== undefined && !facts.canLogin;
}

/**
 * Names of every pgplatform lock mark (see {@link LOCK_SETTING_PATTERN}) the role holds, the
 * quota's own included; empty when it holds none or does not exist. A provider that manages the
 * role's LOGIN attribute should leave NOLOGIN in place (and not call it drift) while this is not empty.
 */
export async function lockMarks(c: any, role: string): Promise<string[]> {
  const facts = await roleFacts(c, role);
  if (!facts) return [];
  return [...(facts.mark === undefined ? [] : [QUOTA_LOCK_SETTING]), ...facts.otherLocks].sort();
}
