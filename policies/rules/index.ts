/**
 * Every resource rule of the pack, side-effect free (constructing a PolicyPack starts a server,
 * so only ../index.ts does that).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";

export const RESOURCE_POLICIES: ResourceValidationPolicy[] = [];
