// The agent's connections to KMS and S3, built once from its settings.
import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsDataKeys } from '../cloud/kms.js';
import { createS3Client } from '../cloud/s3.js';
import { BackupKeyTrust } from './key-trust.js';
import type { AgentSettings } from './settings.js';
import { TenantBackupStore } from './store.js';

/** KMS data keys and the tenant's backup store. */
export interface AgentClients {
  kms: KmsDataKeys;
  /** Which keys may decrypt the tenant's backups (checked before every Decrypt). */
  keys: BackupKeyTrust;
  store: TenantBackupStore;
  close(): void;
}

/**
 * Builds the clients for one tenant from the agent's settings (same code path as real AWS);
 * `kmsClient` replaces the KMS client (to observe its calls).
 */
export function createAgentClients(s: AgentSettings, tenant: string = s.tenant, o: { kmsClient?: KMSClient } = {}): AgentClients {
  const aws = { region: s.awsRegion, ...(s.credentials ? { credentials: s.credentials } : {}) };
  // Every part is hashed and authenticated end to end (manifest, GCM): no second SHA-256 of each upload for SigV4.
  const s3 = createS3Client({ ...aws, unsignedPayload: true, ...(s.s3Endpoint ? { endpoint: s.s3Endpoint } : {}) });
  const kms = new KmsDataKeys({ ...aws, ...(s.kmsEndpoint ? { endpoint: s.kmsEndpoint } : {}) }, o.kmsClient);
  const store = new TenantBackupStore(s3, { bucket: s.bucket, tenant, sseKmsKeyId: s.kmsKeyId, ...(s.prefix ? { prefix: s.prefix } : {}) });
  return {
    kms,
    keys: new BackupKeyTrust(kms, { keyId: s.kmsKeyId, region: s.region }),
    store,
    close: () => {
      s3.destroy();
      kms.close();
    },
  };
}
