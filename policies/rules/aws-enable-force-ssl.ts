/**
 * aws-enable-force-ssl: an RDS PostgreSQL parameter group forces TLS (`rds.force_ssl` = 1, set
 * explicitly whatever the engine default) and, when it sets `ssl_min_protocol_version`, no lower
 * than the configured minimum.
 */
import { allowed } from "../../components/model/errors";
import { dbRule } from "./support";

/** TLS protocol versions PostgreSQL knows, oldest first. */
export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Defaults of the rule's config. */
export const FORCE_SSL_DEFAULTS = { minSslProtocolVersion: "TLSv1.2" };

/** The rule. */
export const enableForceSsl = dbRule({
  name: "aws-enable-force-ssl",
  description: "Checks that an RDS PostgreSQL parameter group sets `rds.force_ssl` to 1 and no `ssl_min_protocol_version` below the configured minimum.",
  enforcementLevel: "mandatory",
  defaults: FORCE_SSL_DEFAULTS,
  properties: { minSslProtocolVersion: { type: "string", enum: TLS_VERSIONS, description: "Lowest `ssl_min_protocol_version` a parameter group may set." } },
  judge: (s, config, report) => {
    const force = s.read("forceSsl");
    if (force && force.value !== true) {
      report(`${s.label}: \`rds.force_ssl\` must be 1 in \`parameters\` (connections without TLS are refused); got ${force.got}`);
    }
    const min = s.read("sslMinProtocolVersion");
    const floor = TLS_VERSIONS.indexOf(config.minSslProtocolVersion);
    if (!min || min.value === undefined || floor < 0) return;
    if (TLS_VERSIONS.indexOf(min.value) < floor) {
      report(`${s.label}: \`${min.field}\` (\`ssl_min_protocol_version\`) must be one of ${allowed(TLS_VERSIONS.slice(floor))}; got ${min.got}`);
    }
  },
});
