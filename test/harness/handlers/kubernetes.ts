/**
 * Mock handlers for the kubernetes back end's resources: every `kubernetes:*` type echoes its
 * inputs as the API server would return the object: `metadata.namespace` filled in (`default` when
 * the program gave none), a `uid`, and for a CNPG Cluster the status of a healthy one.
 */
import { Handler, unwrapSecrets } from "../mocks";

/** The status a healthy CNPG Cluster named `name` with `instances` pods reports. */
export function healthyClusterStatus(name: string, instances: number): Record<string, any> {
  const pods = Array.from({ length: instances }, (_, i) => `${name}-${i + 1}`);
  return { phase: "Cluster in healthy state", currentPrimary: pods[0], instanceNames: pods, instancesStatus: { healthy: pods }, readyInstances: instances };
}

/** Echoes a Kubernetes object as the API server holds it. */
export const kubernetesEcho: Handler = (a) => {
  const inputs = a.inputs;
  const metadata = { ...(unwrapSecrets(inputs.metadata) ?? {}) };
  metadata.namespace = metadata.namespace ?? "default";
  metadata.uid = `${a.name}-uid`;
  const state: Record<string, any> = { ...inputs, metadata };
  if (a.type === "kubernetes:postgresql.cnpg.io/v1:Cluster") state.status = healthyClusterStatus(String(metadata.name), Number(unwrapSecrets(inputs.spec)?.instances ?? 1));
  return { id: `${metadata.namespace}/${metadata.name}`, state };
};

export function handlers(): Record<string, Handler> {
  return { "kubernetes:*": kubernetesEcho };
}
