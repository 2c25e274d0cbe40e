/** Every stack (quota) rule of the pack, side-effect free. */
import { StackValidationPolicy } from "@pulumi/policy";

export const STACK_POLICIES: StackValidationPolicy[] = [];
