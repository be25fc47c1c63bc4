// The BackupPolicy the tests build from, so each test states only what it changes.
import type { BackupPolicy, BackupPolicyStatus } from '../../src/api/generated/index.js';

/** Metadata and status a test may set on {@link fixturePolicy}'s policy. */
export interface FixturePolicyExtras {
  name?: string;
  generation?: number;
  status?: BackupPolicyStatus;
}

/**
 * Returns the BackupPolicy `nightly` as the API server stores it (verify and suspend defaulted):
 * daily at 02:00 UTC into `tenantry-backups-<region>` of eu-west-1, 14 daily and 8 weekly
 * backups kept. `spec` and `destination` are merged over it.
 */
export function fixturePolicy(
  spec: Partial<BackupPolicy['spec']> = {},
  destination: Partial<BackupPolicy['spec']['destination']> = {},
  extras: FixturePolicyExtras = {},
): BackupPolicy {
  const region = destination.region ?? 'eu-west-1';
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'BackupPolicy',
    metadata: {
      name: extras.name ?? 'nightly',
      uid: '0b5e2c1a-0000-4000-8000-000000000001',
      ...(extras.generation !== undefined ? { generation: extras.generation } : {}),
    },
    spec: {
      schedule: '0 2 * * *',
      timeZone: 'UTC',
      destination: { bucket: `tenantry-backups-${region}`, region, ...destination },
      retention: { keepDaily: 14, keepWeekly: 8 },
      verify: true,
      suspend: false,
      ...spec,
    },
    ...(extras.status ? { status: extras.status } : {}),
  };
}
