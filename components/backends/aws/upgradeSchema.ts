/**
 * The schema copy of an aws blue-green upgrade, without pg_dump (the program has SQL reach to the
 * two RDS endpoints, not the client tools of blue's major): read from blue's catalogue and replayed
 * on green, limited to what logical replication needs to land rows: schemas, sequences, tables
 * (columns with types, defaults, NOT NULL, identity, stored generated columns, collations),
 * their constraints (primary keys, unique, check, exclusion, then foreign keys) and indexes, and
 * table and sequence owners. Anything else in the application database (views, functions, types,
 * triggers, rules, row security policies, extensions, partitioned or inherited tables, foreign
 * tables) is refused by {@link unsupportedObjects}, listed by name, before anything is changed.
 * Pure: serialized with the upgrade provider (`client` is a node-postgres client).
 */

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'`;
const NOT_EXT = (cls: string, oid: string) => `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/** What the catalogue copy cannot carry, as `kind name` labels, in a stable order; empty when the schema can be copied. */
export async function unsupportedObjects(client: any): Promise<string[]> {
  const q = async (sql: string) => (await client.query(sql)).rows.map((r: any) => r.label as string);
  return [
    ...(await q(`SELECT 'extension ' || extname AS label FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`)),
    ...(await q(
      `SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'p' THEN 'partitioned table ' WHEN 'f' THEN 'foreign table ' END
              || n.nspname || '.' || c.relname AS label
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm', 'p', 'f') AND ${USER_NS} AND ${NOT_EXT("pg_class", "c.oid")} ORDER BY 1`,
    )),
    ...(await q(
      `SELECT 'inherited table ' || n.nspname || '.' || c.relname AS label FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1`,
    )),
    ...(await q(
      `SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END || n.nspname || '.' || p.proname AS label
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_NS} AND ${NOT_EXT("pg_proc", "p.oid")} ORDER BY 1`,
    )),
    ...(await q(
      `SELECT 'type ' || n.nspname || '.' || t.typname AS label FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE ${USER_NS} AND ${NOT_EXT("pg_type", "t.oid")}
          AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        ORDER BY 1`,
    )),
    ...(await q(
      `SELECT 'trigger ' || t.tgname || ' on ' || n.nspname || '.' || c.relname AS label FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND ${USER_NS} ORDER BY 1`,
    )),
    ...(await q(
      `SELECT 'rule ' || r.rulename || ' on ' || n.nspname || '.' || c.relname AS label FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND ${USER_NS} ORDER BY 1`,
    )),
    ...(await q(`SELECT 'row security policy ' || policyname || ' on ' || schemaname || '.' || tablename AS label FROM pg_policies ORDER BY 1`)),
  ];
}

/** A statement of the copy, with what it makes (for the log). */
interface Ddl {
  sql: string;
}

/** The statements that rebuild blue's tables, sequences, constraints and indexes, in order. */
export async function schemaStatements(client: any): Promise<string[]> {
  const id = (s: string) => client.escapeIdentifier(s);
  const out: Ddl[] = [];
  const schemas = (
    await client.query(
      `SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner FROM pg_namespace n
        WHERE ${USER_NS} AND n.nspname <> 'public' AND ${NOT_EXT("pg_namespace", "n.oid")} ORDER BY 1`,
    )
  ).rows;
  for (const s of schemas) out.push({ sql: `CREATE SCHEMA IF NOT EXISTS ${id(s.name)} AUTHORIZATION ${id(s.owner)}` });
  // Free-standing and serial sequences (identity sequences come with their column).
  const seqs = (
    await client.query(
      `SELECT s.schemaname AS schema, s.sequencename AS name, s.sequenceowner AS owner, s.data_type::text AS type, s.start_value::text AS start,
              s.increment_by::text AS inc, s.min_value::text AS min, s.max_value::text AS max, s.cache_size::text AS cache, s.cycle
         FROM pg_sequences s JOIN pg_class c ON c.relname = s.sequencename AND c.relkind = 'S' JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
        WHERE ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i') ORDER BY 1, 2`,
    )
  ).rows;
  for (const s of seqs) {
    out.push({
      sql: `CREATE SEQUENCE ${id(s.schema)}.${id(s.name)} AS ${s.type} INCREMENT BY ${s.inc} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? " CYCLE" : " NO CYCLE"}`,
    });
    out.push({ sql: `ALTER SEQUENCE ${id(s.schema)}.${id(s.name)} OWNER TO ${id(s.owner)}` });
  }
  const tables = (
    await client.query(
      `SELECT c.oid, n.nspname AS schema, c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relreplident AS identity
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND ${USER_NS} AND ${NOT_EXT("pg_class", "c.oid")} ORDER BY 2, 3`,
    )
  ).rows;
  for (const t of tables) {
    const cols = (
      await client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.attidentity AS ident, a.attgenerated AS gen,
                pg_get_expr(d.adbin, d.adrelid) AS def,
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation THEN (SELECT quote_ident(nspname) || '.' || quote_ident(collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END AS coll
           FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [t.oid],
      )
    ).rows;
    const colSql = cols.map((c: any) => {
      let s = `${id(c.name)} ${c.type}${c.coll ? ` COLLATE ${c.coll}` : ""}`;
      if (c.ident === "a" || c.ident === "d") s += ` GENERATED ${c.ident === "a" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`;
      else if (c.gen === "s") s += ` GENERATED ALWAYS AS (${c.def}) STORED`;
      else if (c.def !== null) s += ` DEFAULT ${c.def}`;
      if (c.notnull && c.ident === "") s += " NOT NULL";
      return s;
    });
    const q = `${id(t.schema)}.${id(t.name)}`;
    out.push({ sql: `CREATE TABLE ${q} (${colSql.join(", ")})` });
    out.push({ sql: `ALTER TABLE ${q} OWNER TO ${id(t.owner)}` });
    const owned = (
      await client.query(
        `SELECT n.nspname AS schema, s.relname AS seq, a.attname AS col FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
           JOIN pg_namespace n ON n.oid = s.relnamespace JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.refobjid = $1 AND d.deptype = 'a' ORDER BY 2`,
        [t.oid],
      )
    ).rows;
    for (const o of owned) out.push({ sql: `ALTER SEQUENCE ${id(o.schema)}.${id(o.seq)} OWNED BY ${q}.${id(o.col)}` });
  }
  const constraints = (
    await client.query(
      `SELECT n.nspname AS schema, c.relname AS tbl, k.conname AS name, k.contype AS type, pg_get_constraintdef(k.oid) AS def
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND ${USER_NS} AND k.contype IN ('p', 'u', 'c', 'x', 'f') AND k.conislocal
        ORDER BY (k.contype = 'f'), 1, 2, 3`,
    )
  ).rows;
  for (const k of constraints) out.push({ sql: `ALTER TABLE ${id(k.schema)}.${id(k.tbl)} ADD CONSTRAINT ${id(k.name)} ${k.def}` });
  const indexes = (
    await client.query(
      `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
        ORDER BY n.nspname, ic.relname`,
    )
  ).rows;
  for (const i of indexes) out.push({ sql: i.def });
  for (const t of tables) {
    if (t.identity === "f") out.push({ sql: `ALTER TABLE ${id(t.schema)}.${id(t.name)} REPLICA IDENTITY FULL` });
  }
  return out.map((d) => d.sql);
}

/**
 * Copies blue's schema to green (`blue` and `green` are clients on the application databases):
 * refuses, listing them, the objects it cannot copy; replays the statements in one transaction on
 * green, whose tables must not exist yet. Returns how many statements ran.
 */
export async function copySchemaByCatalog(blue: any, green: any): Promise<{ statements: number; tables: number }> {
  const unsupported = await unsupportedObjects(blue);
  if (unsupported.length > 0) {
    throw new Error(
      `the schema copy on the \`aws\` back end (from the catalogue, without pg_dump) carries tables, sequences, constraints and indexes only; ` +
        `the source's application database also holds: ${unsupported.join(", ")}; drop or move them before \`prepare\`, or upgrade with an RDS blue/green deployment (PgSingle: \`aws.blueGreenUpdate\`)`,
    );
  }
  const statements = await schemaStatements(blue);
  const tables = statements.filter((s) => s.startsWith("CREATE TABLE ")).length;
  await green.query("BEGIN");
  try {
    for (const s of statements) await green.query(s);
    await green.query("COMMIT");
  } catch (err) {
    await green.query("ROLLBACK").catch(() => undefined);
    throw new Error(`the schema copy to green failed: ${(err as Error).message}`);
  }
  return { statements: statements.length, tables };
}
