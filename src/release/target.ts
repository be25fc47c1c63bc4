// The Tenant side of a release channel (P12): which images a tenant runs, and what its
// status.release tells the channel's rollout. Pure: the channel comes from the informer cache and
// the readiness from the pass that observed the workloads, so every case is tested with tables.
// A tenant never goes back to older images unless the channel rolled it back, and nothing here
// changes a clock value unless the images change or readiness is gained or lost: an unchanged
// tenant gets an identical status.release, so a pass over it writes nothing.
import type { ReleaseChannel, Tenant, TenantStatusRelease, TenantStatusReleaseImages } from '../api/generated/index.js';
import { isInactive, type ResolvedImages } from './types.js';
import { DEFAULT_WAVES, waveIndexOf } from './waves.js';

/** Where the tenant stands before its workloads are looked at; 'Released' becomes Ready, Updating or Failed after. */
export type TargetState = 'Pending' | 'Held' | 'Pinned' | 'RolledBack' | 'Released';

/** What the Tenant reconciler builds the tenant from, and the start of its status.release. */
export interface ReleaseTarget {
  /** The channel the tenant follows. */
  channel: string;
  /** The images to run, every component resolved. */
  images: ResolvedImages;
  /** The channel revision those images are (0: the operator's configured images). */
  revision: number;
  state: TargetState;
  /** The tenant's wave in the channel's rollout (unknown while the channel is not in the cache). */
  wave?: string;
  /** Why the tenant is in this state, for a person. */
  message: string;
  /** Released: the channel lists the tenant as failed on this revision. */
  failed?: boolean;
  /** Pinned: the image spec.app.image pins (for the PatchPinned condition). */
  pinnedImage?: string;
}

/** What the pass saw of the tenant's app and database rollout (see observeRollout). */
export interface RolloutReadiness {
  ready: boolean;
  message: string;
}

/** Returns the configured images of the components a channel may set. */
export function configuredImages(images: ResolvedImages): ResolvedImages {
  return { app: images.app, postgres: images.postgres, mariadb: images.mariadb };
}

/** Returns `images` with every component it leaves out taken from `fallback`. */
function resolved(images: TenantStatusReleaseImages | undefined, fallback: ResolvedImages): ResolvedImages {
  return {
    app: images?.app ?? fallback.app,
    postgres: images?.postgres ?? fallback.postgres,
    mariadb: images?.mariadb ?? fallback.mariadb,
  };
}

/**
 * Returns the images and revision the tenant holds from its last status.release on this channel,
 * or undefined when there is none. While it was pinned its app image was its own, not the
 * channel's: that is no revision to hold on to.
 */
function heldRelease(tenant: Tenant, channel: string, config: ResolvedImages): { images: ResolvedImages; revision: number } | undefined {
  const previous = tenant.status?.release;
  if (!previous?.images || previous.state === 'Pinned') return undefined;
  const sameChannel = previous.channel === channel;
  // Images held from another channel are kept (never backwards), but its revision numbers mean nothing here.
  return { images: resolved(previous.images, config), revision: sameChannel ? (previous.revision ?? 0) : 0 };
}

/** Returns the channel's last completed revision, or the configured images as revision 0 when none completed. */
function stableRelease(channel: ReleaseChannel, config: ResolvedImages): { images: ResolvedImages; revision: number } {
  const stable = channel.status?.stable;
  if (!stable?.images?.app) return { images: config, revision: 0 };
  return { images: resolved(stable.images, config), revision: stable.revision ?? 0 };
}

/** Returns the name of the tenant's wave in the channel's rollout and whether that wave is released to the current revision. */
function waveOf(tenant: Tenant, channel: ReleaseChannel): { wave: string; released: boolean } {
  const specWaves = channel.spec.rollout?.waves;
  const waves = specWaves && specWaves.length > 0 ? specWaves : DEFAULT_WAVES;
  const name = channel.metadata?.name ?? '';
  const index = waveIndexOf(name, { name: tenant.metadata.name ?? '', labels: tenant.metadata.labels ?? {} }, waves);
  return { wave: waves[index]?.name ?? '', released: index < (channel.status?.releasedWaves ?? 0) };
}

/** The message of a pinned tenant's status.release and PatchPinned condition. */
export function pinnedMessage(image: string, channel: string): string {
  return `spec.app.image pins the app to ${image}: no rollout of channel ${channel} updates it; remove spec.app.image to follow the channel`;
}

/**
 * Returns what the tenant runs and where it stands in its channel's rollout, or undefined when it
 * follows no channel (it then runs the configured images, or its own spec.app.image, as without
 * channels). `channelName` is followedChannel(tenant, release.defaultChannel); `channel` the
 * ReleaseChannel of that name in the cache, if any.
 */
export function releaseTarget(
  tenant: Tenant,
  channelName: string | undefined,
  channel: ReleaseChannel | undefined,
  config: ResolvedImages,
): ReleaseTarget | undefined {
  if (channelName === undefined) return undefined;
  const held = heldRelease(tenant, channelName, config);
  const wave = channel ? waveOf(tenant, channel) : undefined;
  const base = { channel: channelName, ...(wave ? { wave: wave.wave } : {}) };
  const pinned = tenant.spec.app?.image;
  if (pinned !== undefined) {
    const images = { ...(held?.images ?? config), app: pinned };
    const message = pinnedMessage(pinned, channelName);
    return { ...base, images, revision: held?.revision ?? 0, state: 'Pinned', message, pinnedImage: pinned };
  }
  const revision = channel?.status?.revision;
  if (!channel || !wave || revision === undefined || !channel.status?.images?.app) {
    const message = channel ? `channel ${channelName} has no revision yet` : `waiting for ReleaseChannel ${channelName}`;
    return { ...base, ...(held ?? { images: config, revision: 0 }), state: 'Pending', message };
  }
  return { ...base, ...onRevision(tenant, channel, { revision, released: wave.released, wave: wave.wave }, held, config) };
}

/** Returns the target of a tenant that is not pinned, once its channel has a revision: held, rolled back, released or pending. */
function onRevision(
  tenant: Tenant,
  channel: ReleaseChannel,
  current: { revision: number; released: boolean; wave: string },
  held: { images: ResolvedImages; revision: number } | undefined,
  config: ResolvedImages,
): Pick<ReleaseTarget, 'images' | 'revision' | 'state' | 'message' | 'failed'> {
  const { revision, released, wave } = current;
  const status = channel.status ?? {};
  if (isInactive(tenant)) {
    const kept = held ?? stableRelease(channel, config);
    const message = `held on revision ${kept.revision} while the tenant is suspended, closed or erasing; updated when it comes back`;
    return { ...kept, state: 'Held', message };
  }
  if ((status.rolledBack ?? []).includes(tenant.metadata.name ?? '')) {
    const stable = stableRelease(channel, config);
    const to = stable.revision > 0 ? `revision ${stable.revision}` : "the operator's configured images";
    return { ...stable, state: 'RolledBack', message: `rolled back to ${to}: the rollout of revision ${revision} halted` };
  }
  if (released) {
    const failed = (status.failed ?? []).some((f) => f.tenant === tenant.metadata.name);
    const images = resolved(status.images, config);
    return { images, revision, state: 'Released', message: `revision ${revision}`, ...(failed ? { failed } : {}) };
  }
  const kept = held ?? stableRelease(channel, config);
  return {
    ...kept,
    state: 'Pending',
    message: `wave ${wave} is not released to revision ${revision} yet; running revision ${kept.revision}`,
  };
}

/** Reports whether two image sets are the same. */
function sameImages(a: TenantStatusReleaseImages | undefined, b: ResolvedImages): boolean {
  return a?.app === b.app && a?.postgres === b.postgres && a?.mariadb === b.mariadb;
}

/** Formats a time as status timestamps are written (RFC 3339, whole seconds). */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns the state and message of a released tenant from its readiness. */
function releasedState(target: ReleaseTarget, readiness: RolloutReadiness | undefined): Pick<TenantStatusRelease, 'state' | 'message'> {
  const seen = readiness?.message ?? 'the app and database were not observed in this pass';
  if (readiness?.ready) return { state: 'Ready', message: `revision ${target.revision} ready: ${seen}` };
  if (target.failed)
    return { state: 'Failed', message: `not Ready on revision ${target.revision} within the channel's readiness timeout: ${seen}` };
  return { state: 'Updating', message: `updating to revision ${target.revision}: ${seen}` };
}

/**
 * Returns the tenant's status.release from its target, the previous status.release and what the
 * pass saw of its workloads. updatedAt changes only when the images do; readySince is kept while
 * the tenant stays ready on the same images, set when it becomes ready, and dropped when it is not.
 */
export function releaseStatus(
  target: ReleaseTarget,
  previous: TenantStatusRelease | undefined,
  readiness: RolloutReadiness | undefined,
  now: Date,
): TenantStatusRelease {
  const unchanged = sameImages(previous?.images, target.images);
  const updatedAt = unchanged && previous?.updatedAt ? previous.updatedAt : timestamp(now);
  const ready = readiness?.ready === true;
  const readySince = ready ? (unchanged && previous?.readySince ? previous.readySince : timestamp(now)) : undefined;
  const { state, message } =
    target.state === 'Released' ? releasedState(target, readiness) : { state: target.state, message: target.message };
  return {
    channel: target.channel,
    revision: target.revision,
    images: { ...target.images },
    ...(target.wave !== undefined ? { wave: target.wave } : {}),
    state,
    updatedAt,
    ...(readySince ? { readySince } : {}),
    message,
  };
}
