/**
 * One error style for every validation layer (shape, cross-field, change): each problem names the
 * field in backticks, shows the value received and says what is allowed. All problems of one call
 * are thrown together in a single {@link ValidationError}.
 */

/** A single problem with a field. `path` is the field as the user wrote it (`storage.sizeGb`). */
export interface Problem {
  path: string;
  message: string;
}

/** Thrown by every `parse*Args()` and by `validateChange()`: lists every problem at once. */
export class ValidationError extends Error {
  readonly problems: readonly Problem[];
  constructor(subject: string, problems: readonly Problem[]) {
    const n = problems.length;
    const lines = problems.map((p) => `  - ${p.message}`).join("\n");
    super(`${subject}: ${n} problem${n === 1 ? "" : "s"}:\n${lines}`);
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/** Renders a received value for a message: strings quoted, long values cut, `undefined` as "nothing". */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** Renders a list of allowed values: `a`, `b`, `c`. */
export function allowed(values: readonly unknown[]): string {
  return values.map((v) => `\`${String(v)}\``).join(", ");
}

/** Joins a path as users write it: `network.allowedCidrs[0]`. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Reads the value at `path` in `input`, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: any = input;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[part as any];
  }
  return cur;
}

/** Collects problems; `fail()` throws them as one {@link ValidationError}. */
export class Problems {
  private readonly list: Problem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  addAll(problems: readonly Problem[]): void {
    this.list.push(...problems);
  }
  get size(): number {
    return this.list.length;
  }
  all(): readonly Problem[] {
    return this.list;
  }
  /** Throws when any problem was collected. */
  throwIfAny(subject: string): void {
    if (this.list.length > 0) throw new ValidationError(subject, this.list);
  }
}
