/**
 * Mock handlers for the local back end's resources and the dynamic providers every back end
 * shares (tenants, catalogue): each echoes its inputs with the outputs a running server reports.
 */
import { RANDOM_PASSWORD_TYPE } from "../engine";
import { Handler } from "../mocks";

/** Dynamic provider types (`pulumi-nodejs:dynamic/pgplatform:<name>`) the examples may register. */
export const DYNAMIC_TYPES = ["LocalServer", "ChangeGuard", "Role", "Database", "Schema", "Grants", "TenantQuota", "CatalogRecord", "LocalUpgrade", "DbQuota", "MaintenanceJobs", "LocalBackupPolicy", "LocalRestore"];

export function handlers(): Record<string, Handler> {
  const echo: Handler = (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, host: "127.0.0.1", port: 5432, status: "RUNNING", state: "ok", usageBytes: 0, endpointPort: 6432, activeSide: "blue", endpointRunning: true } });
  const out: Record<string, Handler> = { [RANDOM_PASSWORD_TYPE]: (a) => ({ id: a.name, state: { ...a.inputs, result: "x".repeat(32) } }) };
  for (const t of DYNAMIC_TYPES) out[`pulumi-nodejs:dynamic/pgplatform:${t}`] = echo;
  // The local HA cluster and its replica set (components/providers/localCluster.ts, localReplicas.ts).
  const member = (name: string, role: string, port: number) => ({ name, role, host: "127.0.0.1", port, state: "running", lagBytes: 0, pendingRestart: false });
  out["pulumi-nodejs:dynamic/pgplatform:LocalCluster"] = (a) => ({
    id: `${a.name}-id`,
    state: { ...a.inputs, host: "127.0.0.1", writePort: 5000, readPort: 5001, etcdPort: 2379, primary: "node0", members: [member("node0", "primary", 5100), member("node1", "standby", 5101)], history: [], status: "RUNNING", running: true, drift: [] },
  });
  out["pulumi-nodejs:dynamic/pgplatform:LocalReplicas"] = (a) => ({
    id: `${a.name}-id`,
    state: { ...a.inputs, host: "127.0.0.1", readPort: 5002, poolerPort: 6432, layout: { readPort: 5002, poolerPort: 6432, members: [] }, replicaStates: [], status: "RUNNING", drift: [] },
  });
  return out;
}
