/**
 * Helpers to look inside `pulumi.Output`s in tests.
 *
 * They use the Output's own (SDK-internal but stable) `promise(withUnknowns)`, `isKnown`
 * and `isSecret` promises rather than `apply`, because `apply` never runs its callback for
 * an unknown value (preview) or a failed registration, which would hang a test until the
 * mocha timeout instead of failing it.
 */
import * as pulumi from "@pulumi/pulumi";

interface OutputInternals<T> {
    promise(withUnknowns?: boolean): Promise<T>;
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
}

function internals<T>(o: pulumi.Output<T>): OutputInternals<T> {
    const i = o as unknown as Partial<OutputInternals<T>>;
    if (typeof i.promise !== "function" || !(i.isKnown instanceof Promise) || !(i.isSecret instanceof Promise)) {
        throw new Error("outputs harness: not a pulumi.Output (or the SDK changed its internals)");
    }
    return i as OutputInternals<T>;
}

/**
 * Everything about an Output: its value (`undefined` when unknown; nested unknowns of a
 * known value show up as the SDK's `unknown` marker object), whether it is known and
 * whether it is secret. Rejects if the Output failed (e.g. its resource's registration
 * was refused by strict mocks).
 */
export async function details<T>(o: pulumi.Output<T>): Promise<{ value: T | undefined; isKnown: boolean; isSecret: boolean }> {
    const i = internals(o);
    const [value, isKnown, isSecret] = await Promise.all([i.promise(true), i.isKnown, i.isSecret]);
    return { value: isKnown ? value : undefined, isKnown, isSecret };
}

/**
 * The value of an Input/Output (plain values and promises are lifted with `pulumi.output`;
 * nested Outputs are unwrapped). Rejects when the value is unknown (instead of hanging like
 * `new Promise(r => out.apply(r))` would) and when the Output failed.
 */
export async function valueOf<T>(o: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
    const out = pulumi.output(o) as unknown as pulumi.Output<T>;
    const d = await details(out);
    if (!d.isKnown) {
        throw new Error("valueOf: the output is unknown (preview?); use details() to inspect unknown outputs");
    }
    return d.value as T;
}

/** Whether the Output is marked secret (`pulumi.isSecret`). */
export function isSecretOutput(o: pulumi.Output<any>): Promise<boolean> {
    return pulumi.isSecret(o);
}
