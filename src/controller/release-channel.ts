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
import { DEFAULT_WAVES, waveIndexOf } from '../release/waves.js';

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

/** The channel as a tenant's target reads it, less the fields whose change concerns only some tenants. */
function wholeFleetView(c: ReleaseChannel): string {
  const {
    counts: _counts,
    message: _message,
    conditions: _conditions,
    observedGeneration: _generation,
    phase: _phase,
    releasedWaves: _released,
    waveName: _wave,
    waveStartedAt: _started,
    soakingSince: _soaking,
    nextWindow: _next,
    failed: _failed,
    rolledBack: _rolledBack,
    resumeToken: _token,
    ...status
  } = c.status ?? {};
  return canonicalJson({ spec: c.spec, status });
}

/** Names in exactly one of the two lists. */
function symmetricDifference(a: readonly string[], b: readonly string[]): string[] {
  const left = new Set(a);
  const right = new Set(b);
  return [...a.filter((n) => !right.has(n)), ...b.filter((n) => !left.has(n))];
}

/**
 * Returns the followers whose images or status.release a channel change can move, so that only
 * they are reconciled: every follower when the channel is new or its spec, revision, images or
 * stable revision changed; otherwise the tenants of the waves released (or withdrawn) by the change
 * and those entering or leaving the failed and rolled-back lists. Counts, message, conditions and
 * soak times change with every tenant that gets ready; at a thousand tenants, reconciling every
 * follower on each of those writes, or on each released wave, is passes that change nothing, and
 * they queue before the tenants whose wave was just released.
 */
export function followersToRequeue(before: ReleaseChannel | undefined, after: ReleaseChannel, followers: readonly Tenant[]): Tenant[] {
  if (!before || wholeFleetView(before) !== wholeFleetView(after)) return [...followers];
  const b = before.status ?? {};
  const a = after.status ?? {};
  const failedNames = (s: ReleaseChannelStatus) => (s.failed ?? []).map((f) => f.tenant ?? '');
  const named = new Set([
    ...symmetricDifference(b.rolledBack ?? [], a.rolledBack ?? []),
    ...symmetricDifference(failedNames(b), failedNames(a)),
  ]);
  const low = Math.min(b.releasedWaves ?? 0, a.releasedWaves ?? 0);
  const high = Math.max(b.releasedWaves ?? 0, a.releasedWaves ?? 0);
  if (named.size === 0 && low === high) return [];
  const channel = after.metadata.name ?? '';
  const waves = after.spec.rollout?.waves ?? DEFAULT_WAVES;
  return followers.filter((t) => {
    const name = t.metadata.name ?? '';
    if (named.has(name)) return true;
    if (low === high) return false;
    const wave = waveIndexOf(channel, { name, labels: t.metadata.labels ?? {} }, waves);
    return wave >= low && wave < high;
  });
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
