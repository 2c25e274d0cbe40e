/**
 * aws-enable-storage-encryption: RDS instances and clusters encrypt their storage at rest (a read
 * replica follows its source, which is judged itself), optionally with a customer-managed KMS key.
 */
import { dbRule } from "./support";

/** Defaults of the rule's config: AWS-managed keys are enough. */
export const STORAGE_ENCRYPTION_DEFAULTS = { requireCustomerManagedKey: false };

/** The rule. */
export const enableStorageEncryption = dbRule({
  name: "aws-enable-storage-encryption",
  description: "Checks that an RDS PostgreSQL instance or cluster encrypts its storage at rest.",
  enforcementLevel: "mandatory",
  defaults: STORAGE_ENCRYPTION_DEFAULTS,
  properties: { requireCustomerManagedKey: { type: "boolean", description: "Also require `kmsKeyId` (a customer-managed KMS key)." } },
  judge: (s, config, report) => {
    const encrypted = s.read("storageEncrypted");
    if (!encrypted || encrypted.value === undefined) return;
    if (!encrypted.value) {
      report(`${s.label}: \`${encrypted.field}\` must be true (storage encrypted at rest); got ${encrypted.got}`);
      return;
    }
    const key = s.read("kmsKeyId");
    if (config.requireCustomerManagedKey && key && !key.value) {
      report(`${s.label}: \`${key.field}\` must name a customer-managed KMS key (config \`requireCustomerManagedKey\`); got ${key.got}`);
    }
  },
});
