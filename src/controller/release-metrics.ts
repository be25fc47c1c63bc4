// The release metrics of one ReleaseChannel (P12), from the evaluation that computed its status.
import type { ReleaseChannelStatus } from '../api/generated/index.js';
import { releaseHalted, releaseOutdatedTenants, releaseSecurityPatchAgeSeconds } from '../metrics.js';
import type { ChannelEvaluation } from '../release/types.js';

/** Sets the outdated tenants, the age of an unfinished security revision and whether the rollout is halted. */
export function recordReleaseMetrics(
  channel: string,
  evaluation: Pick<ChannelEvaluation, 'outdated' | 'securityPatchAgeSeconds'>,
  status: ReleaseChannelStatus,
): void {
  releaseOutdatedTenants.set({ channel }, evaluation.outdated);
  releaseSecurityPatchAgeSeconds.set({ channel }, evaluation.securityPatchAgeSeconds);
  releaseHalted.set({ channel }, status.phase === 'Halted' ? 1 : 0);
}

/** Removes a deleted channel's series. */
export function forgetReleaseMetrics(channel: string): void {
  releaseOutdatedTenants.remove({ channel });
  releaseSecurityPatchAgeSeconds.remove({ channel });
  releaseHalted.remove({ channel });
}
