// How the channel engine sees each tenant at one instant: its wave, whether it is eligible, on the
// current revision, healthy, failed, and when it would fail. Pure: the engine passes the state.
import { formatRfc3339, toInstant, type TimestampInput } from '../lifecycle/timestamps.js';
import type { ReleaseTenantFacts } from './types.js';

/** A tenant with its wave index, fixed for one evaluation. */
export interface Member {
  facts: ReleaseTenantFacts;
  wave: number;
  /** Follows the channel (every member does), not pinned, not inactive. */
  eligible: boolean;
}

/** The part of the rollout state a tenant's standing depends on. */
export interface StandingContext {
  channel: string;
  revision: number;
  releasedWaves: number;
  /** status.waveStartedAt in ms; undefined before the first wave. */
  waveStartedMs: number | undefined;
  timeoutMs: number;
  /** Tenants listed in status.failed for the current revision: failed until healthy. */
  listedFailed: ReadonlySet<string>;
  nowMs: number;
}

/** Where an eligible released tenant stands; `deadlineMs` is when an updating one fails. */
export type Standing =
  | { kind: 'ineligible' | 'unreleased' | 'healthy' }
  | { kind: 'updating'; deadlineMs: number }
  | { kind: 'failed'; reason: 'NotReady' | 'NotUpdated' };

/** Whether the tenant runs the channel's current revision, by its status.release. */
export function onRevision(m: Member, ctx: Pick<StandingContext, 'channel' | 'revision'>): boolean {
  const r = m.facts.release;
  return r?.channel === ctx.channel && r.revision === ctx.revision;
}

/** On the revision, Ready, with a readySince. */
export function isHealthy(m: Member, ctx: Pick<StandingContext, 'channel' | 'revision'>): boolean {
  const r = m.facts.release;
  return onRevision(m, ctx) && r?.state === 'Ready' && r.readySince !== undefined && r.readySince !== '';
}

/**
 * A wire timestamp in ms, or undefined when absent or unreadable. The types say string; a client
 * that converted date-time fields to Date objects is read the same way.
 */
export function ms(value: string | undefined): number | undefined {
  return value === undefined ? undefined : (toInstant(value as TimestampInput)?.getTime() ?? undefined);
}

/** A wire timestamp as the RFC 3339 text the status stores (a Date is formatted), or undefined. */
export function timestampText(value: string | undefined): string | undefined {
  const t = ms(value);
  return t === undefined ? undefined : formatRfc3339(new Date(t));
}

/**
 * The standing of one tenant. A released tenant that is not healthy fails once the readiness
 * timeout passed since it was given the revision (its updatedAt) or, not updated yet, since its
 * wave started; one listed as failed stays failed until it is healthy.
 */
export function standingOf(m: Member, ctx: StandingContext): Standing {
  if (!m.eligible) return { kind: 'ineligible' };
  if (m.wave >= ctx.releasedWaves) return { kind: 'unreleased' };
  if (isHealthy(m, ctx)) return { kind: 'healthy' };
  const updated = onRevision(m, ctx);
  const reason = updated ? 'NotReady' : 'NotUpdated';
  if (ctx.listedFailed.has(m.facts.name)) return { kind: 'failed', reason };
  // A missing or unreadable updatedAt counts from the wave start; without that either, from now
  // (the deadline is then re-armed each pass, so such a tenant waits instead of failing at random).
  const startMs = (updated ? ms(m.facts.release?.updatedAt) : undefined) ?? ctx.waveStartedMs ?? ctx.nowMs;
  const deadlineMs = startMs + ctx.timeoutMs;
  return ctx.nowMs >= deadlineMs ? { kind: 'failed', reason } : { kind: 'updating', deadlineMs };
}
