/**
 * Options of the `kubernetes` back end (CloudNativePG) on PgSingle and PgCluster: their zod shape,
 * checks and resolution. Owned by the Kubernetes back end; other back ends never read them.
 */
import { z } from "zod";
import { Problems, show } from "../errors";

/** Resolved `kubernetes` options. */
export interface KubernetesOptions {
  /** Namespace the CNPG objects go to; undefined = the provider's default namespace. */
  namespace?: string;
  /** StorageClass of the volumes; undefined = the cluster's default StorageClass. */
  storageClass?: string;
}

/** zod shape of `kubernetes` options. */
export function kubernetesShape() {
  return z.object({ namespace: z.string(), storageClass: z.string() }).partial().strict().optional();
}

/** Checks `kubernetes` options: only for the kubernetes back end. */
export function checkKubernetes(input: any, backend: string | undefined, p: Problems): void {
  const k = input.kubernetes;
  if (!k || typeof k !== "object") return;
  if (backend !== undefined && backend !== "kubernetes" && Object.keys(k).length > 0) {
    p.add("kubernetes", `\`kubernetes\` options apply to the \`kubernetes\` back end only, and this db_resource uses \`${backend}\`; got ${show(k)}`);
  }
}

/** Resolves `kubernetes` options. */
export function resolveKubernetes(input: any): KubernetesOptions {
  return { ...input.kubernetes };
}

/** `kubernetes` args as the user writes them (see {@link KubernetesOptions}). */
export type KubernetesArgs = Partial<KubernetesOptions>;
