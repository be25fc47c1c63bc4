// The agent's connections to KMS and S3, built once from its settings.
import { KmsDataKeys } from '../cloud/kms.js';
import { createS3Client } from '../cloud/s3.js';
import type { AgentSettings } from './settings.js';
import { TenantBackupStore } from './store.js';

/** KMS data keys and the tenant's backup store. */
export interface AgentClients {
  kms: KmsDataKeys;
  store: TenantBackupStore;
  close(): void;
}

/** Builds the clients for one tenant from the agent's settings (same code path as real AWS). */
export function createAgentClients(s: AgentSettings, tenant: string = s.tenant): AgentClients {
  const aws = { region: s.awsRegion, ...(s.credentials ? { credentials: s.credentials } : {}) };
  const s3 = createS3Client({ ...aws, ...(s.s3Endpoint ? { endpoint: s.s3Endpoint } : {}) });
  const kms = new KmsDataKeys({ ...aws, ...(s.kmsEndpoint ? { endpoint: s.kmsEndpoint } : {}) });
  const store = new TenantBackupStore(s3, { bucket: s.bucket, tenant, sseKmsKeyId: s.kmsKeyId, ...(s.prefix ? { prefix: s.prefix } : {}) });
  return {
    kms,
    store,
    close: () => {
      s3.destroy();
      kms.close();
    },
  };
}
