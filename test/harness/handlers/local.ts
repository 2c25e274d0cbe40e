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
  return out;
}
