// reconcileReleaseChannel(name): one evaluation of a ReleaseChannel (P12) on the operator's caches.
// What the status says is decided by the pure engine (src/release/); this module feeds it the cached
// tenants that follow the channel, writes the status when it changed, announces every transition (an
// Event on the channel and an audit log line), sets the release metrics and says when to look again.
// It never writes a Tenant: each tenant's reconciler reads the channel's status and follows it.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ReleaseChannel, ReleaseChannelStatus, Tenant } from '../api/generated/index.js';
import { getLogger } from '../log.js';
import { evaluateChannel } from '../release/rollout.js';
import { followedChannel, releaseFacts, type EvaluateChannel, type ReleaseEvent, type ReleaseTenantFacts } from '../release/types.js';
import { canonicalJson } from './diff.js';
import { MAX_TIMER_MS } from './lifecycle-step.js';
import { forgetReleaseMetrics, recordReleaseMetrics } from './release-metrics.js';

/** How often the age of an unfinished security revision is refreshed at least. */
export const SECURITY_AGE_REFRESH_MS = 60_000;

/** The caches a channel evaluation reads. */
export interface ReleaseChannelView {
  releaseChannel(name: string): ReleaseChannel | undefined;
  tenants(): Tenant[];
}

/** The writes a channel evaluation makes. */
export interface ReleaseChannelWriter {
  patchReleaseChannelStatus(name: string, status: ReleaseChannelStatus): Promise<void>;
  objectEvent(o: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** Everything a channel evaluation needs; `now` is injected so tests control time. */
export interface ReleaseChannelDeps {
  view: ReleaseChannelView;
  writer: ReleaseChannelWriter;
  now: () => Date;
  /** The rollout engine; the default is src/release/rollout.ts's (tests pass their own). */
  evaluate?: EvaluateChannel;
  /** The operator's default channel (config release.defaultChannel): followed by tenants that name none. */
  defaultChannel?: string;
}

/** What one evaluation did, and when to look at the channel again even if nothing changes. */
export interface ReleaseChannelResult {
  requeueAfterMs?: number;
  writes: number;
  /** The channel is gone: nothing was evaluated. */
  deleted?: boolean;
}

/** Returns what the engine needs to know of every cached tenant that follows the channel. */
export function followersOf(channel: string, tenants: readonly Tenant[], defaultChannel: string | undefined): ReleaseTenantFacts[] {
  return tenants.filter((t) => followedChannel(t, defaultChannel) === channel).map(releaseFacts);
}

/**
 * The status as a change is judged: conditions without lastTransitionTime, which a condition that
 * flips and flips back between two reads would otherwise rewrite with nothing else changed.
 */
function comparable(s: ReleaseChannelStatus | undefined): string {
  if (!s) return canonicalJson({});
  const conditions = s.conditions?.map(({ lastTransitionTime: _t, ...rest }) => rest);
  return canonicalJson({ ...s, conditions });
}

/** Reports whether the evaluated status differs from the stored one by more than transition times. */
export function releaseStatusChanged(before: ReleaseChannelStatus | undefined, after: ReleaseChannelStatus): boolean {
  return comparable(before) !== comparable(after);
}

/**
 * Reports whether a channel changed in what its tenants read (spec, revision, images, released
 * waves, stable, failed and rolled-back tenants), so that they are reconciled. The counts, message
 * and conditions change with every tenant that gets ready; at a thousand tenants, enqueueing them
 * all on each of those writes would be a million passes that change nothing.
 */
export function changedForTenants(before: ReleaseChannel | undefined, after: ReleaseChannel): boolean {
  if (!before) return true;
  const seen = (c: ReleaseChannel) => {
    const { counts: _c, message: _m, conditions: _k, observedGeneration: _g, ...status } = c.status ?? {};
    return canonicalJson({ spec: c.spec, status });
  };
  return seen(before) !== seen(after);
}

/** Evaluates one ReleaseChannel by name and writes its status when it changed. */
export async function reconcileReleaseChannel(name: string, deps: ReleaseChannelDeps): Promise<ReleaseChannelResult> {
  const channel = deps.view.releaseChannel(name);
  if (!channel) {
    forgetReleaseMetrics(name);
    return { writes: 0, deleted: true };
  }
  const evaluate = deps.evaluate ?? evaluateChannel;
  const evaluation = evaluate(channel, followersOf(name, deps.view.tenants(), deps.defaultChannel), deps.now());
  let writes = 0;
  // Events are announced with the write that records their transition: an evaluation that changes
  // nothing has nothing to announce, and a failed write is retried (and announced) as a whole.
  if (releaseStatusChanged(channel.status, evaluation.status)) {
    await deps.writer.patchReleaseChannelStatus(name, evaluation.status);
    writes++;
    await announce(channel, evaluation.status, evaluation.events, deps);
  }
  recordReleaseMetrics(name, evaluation, evaluation.status);
  const requeueAfterMs = requeueOf(evaluation.requeueAfterMs, evaluation.securityPatchAgeSeconds);
  return requeueAfterMs === undefined ? { writes } : { writes, requeueAfterMs };
}

/**
 * When to evaluate again: the engine's next deadline, and at least each minute while a security
 * revision is not everywhere, so that its age (the alert's metric) keeps growing when nothing else
 * happens, e.g. a Halted rollout or a tenant failed for good.
 */
function requeueOf(engineMs: number | undefined, securityPatchAgeSeconds: number): number | undefined {
  const candidates = [engineMs, securityPatchAgeSeconds > 0 ? SECURITY_AGE_REFRESH_MS : undefined].filter((n) => n !== undefined);
  return candidates.length === 0 ? undefined : Math.min(MAX_TIMER_MS, ...candidates);
}

/**
 * Announces the transitions of one evaluation: one audit log line and one Event on the channel each.
 * The log line is the audit record: who changed the channel's spec is in the API server's audit log,
 * what the operator did about it (released a wave, halted, rolled tenants back) is here.
 */
async function announce(
  channel: ReleaseChannel,
  status: ReleaseChannelStatus,
  events: ReleaseEvent[],
  deps: ReleaseChannelDeps,
): Promise<void> {
  const name = channel.metadata.name ?? '';
  const log = getLogger();
  for (const e of events) {
    // `detail`, not `message`: the logger would append a `message` field to the line's own message.
    const fields = {
      audit: true,
      channel: name,
      uid: channel.metadata.uid,
      revision: status.revision,
      reason: e.reason,
      detail: e.message,
    };
    if (e.type === 'Warning') log.warn('release audit', fields);
    else log.info('release audit', fields);
    await eventBestEffort(channel, e, deps);
  }
}

/**
 * Records an Event on the channel. A failure is only logged: the status is written and the audit
 * line kept, so the pass must not be retried for it.
 */
async function eventBestEffort(channel: ReleaseChannel, e: ReleaseEvent, deps: ReleaseChannelDeps): Promise<void> {
  try {
    await deps.writer.objectEvent(channel, e.type, e.reason, e.message.slice(0, 1024));
  } catch (err) {
    getLogger().warn('could not record an Event on a release channel', {
      channel: channel.metadata.name,
      reason: e.reason,
      err: err instanceof Error ? err.message : String(err),
    });
  }
}
