/**
 * Where a program's catalogue records go, from stack config (program side):
 *
 * - `pgplatform:catalog`: `local` (the default without a URI) records into the library-managed
 *   catalogue on this machine; `uri` (the default with a URI) into the PostgreSQL database
 *   `pgplatform:catalogUri` names; `off` records nothing.
 * - `pgplatform:catalogUri`: a secret `postgresql://user:password@host:port/database`.
 * - `pgplatform:localDataRoot`, `pgplatform:localRunAs`: where the local catalogue lives and who
 *   runs it, shared with the local back end.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { defaultDataRoot } from "../backends/local";
import type { CatalogInput } from "../providers/catalogRecord";
import { SqlConnection } from "../providers/sql/connection";

/** The catalogue modes stack config `pgplatform:catalog` accepts. */
export const CATALOG_MODES = ["local", "uri", "off"] as const;

/** Where catalogue records go, as {@link catalogTarget} resolved it. */
export type CatalogTarget =
  | { mode: "off" }
  | { mode: "uri"; connection: pulumi.Output<SqlConnection> }
  | { mode: "local"; dataRoot: string; runAs: string };

const EXPECTED = "expected `postgresql://user:password@host:port/database`; set it with `pulumi config set --secret pgplatform:catalogUri <uri>`";

/**
 * Parses a catalogue URI into a connection. A malformed URI throws an error that names the config
 * key and what is wrong, and never repeats the URI (it holds a password).
 */
export function parseCatalogUri(text: string, key = "pgplatform:catalogUri"): SqlConnection {
  const bad = (what: string, shown?: string): Error =>
    new Error(`stack config \`${key}\` is not a usable PostgreSQL URI: ${what}${shown ? ` (${shown})` : ""}; ${EXPECTED}`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad("it does not parse as a URI");
  }
  const scheme = url.protocol.replace(/:$/, "");
  const redacted = () => `${scheme}://${url.username || "?"}:***@${url.host || "?"}${url.pathname}`;
  if (scheme !== "postgresql" && scheme !== "postgres") throw bad(`its scheme must be \`postgresql\` or \`postgres\`, got \`${scheme}\``);
  if (!url.hostname) throw bad("it names no host", redacted());
  if (!url.username) throw bad("it names no user", redacted());
  if (!url.password) throw bad("it has no password", redacted());
  const port = url.port ? Number(url.port) : 5432;
  const names = [...url.searchParams.keys()];
  if (names.length > 0) throw bad(`it has query parameters (${names.map((n) => `\`${n}\``).join(", ")}), which the catalogue connection does not support yet`, redacted());
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database.includes("/")) throw bad("its path must be one database name", redacted());
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    user,
    password: decodeURIComponent(url.password),
    database: database || user,
  };
}

/**
 * Reads stack config and says where catalogue records go. The URI's connection is a secret; a bad
 * `pgplatform:catalog` value, a `uri` mode without a URI, or a malformed URI throws at once.
 */
export function catalogTarget(): CatalogTarget {
  const config = new pulumi.Config("pgplatform");
  const uri = config.get("catalogUri");
  const given = config.get("catalog");
  const mode = given ?? (uri ? "uri" : "local");
  if (!(CATALOG_MODES as readonly string[]).includes(mode)) {
    throw new Error(`stack config \`pgplatform:catalog\` must be one of \`local\`, \`uri\`, \`off\`; got ${JSON.stringify(mode)}`);
  }
  if (mode === "off") return { mode: "off" };
  if (mode === "uri") {
    if (!uri) throw new Error("stack config `pgplatform:catalog` is `uri` but `pgplatform:catalogUri` is not set; " + EXPECTED);
    return { mode: "uri", connection: pulumi.secret(parseCatalogUri(uri)) };
  }
  if (uri) {
    throw new Error("stack config `pgplatform:catalog` is `local` but `pgplatform:catalogUri` is set too; remove one (`local` records on this machine, the URI names another catalogue)");
  }
  return { mode: "local", dataRoot: config.get("localDataRoot") ?? defaultDataRoot(), runAs: config.get("localRunAs") ?? "postgres" };
}

/**
 * The `catalog` input of a {@link CatalogRecord} for a target (a secret), or undefined when the
 * catalogue is off. The local catalogue finds its server binaries from this library's location too.
 */
export function catalogInputOf(target: CatalogTarget): pulumi.Output<CatalogInput> | undefined {
  switch (target.mode) {
    case "off":
      return undefined;
    case "uri":
      return pulumi.secret(target.connection.apply((connection) => ({ connection })));
    case "local":
      return pulumi.secret({
        local: { dataRoot: target.dataRoot, runAs: target.runAs, binarySearchPaths: [path.resolve(__dirname, "..", "..")] },
      });
  }
}
