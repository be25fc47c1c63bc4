// Leader election on a coordination.k8s.io/v1 Lease, so only one replica reconciles at a time.
// Written by hand after client-go's leaderelection package: read the Lease, take it when it is
// free or expired, renew it every retryPeriod, and give up leadership when no renewal succeeded
// for renewDeadline — which is shorter than the lease duration, so a replica stops working
// before any other replica can consider the lease expired. Writes carry the resourceVersion that
// was read, so of two replicas racing for the Lease exactly one wins and the other gets a 409.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { getLogger, type Logger } from '../log.js';
import { leaderGauge } from '../metrics.js';
import { isConflict, isNotFound } from './api-errors.js';
import { realClock, type Clock, type Timer } from './clock.js';

/** Options of a LeaderElector. */
export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the Lease (the operator's own). */
  namespace: string;
  /** Name of the Lease, e.g. "tenantry-leader". */
  name: string;
  /** This replica's identity (its pod name); written to `holderIdentity`. */
  identity: string;
  /** How long a Lease stays valid after its last renewal. Default 15. */
  leaseDurationSeconds?: number;
  /** A leader that could not renew for this long stops leading. Default 10 000; must be below the lease duration. */
  renewDeadlineMs?: number;
  /** Interval of acquire and renew attempts. Default 2 000; must be below renewDeadlineMs. */
  retryPeriodMs?: number;
  /** Called once when this replica becomes the leader. */
  onStartedLeading?: () => void;
  /** Called once when this replica loses leadership involuntarily; the process should stop working. */
  onStoppedLeading?: () => void;
  clock?: Clock;
  random?: () => number;
}

/** Electors of this process that currently lead; an operator runs one, tests may run several. */
const leadingElectors = new Set<LeaderElector>();

/** Tells whether an elector in this process currently holds its Lease. */
export function isLeader(): boolean {
  for (const e of leadingElectors) if (e.isLeader()) return true;
  return false;
}

function updateLeaderGauge(): void {
  leaderGauge.set(leadingElectors.size > 0 ? 1 : 0);
}

/**
 * Returns a Lease timestamp. The API server parses MicroTime with exactly six fractional digits
 * and rejects a plain Date's three ("…:05.123Z" is a 400); V1MicroTime serialises as "…:05.123000Z".
 */
export function microTime(ms: number): V1MicroTime {
  return new V1MicroTime(ms);
}

/** Returns the milliseconds of a Lease timestamp; read back from the API it is a string despite its type. */
export function microTimeMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Elects one leader among replicas through a Lease; see the file comment for the protocol. */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;

  private state: 'new' | 'running' | 'stopped' = 'new';
  private leading = false;
  /** The renewTime of our last successful write (our clock): the renew deadline counts from it. */
  private lastRenewAt = 0;
  /** The Lease record last seen and when it was first seen (our clock), for the expiry check. */
  private observed: { holder: string; renewTime: string; seenAt: number } | undefined;
  private tickTimer: Timer | undefined;
  private deadlineTimer: Timer | undefined;
  private attempt: Promise<void> | undefined;
  private readonly startWaiters: ((leading: boolean) => void)[] = [];

  /** Creates an elector; nothing happens until start(). */
  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!Number.isInteger(this.leaseDurationSeconds) || this.leaseDurationSeconds < 1) {
      throw new Error(`leader election: leaseDurationSeconds must be a positive integer (got ${this.leaseDurationSeconds})`);
    }
    if (!(this.renewDeadlineMs < this.leaseDurationSeconds * 1000)) {
      throw new Error('leader election: renewDeadlineMs must be shorter than the lease duration, or two replicas could lead at once');
    }
    if (!(this.retryPeriodMs > 0 && this.retryPeriodMs * 1.2 < this.renewDeadlineMs)) {
      throw new Error('leader election: retryPeriodMs (plus 20% jitter) must be shorter than renewDeadlineMs');
    }
    if (!options.identity) throw new Error('leader election: identity must not be empty');
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  /** The process-wide logger (looked up on use, so setLogger() applies), with this Lease and identity. */
  private get log(): Logger {
    const { namespace, name, identity } = this.options;
    return getLogger().child({ component: 'leader', lease: `${namespace}/${name}`, identity });
  }

  /** Starts campaigning; resolves true once this replica leads, false if it is stopped first. */
  start(): Promise<boolean> {
    if (this.state !== 'new') throw new Error('leader election: start() may be called once');
    this.state = 'running';
    const started = new Promise<boolean>((resolve) => this.startWaiters.push(resolve));
    this.tick();
    return started;
  }

  /** Tells whether this elector leads and its last renewal is within the renew deadline. */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  /** The holder of the Lease as last seen ("" when released), if it was read yet. */
  get observedHolder(): string | undefined {
    return this.observed?.holder;
  }

  /** Stops campaigning and renewing without touching the Lease (it expires on its own). */
  async stop(): Promise<void> {
    if (this.state !== 'stopped') {
      this.state = 'stopped';
      this.tickTimer?.cancel();
      this.deadlineTimer?.cancel();
      this.setLeading(false);
      for (const resolve of this.startWaiters.splice(0)) resolve(false);
    }
    // No write of ours may land after stop() returns.
    await this.attempt;
  }

  /** Stops and, if this replica holds the Lease, hands it over at once (empty holder, expired). */
  async release(): Promise<void> {
    await this.stop();
    const { name, namespace } = this.options;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    // Only the holder releases; an attempt that was in flight during stop() may have acquired it.
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    const now = this.clock.now();
    const spec: V1LeaseSpec = {
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: lease.spec.leaseTransitions ?? 0,
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: this.leaseWithSpec(lease, spec) });
      this.log.info('released the leader lease');
    } catch (err) {
      // A conflict means another replica wrote the Lease meanwhile: it is no longer ours to release.
      if (!isConflict(err)) throw err;
    }
  }

  /** Starts an attempt unless one is still running, and schedules the next tick. */
  private tick(): void {
    this.tickTimer = undefined;
    if (this.state !== 'running') return;
    if (!this.attempt) {
      this.attempt = this.tryAcquireOrRenew()
        .then(
          (held) => this.afterAttempt(held),
          (err: unknown) => {
            // The renew deadline, not a single failed request, decides when leadership ends.
            this.log.warn(this.leading ? 'renewing the lease failed' : 'acquiring the lease failed', { err });
          },
        )
        .finally(() => (this.attempt = undefined));
    }
    // Followers jitter their attempts (as client-go does) so replicas do not hit the API in step.
    const delay = this.leading ? this.retryPeriodMs : this.retryPeriodMs * (1 + 0.2 * this.random());
    this.tickTimer = this.clock.setTimer(() => this.tick(), delay);
  }

  private afterAttempt(held: boolean): void {
    if (this.state !== 'running') return;
    if (held) {
      if (!this.leading) {
        this.setLeading(true);
        this.log.info('became the leader');
        for (const resolve of this.startWaiters.splice(0)) resolve(true);
        this.callback(this.options.onStartedLeading, 'onStartedLeading');
      }
      this.armDeadline();
    } else if (this.leading) {
      this.loseLeadership('another replica holds the lease');
    }
  }

  /** Reads the Lease and creates, takes over or renews it; resolves whether this replica holds it now. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.options;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.create();
    }
    const now = this.clock.now();
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.observe(holder, spec.renewTime, now);
    if (holder !== identity) {
      // A leader that finds another holder lost the lease at some point; it must not take it back.
      if (this.leading) return false;
      if (holder && !this.expired(spec, now)) return false;
    }
    const renewing = holder === identity;
    const writeAt = this.clock.now();
    const next: V1LeaseSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseDurationSeconds,
      renewTime: microTime(writeAt),
      acquireTime: renewing && spec.acquireTime ? spec.acquireTime : microTime(writeAt),
      leaseTransitions: renewing ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: this.leaseWithSpec(lease, next) });
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    if (!renewing) this.log.info('took over the lease', { previousHolder: holder || undefined, leaseTransitions: next.leaseTransitions });
    this.lastRenewAt = writeAt;
    return true;
  }

  /** Creates the Lease with this replica as holder; false if another replica created it first. */
  private async create(): Promise<boolean> {
    const { name, namespace, identity } = this.options;
    const writeAt = this.clock.now();
    try {
      await this.api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: this.leaseDurationSeconds,
            acquireTime: microTime(writeAt),
            renewTime: microTime(writeAt),
            leaseTransitions: 0,
          },
        },
      });
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    this.lastRenewAt = writeAt;
    return true;
  }

  /** Returns the Lease to write: the one read (its resourceVersion makes the write conditional) with a new spec. */
  private leaseWithSpec(lease: V1Lease, spec: V1LeaseSpec): V1Lease {
    const { name, namespace, resourceVersion, labels, annotations } = lease.metadata ?? {};
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, resourceVersion, labels, annotations },
      spec,
    };
  }

  /** Remembers the record read and when it changed, by our clock. */
  private observe(holder: string, renewTime: unknown, now: number): void {
    const renew = String(renewTime ?? '');
    if (this.observed && this.observed.holder === holder && this.observed.renewTime === renew) return;
    if (this.observed?.holder !== holder && holder !== this.options.identity) {
      this.log.info('observed lease holder', { holder: holder || '(released)' });
    }
    this.observed = { holder, renewTime: renew, seenAt: now };
  }

  /**
   * Tells whether the Lease expired: its renewTime plus duration lies in the past by our clock,
   * and the record has not changed for a lease duration as we observed it. The second condition
   * (client-go's only one) keeps a leader whose clock runs behind ours from being deposed while
   * it is renewing; the first stops us from waiting on a record we merely saw late.
   */
  private expired(spec: V1LeaseSpec, now: number): boolean {
    const durationMs = (spec.leaseDurationSeconds ?? this.leaseDurationSeconds) * 1000;
    const renewedAt = microTimeMs(spec.renewTime);
    const byLease = renewedAt === undefined || renewedAt + durationMs <= now;
    const byObservation = this.observed !== undefined && this.observed.seenAt + durationMs <= now;
    return byLease && byObservation;
  }

  /** (Re)arms the timer that ends leadership when no renewal succeeds within the renew deadline. */
  private armDeadline(): void {
    this.deadlineTimer?.cancel();
    const remaining = this.lastRenewAt + this.renewDeadlineMs - this.clock.now();
    this.deadlineTimer = this.clock.setTimer(() => {
      if (this.leading && this.clock.now() - this.lastRenewAt >= this.renewDeadlineMs) {
        this.loseLeadership(`no successful renewal for ${this.renewDeadlineMs} ms`);
      } else if (this.leading) {
        this.armDeadline();
      }
    }, remaining);
  }

  private loseLeadership(reason: string): void {
    if (!this.leading) return;
    this.log.warn('lost leadership; stopping', { reason });
    this.state = 'stopped';
    this.tickTimer?.cancel();
    this.deadlineTimer?.cancel();
    this.setLeading(false);
    this.callback(this.options.onStoppedLeading, 'onStoppedLeading');
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading) leadingElectors.add(this);
    else leadingElectors.delete(this);
    updateLeaderGauge();
  }

  private callback(fn: (() => void) | undefined, what: string): void {
    if (!fn) return;
    try {
      fn();
    } catch (err) {
      this.log.error(`leader election ${what} callback threw`, { err });
    }
  }
}
