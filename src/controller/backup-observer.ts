// What the operator knows about a tenant's backups comes from the bucket, not from Job counters:
// a backup exists when its manifest does (the agent's commit point), so health is judged by the
// age of the newest verified manifest. Listings are cached per tenant and refreshed when a backup
// Job of the tenant changes, or after a TTL.
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackupPolicy } from '../api/generated/index.js';
import { createS3Client } from '../cloud/s3.js';
import { storedBytes, plaintextBytes, type BackupManifest } from '../backup/manifest.js';
import { TenantBackupStore } from '../backup/store.js';

/** A tenant's backups as the bucket shows them. */
export interface BackupObservation {
  /** Newest committed backup whose manifest records a verification. */
  newestVerified?: BackupSummary;
  /** Newest backup verified by a restore drill (its measured rate feeds the restore projection). */
  newestDrill?: BackupSummary;
  /** Committed backups. */
  count: number;
  /** Why the bucket could not be read (the condition says so instead of guessing). */
  error?: string;
  observedAt: Date;
}

/** The figures of one backup the Tenant status shows. */
export interface BackupSummary {
  id: string;
  startedAt: Date;
  completedAt: Date;
  storedBytes: number;
  plaintextBytes: number;
  durationSeconds: number;
  verification?: BackupManifest['verification'];
}

/** Reads the static S3 credentials a policy names (`undefined`: use the operator's own identity). */
export type CredentialsReader = (ref: CredentialsRef) => Promise<{ accessKeyId: string; secretAccessKey: string }>;

/** A BackupPolicy's credentialsSecretRef: a Secret of the operator's namespace (a namespace only on policies stored before that rule). */
export interface CredentialsRef {
  name: string;
  namespace?: string;
}

function summary(m: BackupManifest): BackupSummary {
  const startedAt = new Date(m.startedAt);
  const completedAt = new Date(m.completedAt);
  return {
    id: m.backupId,
    startedAt,
    completedAt,
    storedBytes: storedBytes(m),
    plaintextBytes: plaintextBytes(m),
    durationSeconds: Math.max(0, (completedAt.getTime() - startedAt.getTime()) / 1000),
    ...(m.verification ? { verification: m.verification } : {}),
  };
}

/** Lists tenants' backups in their policies' buckets, with a per-tenant cache. */
export class BackupObserver {
  private readonly cache = new Map<string, { key: string; obs: BackupObservation }>();
  private readonly clients = new Map<string, S3Client>();

  constructor(
    private readonly readCredentials: CredentialsReader,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** Returns the tenant's backups under the policy, from the cache when fresh enough. */
  async observe(tenant: string, policy: BackupPolicy, now: Date): Promise<BackupObservation> {
    const d = policy.spec.destination;
    const key = `${d.endpoint ?? ''}|${d.region}|${d.bucket}|${d.prefix ?? ''}|${d.credentialsSecretRef?.namespace ?? ''}/${d.credentialsSecretRef?.name ?? ''}`;
    const hit = this.cache.get(tenant);
    if (hit && hit.key === key && now.getTime() - hit.obs.observedAt.getTime() < this.ttlMs) return hit.obs;
    let obs: BackupObservation;
    try {
      const store = new TenantBackupStore(await this.client(policy), {
        bucket: d.bucket,
        tenant,
        ...(d.prefix ? { prefix: d.prefix } : {}),
      });
      const committed = (await store.list()).filter((b) => b.manifest).map((b) => b.manifest!);
      const verified = committed.find((m) => m.verification);
      const drilled = committed.find((m) => m.verification?.method === 'drill');
      obs = {
        count: committed.length,
        observedAt: now,
        ...(verified ? { newestVerified: summary(verified) } : {}),
        ...(drilled ? { newestDrill: summary(drilled) } : {}),
      };
    } catch (e) {
      obs = {
        count: 0,
        observedAt: now,
        error: `cannot list s3://${d.bucket}/${d.prefix ? d.prefix + '/' : ''}${tenant}/: ${(e as Error).message}`,
      };
    }
    this.cache.set(tenant, { key, obs });
    return obs;
  }

  /** Returns the plaintext size of one backup of a tenant (from its manifest). */
  async backupBytes(tenant: string, policy: BackupPolicy, backupId: string): Promise<number> {
    const d = policy.spec.destination;
    const store = new TenantBackupStore(await this.client(policy), { bucket: d.bucket, tenant, ...(d.prefix ? { prefix: d.prefix } : {}) });
    return plaintextBytes(await store.manifest(backupId));
  }

  /** Drops a tenant's cached listing, e.g. when one of its backup Jobs finished. */
  invalidate(tenant: string): void {
    this.cache.delete(tenant);
  }

  /** Closes the S3 clients. */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  /** Returns the S3 client of a policy's destination, with the credentials it names (shared, cached). */
  async clientFor(policy: BackupPolicy): Promise<S3Client> {
    return this.client(policy);
  }

  private async client(policy: BackupPolicy): Promise<S3Client> {
    const d = policy.spec.destination;
    const ref = d.credentialsSecretRef;
    const credentials = ref ? await this.readCredentials(ref) : undefined;
    const key = `${d.endpoint ?? ''}|${d.region}|${credentials?.accessKeyId ?? ''}|${credentials?.secretAccessKey ?? ''}`;
    let c = this.clients.get(key);
    if (!c) {
      c = createS3Client({ region: d.region, ...(d.endpoint ? { endpoint: d.endpoint } : {}), ...(credentials ? { credentials } : {}) });
      this.clients.set(key, c);
    }
    return c;
  }
}
