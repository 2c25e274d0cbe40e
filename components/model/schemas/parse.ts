/**
 * The one parse pipeline every component uses: shape (zod), then cross-field checks on the raw
 * input (so every problem is listed, not only the first layer's), then resolve into a Spec.
 */
import type { z } from "zod";
import { Problems, show } from "../errors";
import { problemsFromZod } from "../zodIssues";

/**
 * Parses `input` with `schema`, runs `check` (which adds problems and returns what it learnt) and,
 * when nothing is wrong, `resolve`. Throws one ValidationError naming `subject` otherwise.
 */
export function parseWith<F, S>(
  subject: string,
  schema: z.ZodType,
  input: unknown,
  check: (input: any, p: Problems) => F,
  resolve: (input: any, facts: F) => S,
): S {
  const p = new Problems();
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    p.add("args", `\`args\` must be an object; got ${show(input)}`);
    p.throwIfAny(subject);
  }
  const shape = schema.safeParse(input);
  if (!shape.success) p.addAll(problemsFromZod(shape.error.issues, input));
  const facts = check(input, p);
  p.throwIfAny(subject);
  return resolve(input, facts);
}

/** The subject line of a component's validation error: `Invalid args for PgSingle "orders"`. */
export function subjectOf(component: string, name: string): string {
  return `Invalid args for ${component} ${JSON.stringify(name)}`;
}
