// Which wave of a channel's rollout a tenant belongs to (P12). A wave claims tenants either by a
// label selector (canaries) or by a share of the fleet. The share is decided per tenant from a
// fixed bucket, a hash of the channel and tenant names, not by ranking the fleet: a tenant never
// moves to another wave when other tenants come or go, and each tenant is placed in O(1).
import { createHash } from 'node:crypto';
import type { ReleaseChannelSpecRolloutWavesItem } from '../api/generated/index.js';
import { matchesSelector } from '../incident/selector.js';

/** Number of buckets a percent is resolved to: a wave of p % claims the buckets below p × 100. */
export const WAVE_BUCKETS = 10_000;

/** The wave list a channel without spec.rollout.waves uses (the CRD's default): everyone at once. */
export const DEFAULT_WAVES: readonly ReleaseChannelSpecRolloutWavesItem[] = [{ name: 'all', percent: 100 }];

/** Returns the tenant's fixed bucket (0 to WAVE_BUCKETS − 1) in the channel's rollouts. */
export function waveBucket(channel: string, tenant: string): number {
  // The channel name is part of the key so two channels do not send the same tenants first.
  const digest = createHash('sha256').update(`${channel}\n${tenant}`).digest();
  return digest.readUInt32BE(0) % WAVE_BUCKETS;
}

/**
 * Returns the index of the first wave that claims the tenant: a selector wave claims the tenants
 * it matches, a percent wave those whose bucket is below its share. Tenants no wave claims belong
 * to the last wave, so every tenant is in exactly one wave.
 */
export function waveIndexOf(
  channel: string,
  tenant: { name: string; labels: Readonly<Record<string, string>> },
  waves: readonly ReleaseChannelSpecRolloutWavesItem[] = DEFAULT_WAVES,
): number {
  const list = waves.length > 0 ? waves : DEFAULT_WAVES;
  let bucket: number | undefined;
  for (const [i, wave] of list.entries()) {
    if (wave.selector) {
      if (matchesSelector(wave.selector, tenant.labels)) return i;
    } else if (wave.percent !== undefined) {
      bucket ??= waveBucket(channel, tenant.name);
      if (bucket < wave.percent * (WAVE_BUCKETS / 100)) return i;
    }
  }
  return list.length - 1;
}
