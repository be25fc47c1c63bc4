// The release engine's public surface (P12; pure: no clock, no I/O).
export {
  DEFAULT_FAILURE_BUDGET,
  DEFAULT_READINESS_TIMEOUT_SECONDS,
  DEFAULT_SOAK_SECONDS,
  evaluateChannel,
  type RolloutSettings,
  type RolloutState,
} from './rollout.js';
export { FAILED_LISTED, MAX_REQUEUE_MS } from './rollout-status.js';
export { IMAGES_HASH_LENGTH, imagesHash, revisionImages } from './revision.js';
export {
  RESUME_ANNOTATION,
  followedChannel,
  isInactive,
  isPinned,
  releaseFacts,
  type ChannelEvaluation,
  type EvaluateChannel,
  type ReleaseEvent,
  type ReleaseTenantFacts,
  type ResolvedImages,
} from './types.js';
export { DEFAULT_WAVES, WAVE_BUCKETS, waveBucket, waveIndexOf } from './waves.js';
export { nextWindowOpening, validateWindows, windowOpenAt, type MaintenanceWindow, type WindowProblem } from './windows.js';
