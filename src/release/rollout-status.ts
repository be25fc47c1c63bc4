// The status the rollout engine writes, derived from the rollout state and each tenant's standing:
// counts, the failed list, the one-sentence message, the Ready condition, when to look again and
// the two metric inputs. Fields are written in one fixed order and unset ones left out, so an
// unchanged situation gives a deep-equal status and the reconciler skips the write.
import type {
  ReleaseChannel,
  ReleaseChannelStatus,
  ReleaseChannelStatusConditionsItem,
  ReleaseChannelStatusCounts,
  ReleaseChannelStatusFailedItem,
} from '../api/generated/index.js';
import { formatRfc3339 } from '../lifecycle/timestamps.js';
import type { RolloutSettings, RolloutState } from './rollout.js';
import { isHealthy, ms, onRevision, type Member, type Standing } from './rollout-tenants.js';
import { RESUME_ANNOTATION, type ChannelEvaluation } from './types.js';

/** The CRD's bound on status.failed; counts.failed has the real number. */
export const FAILED_LISTED = 100;
/** The CRD's bound on a failed item's message. */
const FAILED_MESSAGE_MAX = 1024;
/** The longest the reconciler waits without a change before it looks again. */
export const MAX_REQUEUE_MS = 60 * 60 * 1000;

export type Outcome = Omit<ChannelEvaluation, 'events'>;

function countsOf(members: readonly Member[], standings: ReadonlyMap<string, Standing>, st: RolloutState, channel: string) {
  const rolledBack = new Set(st.rolledBack);
  const ctx = { channel, revision: st.revision };
  const c: Required<ReleaseChannelStatusCounts> = { total: 0, updated: 0, healthy: 0, failed: 0, pending: 0, pinned: 0, skipped: 0 };
  for (const m of members) {
    c.total++;
    if (m.facts.pinned) c.pinned++;
    else if (m.facts.inactive) c.skipped++;
    if (!m.eligible) continue;
    const on = onRevision(m, ctx);
    if (on) c.updated++;
    else if (!rolledBack.has(m.facts.name)) c.pending++;
    if (isHealthy(m, ctx)) c.healthy++;
    if (standings.get(m.facts.name)?.kind === 'failed') c.failed++;
  }
  return c;
}

function failedList(members: readonly Member[], standings: ReadonlyMap<string, Standing>, settings: RolloutSettings) {
  const out: ReleaseChannelStatusFailedItem[] = [];
  for (const m of members) {
    const s = standings.get(m.facts.name);
    if (s?.kind !== 'failed') continue;
    if (out.length === FAILED_LISTED) break;
    const message = m.facts.release?.message ?? (s.reason === 'NotReady' ? 'not Ready in time' : 'not updated in time');
    out.push({
      tenant: m.facts.name,
      wave: settings.waves[m.wave]?.name ?? '',
      reason: s.reason,
      message: message.slice(0, FAILED_MESSAGE_MAX),
    });
  }
  return out;
}

/** The eligible tenants of a wave, and how many of them are healthy and failed. */
function waveTally(members: readonly Member[], standings: ReadonlyMap<string, Standing>, wave: number) {
  const t = { size: 0, healthy: 0, failed: 0 };
  for (const m of members) {
    if (!m.eligible || m.wave !== wave) continue;
    t.size++;
    const kind = standings.get(m.facts.name)?.kind;
    if (kind === 'healthy') t.healthy++;
    if (kind === 'failed') t.failed++;
  }
  return t;
}

/** "1 tenant", "3 tenants". */
export function tenantsText(n: number): string {
  return `${n} ${n === 1 ? 'tenant' : 'tenants'}`;
}

function stableText(st: RolloutState): string {
  return st.stable?.revision !== undefined ? `revision ${st.stable.revision}` : "the operator's configured images";
}

function messageOf(
  members: readonly Member[],
  standings: ReadonlyMap<string, Standing>,
  st: RolloutState,
  settings: RolloutSettings,
  counts: Required<ReleaseChannelStatusCounts>,
): string {
  const eligible = counts.total - counts.pinned - counts.skipped;
  const progress = `${counts.updated}/${eligible} updated`;
  const r = `revision ${st.revision}`;
  const last = waveTally(members, standings, st.releasedWaves - 1);
  const wave = `wave ${st.waveName ?? ''} (${tenantsText(last.size)})`;
  const problem = settings.windowProblem === undefined ? '' : `; ${settings.windowProblem.message}`;
  switch (st.phase) {
    case 'Complete':
      return `${r} complete: ${progress}, ${counts.healthy} healthy, ${counts.failed} failed${problem}`;
    case 'Halted': {
      const back = st.rolledBack;
      return (
        `${r} halted: ${tenantsText(back.length)} of ${wave} failed beyond the failure budget of ${settings.budget} and went back to ` +
        `${stableText(st)}: ${listNames(back)}; set the annotation ${RESUME_ANNOTATION} to a new value or publish a new revision to go on${problem}`
      );
    }
    case 'Waiting': {
      const next = `wave ${settings.waves[st.releasedWaves]?.name ?? ''}`;
      if (settings.windowProblem !== undefined) return `${r}: ${next} waits: ${settings.windowProblem.message}; ${progress}`;
      const when = st.nextWindow === undefined ? 'no maintenance window opens again' : `the maintenance window opening at ${st.nextWindow}`;
      return `${r}: ${next} waits for ${when}; ${progress}`;
    }
    default: {
      if (st.releasedWaves === 0) return `${r}: no wave released yet; ${progress}${problem}`;
      const doing =
        st.soakingSince !== undefined
          ? `soaking until ${formatRfc3339(new Date((ms(st.soakingSince) ?? 0) + settings.soakMs))}`
          : `updating (${last.healthy} healthy, ${last.failed} failed)`;
      return `${r}: ${wave} ${doing}; ${progress}${problem}`;
    }
  }
}

/** The first `shown` names, then "and N more". */
export function listNames(names: readonly string[], shown = 20): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

function readyCondition(
  channel: ReleaseChannel,
  st: RolloutState,
  settings: RolloutSettings,
  message: string,
  nowText: string,
): ReleaseChannelStatusConditionsItem {
  const complete = st.phase === 'Complete';
  const invalid = settings.windowProblem !== undefined && (st.phase === 'Progressing' || st.phase === 'Waiting');
  const byPhase = { Complete: 'RolloutComplete', Progressing: 'Progressing', Waiting: 'WaitingForWindow', Halted: 'Halted' } as const;
  const status = complete ? 'True' : 'False';
  const before = channel.status?.conditions?.find((c) => c.type === 'Ready');
  const generation = channel.metadata.generation;
  return {
    type: 'Ready',
    status,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : nowText,
    reason: invalid ? 'InvalidWindow' : byPhase[st.phase],
    message,
  };
}

/** Milliseconds until the next instant the outcome can change without any input changing. */
function requeueOf(standings: ReadonlyMap<string, Standing>, st: RolloutState, settings: RolloutSettings, now: Date): number | undefined {
  const points: number[] = [];
  for (const s of standings.values()) if (s.kind === 'updating') points.push(s.deadlineMs);
  const soak = ms(st.soakingSince);
  if (st.phase === 'Progressing' && soak !== undefined) points.push(soak + settings.soakMs);
  const next = ms(st.nextWindow);
  if (st.phase === 'Waiting' && next !== undefined) points.push(next);
  const ahead = points.map((t) => t - now.getTime()).filter((d) => d > 0);
  if (ahead.length === 0) return st.phase === 'Complete' || st.phase === 'Halted' ? undefined : MAX_REQUEUE_MS;
  return Math.min(MAX_REQUEUE_MS, ...ahead);
}

/** The whole status (fixed field order), the requeue delay and the metric inputs. */
export function composeStatus(
  channel: ReleaseChannel,
  members: readonly Member[],
  standings: ReadonlyMap<string, Standing>,
  st: RolloutState,
  settings: RolloutSettings,
  now: Date,
): Outcome {
  const name = channel.metadata.name ?? '';
  const counts = countsOf(members, standings, st, name);
  const message = messageOf(members, standings, st, settings, counts);
  const generation = channel.metadata.generation;
  const status: ReleaseChannelStatus = {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    revision: st.revision,
    revisionSince: st.revisionSince,
    imagesHash: st.imagesHash,
    images: st.images,
    security: st.security,
    ...(st.stable === undefined ? {} : { stable: st.stable }),
    phase: st.phase,
    releasedWaves: st.releasedWaves,
    ...(st.waveName === undefined ? {} : { waveName: st.waveName }),
    ...(st.waveStartedAt === undefined ? {} : { waveStartedAt: st.waveStartedAt }),
    ...(st.soakingSince === undefined ? {} : { soakingSince: st.soakingSince }),
    ...(st.nextWindow === undefined ? {} : { nextWindow: st.nextWindow }),
    counts,
    failed: failedList(members, standings, settings),
    rolledBack: st.rolledBack,
    ...(st.resumeToken === undefined ? {} : { resumeToken: st.resumeToken }),
    message,
    conditions: [readyCondition(channel, st, settings, message, formatRfc3339(now))],
  };
  const outdated = members.filter((m) => m.eligible && !isHealthy(m, { channel: name, revision: st.revision })).length;
  const since = ms(st.revisionSince) ?? now.getTime();
  const securityPatchAgeSeconds = st.security && outdated > 0 ? Math.max(0, (now.getTime() - since) / 1000) : 0;
  const requeueAfterMs = requeueOf(standings, st, settings, now);
  return { status, ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }), outdated, securityPatchAgeSeconds };
}
