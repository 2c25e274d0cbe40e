/**
 * pgplatform-enable-supported-version: every db_resource, replica and cluster member runs a
 * PostgreSQL major that pgplatform supports (and that its plan offers).
 */
import { allowed } from "../../components/model/errors";
import { END_OF_LIFE, SUPPORTED_MAJORS } from "../../components/model/versions";
import { dbRule, planOf } from "./support";

/** Defaults of the rule's config: the supported majors of components/model/versions.ts. */
export const SUPPORTED_VERSION_DEFAULTS = { versions: [...SUPPORTED_MAJORS] as string[] };

/** The rule. */
export const enableSupportedVersion = dbRule({
  name: "pgplatform-enable-supported-version",
  description: "Checks that a db_resource runs a supported PostgreSQL major (15, 16, 17, 18), one its plan offers.",
  enforcementLevel: "mandatory",
  defaults: SUPPORTED_VERSION_DEFAULTS,
  properties: {
    versions: { type: "array", items: { type: "string", enum: [...SUPPORTED_MAJORS] }, uniqueItems: true, description: "Majors allowed (a subset of the supported ones)." },
  },
  judge: (s, config, report) => {
    if (s.role === "parameters" || s.role === "network") return;
    const version = s.read("version");
    if (!version || version.value === undefined) return;
    const plan = planOf(s);
    const supported = SUPPORTED_MAJORS.filter((m) => config.versions.includes(m) && (!plan || plan.versions.includes(m)));
    if ((supported as string[]).includes(version.value)) return;
    const eol = END_OF_LIFE[version.value] ? ` (PostgreSQL ${version.value} reached end of life on ${END_OF_LIFE[version.value]})` : "";
    const forPlan = plan && plan.versions.length < SUPPORTED_MAJORS.length ? ` for plan \`${plan.name}\`` : "";
    report(`${s.label}: \`${version.field}\` must be a supported major, one of ${allowed(supported)}${forPlan}${eol}; got ${version.got}`);
  },
});
