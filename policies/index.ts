/**
 * The pack's entry file: the only module that constructs the PolicyPack (which starts the
 * analyzer server). Rules live in side-effect-free modules under rules/.
 */
import { PolicyPack } from "@pulumi/policy";
import { RESOURCE_POLICIES } from "./rules";
import { STACK_POLICIES } from "./rules/quotas";
import { shareDeserializedProperties } from "./sharedProperties";

// Each resource's properties are decoded once per request, not once per rule (see sharedProperties.ts).
shareDeserializedProperties();

new PolicyPack("pgplatform", {
  description: "pgplatform's plan rules and quotas: a non-compliant database is stopped at pulumi preview.",
  enforcementLevel: "mandatory",
  policies: [...RESOURCE_POLICIES, ...STACK_POLICIES],
});
