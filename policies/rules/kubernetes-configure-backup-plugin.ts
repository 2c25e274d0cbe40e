/**
 * kubernetes-configure-backup-plugin: a production CNPG Cluster archives WAL (and so backs up and
 * recovers to a point in time) through the Barman Cloud plugin; the deprecated in-tree
 * `spec.backup.barmanObjectStore` (removed in CloudNativePG 1.31) is refused in every tier.
 */
import { CNPG_CLUSTER_TYPE } from "./subjects";
import { TIERS_PROPERTY, dbRule, strictTier, whereOf } from "./support";

/** Defaults of the rule's config. */
export const BACKUP_PLUGIN_DEFAULTS = { tiers: ["production"] as string[], pluginName: "barman-cloud.cloudnative-pg.io" };

/** The rule. */
export const configureBackupPlugin = dbRule({
  name: "kubernetes-configure-backup-plugin",
  description: "Checks that a production CNPG Cluster has the Barman Cloud plugin in `spec.plugins` as its WAL archiver, and that no Cluster uses the deprecated `spec.backup.barmanObjectStore`.",
  enforcementLevel: "mandatory",
  appliesTo: CNPG_CLUSTER_TYPE,
  defaults: BACKUP_PLUGIN_DEFAULTS,
  properties: {
    tiers: { ...TIERS_PROPERTY, description: "Environment tiers whose Clusters must archive WAL with the plugin." },
    pluginName: { type: "string", minLength: 1, description: "The CNPG-I backup plugin that must archive WAL." },
  },
  judge: (s, config, report) => {
    const legacy = s.read("legacyBackup");
    if (legacy?.value === true) {
      report(`${s.label}: \`${legacy.field}\` is deprecated and removed in CloudNativePG 1.31; archive with the \`${config.pluginName}\` plugin in \`spec.plugins\` instead; got ${legacy.got}`);
    }
    const wal = s.read("walArchiver");
    if (!wal || s.role !== "database" || !config.tiers.includes(strictTier(s))) return;
    if (wal.value === config.pluginName) return;
    report(
      `${s.label}: a ${strictTier(s)} cluster (${whereOf(s)}) needs \`spec.plugins\` to have \`${config.pluginName}\` with \`isWALArchiver: true\`; got ${wal.got}`,
    );
  },
});
