// The pure rollout engine of a ReleaseChannel (P12): the channel, the tenants that follow it and an
// instant → the status to write, the Events to emit and when to look again. No clock and no I/O,
// so the same inputs give the same status, and re-evaluating an unchanged situation gives the
// identical status (no write): clock values move only on a transition.
//
// A new revision (spec.images or spec.security changed) starts at wave 0. The last released wave
// must be done (each eligible tenant healthy or failed, failures within the budget) and soaked
// before the next starts, inside a maintenance window unless it is a security release. Failures
// beyond the budget halt the rollout and send exactly that wave's failed tenants back to the
// stable revision until a new revision or a resume.
import type {
  ReleaseChannel,
  ReleaseChannelSpecRolloutMaintenanceWindowsItem,
  ReleaseChannelSpecRolloutWavesItem,
  ReleaseChannelStatus,
  ReleaseChannelStatusPhase,
  ReleaseChannelStatusStable,
} from '../api/generated/index.js';
import { formatRfc3339 } from '../lifecycle/timestamps.js';
import { imagesHash, revisionImages } from './revision.js';
import { composeStatus, listNames, tenantsText, type Outcome } from './rollout-status.js';
import { ms, standingOf, timestampText, type Member, type Standing, type StandingContext } from './rollout-tenants.js';
import { RESUME_ANNOTATION, type ChannelEvaluation, type EvaluateChannel, type ReleaseEvent, type ReleaseTenantFacts } from './types.js';
import { DEFAULT_WAVES, waveIndexOf } from './waves.js';
import { nextWindowOpening, validateWindows, windowOpenAt, type WindowProblem } from './windows.js';

/** CRD defaults, for a channel the API server did not default (a unit test, an old object). */
export const DEFAULT_SOAK_SECONDS = 600;
export const DEFAULT_READINESS_TIMEOUT_SECONDS = 900;
export const DEFAULT_FAILURE_BUDGET = 0;
/** status.resumeToken's maxLength: a longer annotation value is compared and stored cut to it. */
const RESUME_TOKEN_MAX = 256;

/** spec.rollout with its defaults applied. */
export interface RolloutSettings {
  waves: readonly ReleaseChannelSpecRolloutWavesItem[];
  soakMs: number;
  timeoutMs: number;
  budget: number;
  windows: readonly ReleaseChannelSpecRolloutMaintenanceWindowsItem[];
  security: boolean;
  /** A refused window (ignored for a security release): no wave starts until it is fixed. */
  windowProblem: WindowProblem | undefined;
}

/** The rollout fields the engine moves; the rest of the status is derived from them and the tenants. */
export interface RolloutState {
  revision: number;
  revisionSince: string;
  imagesHash: string;
  images: NonNullable<ReleaseChannelStatus['images']>;
  security: boolean;
  stable: ReleaseChannelStatusStable | undefined;
  phase: ReleaseChannelStatusPhase;
  releasedWaves: number;
  waveName: string | undefined;
  waveStartedAt: string | undefined;
  soakingSince: string | undefined;
  nextWindow: string | undefined;
  rolledBack: string[];
  resumeToken: string | undefined;
  /** Tenants listed in status.failed for this revision: they stay failed until healthy. */
  listedFailed: Set<string>;
}

function settingsOf(channel: ReleaseChannel): RolloutSettings {
  const r = channel.spec.rollout ?? {};
  const security = channel.spec.security ?? false;
  const windows = r.maintenanceWindows ?? [];
  return {
    waves: r.waves !== undefined && r.waves.length > 0 ? r.waves : DEFAULT_WAVES,
    soakMs: (r.soakSeconds ?? DEFAULT_SOAK_SECONDS) * 1000,
    timeoutMs: (r.readinessTimeoutSeconds ?? DEFAULT_READINESS_TIMEOUT_SECONDS) * 1000,
    budget: r.failureBudget ?? DEFAULT_FAILURE_BUDGET,
    windows,
    security,
    windowProblem: security ? undefined : validateWindows(windows),
  };
}

/** The state stored in the status, or a new revision when spec.images/spec.security changed (or there is none). */
function startingState(channel: ReleaseChannel, now: string, events: ReleaseEvent[]): RolloutState {
  const prev = channel.status ?? {};
  const hash = imagesHash(channel.spec);
  if (prev.revision !== undefined && prev.imagesHash === hash) {
    return {
      revision: prev.revision,
      revisionSince: timestampText(prev.revisionSince) ?? now,
      imagesHash: hash,
      images: prev.images ?? revisionImages(channel.spec),
      security: prev.security ?? channel.spec.security ?? false,
      stable: prev.stable,
      phase: prev.phase ?? 'Progressing',
      releasedWaves: prev.releasedWaves ?? 0,
      waveName: prev.waveName,
      waveStartedAt: timestampText(prev.waveStartedAt),
      soakingSince: timestampText(prev.soakingSince),
      nextWindow: timestampText(prev.nextWindow),
      rolledBack: [...(prev.rolledBack ?? [])],
      resumeToken: prev.resumeToken,
      listedFailed: new Set((prev.failed ?? []).map((f) => f.tenant ?? '')),
    };
  }
  const revision = (prev.revision ?? 0) + 1;
  const security = channel.spec.security ?? false;
  const images = revisionImages(channel.spec);
  events.push({
    type: 'Normal',
    reason: 'RolloutStarted',
    message: `revision ${revision} started: app ${images.app}${security ? ' (security release: maintenance windows ignored)' : ''}`,
  });
  return {
    revision,
    revisionSince: now,
    imagesHash: hash,
    images,
    security,
    stable: prev.stable,
    phase: 'Progressing',
    releasedWaves: 0,
    waveName: undefined,
    waveStartedAt: undefined,
    soakingSince: undefined,
    nextWindow: undefined,
    rolledBack: [],
    resumeToken: prev.resumeToken,
    listedFailed: new Set(),
  };
}

/** Evaluation-wide inputs the steps share. */
interface Run {
  channel: string;
  settings: RolloutSettings;
  members: Member[];
  now: Date;
  nowText: string;
  events: ReleaseEvent[];
}

function context(run: Run, st: RolloutState): StandingContext {
  return {
    channel: run.channel,
    revision: st.revision,
    releasedWaves: st.releasedWaves,
    waveStartedMs: ms(st.waveStartedAt),
    timeoutMs: run.settings.timeoutMs,
    listedFailed: st.listedFailed,
    nowMs: run.now.getTime(),
  };
}

/** A resume annotation not acted on yet: resumes a Halted rollout, is only recorded otherwise. */
function applyResume(channel: ReleaseChannel, run: Run, st: RolloutState): void {
  const value = channel.metadata.annotations?.[RESUME_ANNOTATION]?.slice(0, RESUME_TOKEN_MAX);
  if (value === undefined || value === st.resumeToken) return;
  st.resumeToken = value;
  if (st.phase !== 'Halted') return;
  const last = st.releasedWaves - 1;
  const waveOf = new Map(run.members.map((m) => [m.facts.name, m.wave]));
  // Only the last wave's rolled-back tenants get the revision again; a name no tenant has any more
  // is dropped too, it has nothing to roll back.
  const resumed = st.rolledBack.filter((name) => (waveOf.get(name) ?? last) === last);
  const gone = new Set(resumed);
  st.rolledBack = st.rolledBack.filter((name) => !gone.has(name));
  for (const name of resumed) st.listedFailed.delete(name);
  st.waveStartedAt = run.nowText;
  st.soakingSince = undefined;
  st.phase = 'Progressing';
  run.events.push({
    type: 'Normal',
    reason: 'RolloutResumed',
    message: `revision ${st.revision} resumed by ${RESUME_ANNOTATION}=${value}: wave ${st.waveName ?? ''} again, ${resumed.length} rolled-back tenants get the revision`,
  });
}

/** The eligible tenants of a wave and how many of them are settled (healthy or failed). */
interface WaveTally {
  eligible: number;
  settled: number;
  failed: string[];
}

function tally(run: Run, st: RolloutState, wave: number): WaveTally {
  const ctx = context(run, st);
  const t: WaveTally = { eligible: 0, settled: 0, failed: [] };
  for (const m of run.members) {
    if (m.wave !== wave || !m.eligible) continue;
    t.eligible++;
    const s = standingOf(m, ctx);
    if (s.kind === 'healthy' || s.kind === 'failed') t.settled++;
    if (s.kind === 'failed') t.failed.push(m.facts.name);
  }
  t.failed.sort();
  return t;
}

/** Adds names to status.rolledBack, kept sorted and without duplicates. */
function rollBack(st: RolloutState, names: readonly string[]): void {
  st.rolledBack = [...new Set([...st.rolledBack, ...names])].sort();
}

function halt(run: Run, st: RolloutState, failed: readonly string[]): void {
  rollBack(st, failed);
  st.phase = 'Halted';
  st.soakingSince = undefined;
  run.events.push({
    type: 'Warning',
    reason: 'RolloutHalted',
    message: `revision ${st.revision} halted: ${tenantsText(failed.length)} of wave ${st.waveName ?? ''} failed (budget ${run.settings.budget}): ${listNames(failed)}`,
  });
}

/** Whether the last released wave is done and soaked; sets or clears soakingSince; halts beyond the budget. */
function lastWaveSoaked(run: Run, st: RolloutState): boolean {
  if (st.releasedWaves === 0) return true;
  const t = tally(run, st, st.releasedWaves - 1);
  if (t.failed.length > run.settings.budget) {
    halt(run, st, t.failed);
    return false;
  }
  if (t.eligible === 0) {
    // Nobody to wait for: done at once, nothing to soak.
    st.soakingSince = undefined;
    return true;
  }
  if (t.settled < t.eligible) {
    st.soakingSince = undefined;
    return false;
  }
  st.soakingSince ??= run.nowText;
  const since = ms(st.soakingSince) ?? run.now.getTime();
  return run.now.getTime() - since >= run.settings.soakMs;
}

function windowAllows(run: Run): boolean {
  const s = run.settings;
  if (s.security || s.windows.length === 0) return true;
  return s.windowProblem === undefined && windowOpenAt(s.windows, run.now);
}

function wait(run: Run, st: RolloutState, wasWaiting: boolean): void {
  const s = run.settings;
  const next = s.windowProblem === undefined ? nextWindowOpening(s.windows, run.now) : undefined;
  st.phase = 'Waiting';
  st.nextWindow = next === undefined ? undefined : formatRfc3339(next);
  if (wasWaiting) return;
  const wave = s.waves[st.releasedWaves]?.name ?? '';
  const why =
    s.windowProblem?.message ?? (next === undefined ? 'no maintenance window opens again' : `next window opens at ${st.nextWindow}`);
  run.events.push({ type: 'Normal', reason: 'RolloutWaiting', message: `revision ${st.revision}: wave ${wave} waits: ${why}` });
}

function release(run: Run, st: RolloutState): void {
  const wave = run.settings.waves[st.releasedWaves];
  const count = run.members.filter((m) => m.eligible && m.wave === st.releasedWaves).length;
  st.releasedWaves++;
  st.waveName = wave?.name;
  st.waveStartedAt = run.nowText;
  st.soakingSince = undefined;
  st.nextWindow = undefined;
  st.phase = 'Progressing';
  run.events.push({
    type: 'Normal',
    reason: 'WaveReleased',
    message: `wave ${wave?.name ?? ''} (${tenantsText(count)}) released to revision ${st.revision}`,
  });
}

function complete(run: Run, st: RolloutState): void {
  st.phase = 'Complete';
  st.nextWindow = undefined;
  st.stable = { revision: st.revision, images: { ...st.images } };
  run.events.push({
    type: 'Normal',
    reason: 'RolloutComplete',
    message: `revision ${st.revision} complete on all ${run.settings.waves.length} waves`,
  });
}

/** Moves the rollout as far as it can go at this instant: several empty waves may pass in one evaluation. */
function advance(run: Run, st: RolloutState): void {
  const wasWaiting = st.phase === 'Waiting';
  for (;;) {
    if (!lastWaveSoaked(run, st)) {
      if (st.phase !== 'Halted') st.phase = 'Progressing';
      st.nextWindow = undefined;
      return;
    }
    if (st.releasedWaves >= run.settings.waves.length) return complete(run, st);
    if (!windowAllows(run)) return wait(run, st, wasWaiting);
    release(run, st);
  }
}

/** While Halted, a tenant of the halted wave that fails later goes back to the stable revision too. */
function rollBackLateFailures(run: Run, st: RolloutState): void {
  const t = tally(run, st, st.releasedWaves - 1);
  const back = new Set(st.rolledBack);
  const late = t.failed.filter((name) => !back.has(name));
  if (late.length > 0) rollBack(st, late);
}

function membersOf(channel: string, tenants: readonly ReleaseTenantFacts[], waves: RolloutSettings['waves']): Member[] {
  return [...tenants]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((facts) => ({ facts, wave: waveIndexOf(channel, facts, waves), eligible: !facts.pinned && !facts.inactive }));
}

/** Failed events for tenants not listed before, in name order. */
function failureEvents(run: Run, st: RolloutState, standings: ReadonlyMap<string, Standing>): void {
  for (const m of run.members) {
    const s = standings.get(m.facts.name);
    if (s?.kind !== 'failed' || st.listedFailed.has(m.facts.name)) continue;
    const why = s.reason === 'NotReady' ? 'not Ready' : 'not updated';
    const detail = m.facts.release?.message ? `: ${m.facts.release.message}` : '';
    run.events.push({
      type: 'Warning',
      reason: 'TenantFailed',
      message: `tenant ${m.facts.name} ${why} on revision ${st.revision} within ${run.settings.timeoutMs / 1000}s${detail}`,
    });
  }
}

/** Evaluates a channel at `now`; see the header and the design's "Channel status semantics". */
export const evaluateChannel: EvaluateChannel = (channel, tenants, now): ChannelEvaluation => {
  const nowText = formatRfc3339(now);
  const events: ReleaseEvent[] = [];
  const settings = settingsOf(channel);
  const name = channel.metadata.name ?? '';
  const run: Run = { channel: name, settings, members: membersOf(name, tenants, settings.waves), now, nowText, events };
  const st = startingState(channel, nowText, events);
  // Waves removed from the spec mid-rollout: the released ones are all there are.
  st.releasedWaves = Math.min(st.releasedWaves, settings.waves.length);
  applyResume(channel, run, st);
  if (st.phase === 'Halted') rollBackLateFailures(run, st);
  else if (st.phase !== 'Complete') advance(run, st);
  const ctx = context(run, st);
  const standings = new Map(run.members.map((m) => [m.facts.name, standingOf(m, ctx)]));
  failureEvents(run, st, standings);
  const outcome: Outcome = composeStatus(channel, run.members, standings, st, settings, now);
  return { ...outcome, events };
};
