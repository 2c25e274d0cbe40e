/**
 * Creates killed half way, for real: the admin connection goes through a TCP proxy that cuts it
 * just before the Nth statement reaches the server, for every N a create sends. After each cut
 * there is no half tenant (a role is complete or absent; a database exists only closed to all but
 * the admin, or complete; a schema is complete or absent), and the next create converges.
 */
import assert from "assert";
import { closePools } from "../../../components/providers/sql/connection";
import { TestPostgres, query, randomPassword, startTestPostgres } from "../../harness/postgres";
import { CuttingProxy, FAST, adminOf, asAdmin, databaseInputs, databaseProvider, roleInputs, roleProvider, schemaInputs, schemaProvider, uriAs } from "./support";

describe("SQL providers: a create whose connection is killed between statements converges on the next run", () => {
  let pg: TestPostgres;
  const pw = randomPassword();

  before(async () => {
    pg = await startTestPostgres(FAST);
    await roleProvider.create!(roleInputs(adminOf(pg), "owner_h", pw));
  });

  after(async () => {
    await closePools();
    await pg?.stop();
  });

  /** Runs `create` through a proxy that allows `allow` statements; returns whether it was cut. */
  async function createCut(allow: number, create: (admin: ReturnType<typeof adminOf>) => Promise<unknown>): Promise<boolean> {
    const proxy = await CuttingProxy.start(pg.port, allow);
    try {
      const admin = { ...adminOf(pg), port: proxy.port };
      const outcome = await create(admin).then(() => "done", (e: Error) => e.message);
      assert.strictEqual(outcome === "done", !proxy.cut, `outcome ${outcome}`);
      if (proxy.cut) assert.doesNotMatch(outcome, new RegExp(pg.password), "the error names the admin password");
      return proxy.cut;
    } finally {
      await proxy.stop();
    }
  }

  /** Cuts `create` at every statement in turn, checking `invariant` after each cut and that a re-run converges. */
  async function everyCut(create: (admin: ReturnType<typeof adminOf>) => Promise<unknown>, invariant: () => Promise<void>, converged: () => Promise<void>, reset: () => Promise<void>): Promise<number> {
    let allow = 0;
    while (await createCut(allow, create)) {
      await invariant();
      await create(adminOf(pg));
      await converged();
      await reset();
      allow++;
    }
    return allow;
  }

  it("Database: after any cut the database is absent or closed to all but the admin; the re-run opens it to its owner only", async () => {
    const cuts = await everyCut(
      (admin) => databaseProvider.create!(databaseInputs(admin, "owner_h", "owner_h")),
      async () => {
        const [db] = await asAdmin(pg, "SELECT datallowconn, datacl::text[] AS acl FROM pg_database WHERE datname = 'owner_h'");
        if (db && db.datallowconn) assert.deepStrictEqual(db.acl, ["owner_h=CTc/owner_h"], "connections are allowed only once the ACL is right");
        if (db) {
          const err = await query(uriAs(pg, "owner_h", pw, "owner_h"), "SELECT 1").then(() => "connected", (e) => e.message);
          if (!db.datallowconn) assert.strictEqual(err, 'database "owner_h" is not currently accepting connections');
        }
      },
      async () => {
        assert.deepStrictEqual(await asAdmin(pg, "SELECT datallowconn, datacl::text[] AS acl FROM pg_database WHERE datname = 'owner_h'"), [{ datallowconn: true, acl: ["owner_h=CTc/owner_h"] }]);
        assert.deepStrictEqual(await query(uriAs(pg, "owner_h", pw, "owner_h"), "SELECT current_database() AS d"), [{ d: "owner_h" }]);
      },
      () => asAdmin(pg, "DROP DATABASE owner_h WITH (FORCE)").then(() => undefined),
    );
    assert.ok(cuts >= 8, `only ${cuts} statements were cut`);
  });

  it("Schema: after any cut the schema is absent with nothing granted, or complete; the re-run completes it", async () => {
    const state = async () => ({
      schema: (await asAdmin(pg, "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'owner_h'", [], "app"))[0].n,
      connect: (await asAdmin(pg, "SELECT has_database_privilege('owner_h', 'app', 'CONNECT') AS c"))[0].c,
      path: (await asAdmin(pg, "SELECT count(*)::int AS n FROM pg_db_role_setting WHERE setrole = 'owner_h'::regrole"))[0].n,
    });
    const cuts = await everyCut(
      (admin) => schemaProvider.create!(schemaInputs({ ...admin, database: "app" }, "owner_h", "owner_h")),
      async () => {
        const s = await state();
        assert.ok(JSON.stringify(s) === JSON.stringify({ schema: 0, connect: false, path: 0 }) || JSON.stringify(s) === JSON.stringify({ schema: 1, connect: true, path: 1 }), JSON.stringify(s));
      },
      async () => {
        assert.deepStrictEqual(await state(), { schema: 1, connect: true, path: 1 });
        assert.deepStrictEqual(await query(uriAs(pg, "owner_h", pw, "app"), "SELECT current_schema() AS s"), [{ s: "owner_h" }]);
      },
      () => schemaProvider.delete!("x", { ...schemaInputs(adminOf(pg, "app"), "owner_h", "owner_h"), database: "app", searchPath: "", drift: [] }).then(() => undefined),
    );
    assert.ok(cuts >= 8, `only ${cuts} statements were cut`);
  });

  it("Role: after any cut the role is absent or complete (only its group may exist alone); the re-run completes it", async () => {
    const state = async () =>
      (await asAdmin(pg, "SELECT rolcanlogin AS login, pg_has_role(oid, 'grp_h', 'MEMBER') AS member FROM pg_roles WHERE rolname = 'half_role'"))[0];
    const cuts = await everyCut(
      (admin) => roleProvider.create!(roleInputs(admin, "half_role", pw, { memberOf: ["grp_h"] })),
      async () => {
        const s = await state();
        if (s) assert.deepStrictEqual(s, { login: true, member: true });
      },
      async () => {
        assert.deepStrictEqual(await state(), { login: true, member: true });
        assert.deepStrictEqual(await asAdmin(pg, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'grp_h'"), [{ rolcanlogin: false }]);
      },
      () => asAdmin(pg, "DROP ROLE half_role; DROP ROLE grp_h").then(() => undefined),
    );
    assert.ok(cuts >= 4, `only ${cuts} statements were cut`);
  });
});
