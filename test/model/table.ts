/**
 * Runs a table of bad inputs through a parse function and pins each full error message.
 * Not a test file itself: the `*.test.ts` files import it.
 */
import assert from "assert";
import { ValidationError } from "../../components/model";

/** One bad input and the exact message its parse must throw, one array item per line. */
export interface BadInput<C = unknown> {
  /** What is wrong, as the test title. */
  what: string;
  args: unknown;
  /** The parse context, when the row needs one. */
  ctx?: C;
  message: string[];
}

/** Declares one `it` per row: the parse must throw a ValidationError whose message is exactly `message`. */
export function itRejects<C>(rows: BadInput<C>[], parse: (args: unknown, ctx?: C) => unknown): void {
  for (const row of rows) {
    it(`rejects ${row.what}`, () => {
      let thrown: unknown;
      try {
        parse(row.args, row.ctx);
      } catch (err) {
        thrown = err;
      }
      assert.ok(thrown instanceof ValidationError, `expected a ValidationError, got ${String(thrown)}`);
      assert.strictEqual(thrown.message, row.message.join("\n"));
      assert.strictEqual(thrown.problems.length, row.message.length - 1);
    });
  }
}
