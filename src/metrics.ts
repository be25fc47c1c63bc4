// The operator's Prometheus metrics, served on /metrics. They live in a Registry of their own
// rather than prom-client's global one, so a test or a library that touches the global registry
// cannot add, reset or duplicate them.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The registry /metrics serves: the metrics below plus the default process metrics. */
export const metricsRegistry = new Registry();

collectDefaultMetrics({ register: metricsRegistry });

/** Seconds one reconcile took, by `result` (`success`, `requeue`, `conflict` or `error`). */
export const reconcileDurationSeconds = new Histogram({
  name: 'tenantry_reconcile_duration_seconds',
  help: 'Time one reconcile took, by result (success, requeue, conflict, error).',
  labelNames: ['result'] as const,
  // A reconcile that changes nothing takes milliseconds; one that creates a tenant waits on
  // several API round trips; anything past a minute is a stuck step worth seeing.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

/** Keys waiting in the work queue for a worker (delayed retries not counted). */
export const queueDepth = new Gauge({
  name: 'tenantry_queue_depth',
  help: 'Keys ready in the work queue and waiting for a worker.',
  registers: [metricsRegistry],
});

/** Kubernetes API requests the operator made, by `verb` and HTTP status `code`. */
export const apiRequestsTotal = new Counter({
  name: 'tenantry_api_requests_total',
  help: 'Kubernetes API requests made by the operator, by verb and HTTP status code.',
  labelNames: ['verb', 'code'] as const,
  registers: [metricsRegistry],
});

/** Tenants the operator knows, by lifecycle `phase`. */
export const tenantsByPhase = new Gauge({
  name: 'tenantry_tenants',
  help: 'Tenants known to the operator, by phase.',
  labelNames: ['phase'] as const,
  registers: [metricsRegistry],
});

/**
 * Tenants by lifecycle phase (status.lifecycle.phase: Active, Suspended, Closed, Erasing, Erased).
 * A gauge of its own beside tenantry_tenants, whose `phase` is the provisioning view
 * (status.phase): one label with two meanings would make every sum over it wrong.
 */
export const tenantsByLifecyclePhase = new Gauge({
  name: 'tenantry_tenants_lifecycle',
  help: 'Tenants known to the operator, by lifecycle phase (status.lifecycle.phase).',
  labelNames: ['phase'] as const,
  registers: [metricsRegistry],
});

/** When each tenant's next lifecycle step is due, by the phase it moves to (`step`): alert on what is about to be erased. */
export const lifecycleNextTransitionTimestamp = new Gauge({
  name: 'tenantry_lifecycle_next_transition_timestamp_seconds',
  help: "Unix time of the tenant's next lifecycle transition, by the phase it moves to (step).",
  labelNames: ['tenant', 'step'] as const,
  registers: [metricsRegistry],
});

/** Times an informer's watch was restarted after an error or a silent period, by `kind`. */
export const watchRestartsTotal = new Counter({
  name: 'tenantry_watch_restarts_total',
  help: 'Informer watch restarts (after an error or when the watchdog saw no activity), by kind.',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** 1 while this process holds the leader Lease, else 0. */
export const leaderGauge = new Gauge({
  name: 'tenantry_leader',
  help: '1 while this replica holds the leader election Lease, else 0.',
  registers: [metricsRegistry],
});

/** Seconds the last full resync of every tenant took, from enqueueing to an empty queue. */
export const resyncDurationSeconds = new Gauge({
  name: 'tenantry_resync_duration_seconds',
  help: 'Duration of the last full resync: every tenant enqueued until the queue drained.',
  registers: [metricsRegistry],
});

/** Start time of each tenant's newest verified backup: alert when `time() - this` exceeds the schedule plus grace. */
export const backupLastSuccessTimestamp = new Gauge({
  name: 'tenantry_backup_last_success_timestamp_seconds',
  help: 'Unix time the newest complete and verified backup of the tenant started.',
  labelNames: ['tenant'],
  registers: [metricsRegistry],
});

/** Stored (encrypted) size of each tenant's newest verified backup. */
export const backupBytes = new Gauge({
  name: 'tenantry_backup_bytes',
  help: 'Encrypted size in bytes of the newest verified backup of the tenant.',
  labelNames: ['tenant'],
  registers: [metricsRegistry],
});

/** How long each tenant's newest verified backup took. */
export const backupDurationSeconds = new Gauge({
  name: 'tenantry_backup_duration_seconds',
  help: 'Seconds the newest verified backup of the tenant took, from start to its manifest.',
  labelNames: ['tenant'],
  registers: [metricsRegistry],
});

/** Backup Jobs that failed, per tenant. */
export const backupFailuresTotal = new Counter({
  name: 'tenantry_backup_failures_total',
  help: 'Backup Jobs of the tenant that failed (as seen by this operator process).',
  labelNames: ['tenant'],
  registers: [metricsRegistry],
});

/** When each incident's notices are due (detectedAt + its notification window): alert on what is about to be late. */
export const incidentNotificationDeadline = new Gauge({
  name: 'tenantry_incident_notification_deadline_timestamp_seconds',
  help: "Unix time by which the incident's breach notices are due (detectedAt plus the notification window).",
  labelNames: ['incident'] as const,
  registers: [metricsRegistry],
});

/** Notices of each incident not sent yet (Pending or Overdue), by `audience` (customer, authority). */
export const incidentPendingNotifications = new Gauge({
  name: 'tenantry_incident_pending_notifications',
  help: 'Breach notices of the incident not recorded as sent yet (Pending or Overdue), by audience (customer, authority).',
  labelNames: ['incident', 'audience'] as const,
  registers: [metricsRegistry],
});

/** Tenants following each release channel that are not Ready on its current revision (pinned and inactive ones not counted). */
export const releaseOutdatedTenants = new Gauge({
  name: 'tenantry_release_outdated_tenants',
  help: 'Tenants following the release channel (not pinned, not suspended or closed) that do not run its current revision Ready yet.',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

/** How long a security revision has been waiting to reach every tenant: alert when a patch is late. */
export const releaseSecurityPatchAgeSeconds = new Gauge({
  name: 'tenantry_release_security_patch_age_seconds',
  help: "Seconds since the channel's current security revision was published while some tenant does not run it yet; 0 otherwise.",
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

/** 1 while a channel's rollout is halted (its failure budget exceeded), else 0. */
export const releaseHalted = new Gauge({
  name: 'tenantry_release_halted',
  help: "1 while the release channel's rollout is Halted (a wave exceeded its failure budget and was rolled back), else 0.",
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});
