/**
 * Turns zod issues into pgplatform problems, in the one message style (see errors.ts).
 * zod checks the shape; its default texts are replaced so every message names the field, shows
 * the value received and says what is allowed.
 */
import type { z } from "zod";
import { Problem, allowed, pathText, show, valueAt } from "./errors";

function typeName(expected: string): string {
  switch (expected) {
    case "int":
      return "a whole number";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "`true` or `false`";
    case "object":
      return "an object";
    case "array":
      return "a list";
    case "record":
      return "a map";
    default:
      return `a ${expected}`;
  }
}

function bound(issue: any, word: "least" | "most"): string {
  const limit = word === "least" ? issue.minimum : issue.maximum;
  const value = typeof limit === "bigint" ? limit.toString() : String(limit);
  switch (issue.origin) {
    case "string":
      return `must be at ${word} ${value} characters`;
    case "array":
      return `must have at ${word} ${value} items`;
    default: {
      const op = word === "least" ? (issue.inclusive === false ? ">" : ">=") : issue.inclusive === false ? "<" : "<=";
      return `must be ${op} ${value}`;
    }
  }
}

/**
 * The types a union accepts when every branch failed only on the type of the value itself
 * (`z.union([z.string(), z.number()])`), so the message can name them; undefined otherwise.
 */
function unionTypes(issue: any): string[] | undefined {
  const branches: any[][] = Array.isArray(issue.errors) ? issue.errors : [];
  if (branches.length === 0) return undefined;
  const types: string[] = [];
  for (const branch of branches) {
    if (branch.length !== 1 || branch[0].code !== "invalid_type" || branch[0].path.length !== 0) return undefined;
    types.push(branch[0].expected);
  }
  return types;
}

/** One problem per zod issue (one per unknown key). */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues as any[]) {
    const path = [...prefix, ...issue.path];
    const field = pathText(path);
    const got = valueAt(input, issue.path);
    const say = (what: string) => out.push({ path: field, message: `\`${field}\` ${what}; got ${show(got)}` });
    switch (issue.code) {
      case "invalid_type":
        if (got === undefined) out.push({ path: field, message: `\`${field}\` is required` });
        else say(`must be ${typeName(issue.expected)}`);
        break;
      case "invalid_value":
        if (got === undefined) out.push({ path: field, message: `\`${field}\` is required: one of ${allowed(issue.values)}` });
        else say(issue.values.length === 1 ? `must be \`${String(issue.values[0])}\`` : `must be one of ${allowed(issue.values)}`);
        break;
      case "too_small":
        say(bound(issue, "least"));
        break;
      case "too_big":
        say(bound(issue, "most"));
        break;
      case "unrecognized_keys":
        for (const key of issue.keys as string[]) {
          const keyPath = pathText([...path, key]);
          out.push({ path: keyPath, message: `\`${keyPath}\` is not a known field${field ? ` of \`${field}\`` : ""}; check its spelling` });
        }
        break;
      case "invalid_union": {
        const types = unionTypes(issue);
        say(types ? `must be ${types.map(typeName).join(" or ")}` : "does not match any of the accepted forms");
        break;
      }
      default:
        say(issue.message);
    }
  }
  return out;
}
