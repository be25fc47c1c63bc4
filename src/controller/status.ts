// Conditions and phase of a Tenant, computed from what a reconcile observed: a pure function, so
// every combination is tested with tables and the status is written only when it changed.
import { Cond, Reason, type CondType } from '../api/conditions.js';
import type { TenantStatusConditionsItem, TenantStatusPhase } from '../api/generated/index.js';

/** What one reconcile pass saw and did; each part is absent when the pass stopped before it. */
export interface Observations {
  /** Set when no build context could be made for the tenant (its region is not served, say): why, for NamespaceReady. */
  buildError?: { reason: string; message: string };
  namespace?: { state: 'active' | 'terminating' | 'conflict'; message: string };
  storage?: { encrypted: boolean; reason: string; message: string };
  database?: { readyReplicas: number; replicas: number };
  app?: { availableReplicas: number; replicas: number };
  ingress?: IngressObservation;
  /** The error that ended the pass early, if any. */
  error?: string;
  suspended?: boolean;
  /** BackupHealthy as judged from the bucket (see backup-step.ts). */
  backup?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** RestoreWithinObjective: the projected restore time against the 8-hour promise. */
  restoreObjective?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** The lifecycle stopped the database (the phase that did: Closed after its final backup, or Erasing). */
  databaseStopped?: string;
  /** LifecycleValid, when the lifecycle engine evaluated the tenant. */
  lifecycleValid?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** FinalBackupTaken, while the tenant is Closed. */
  finalBackup?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** Customer breach notices due for this tenant (Pending or Overdue), from the Incidents' status (P13). */
  breachNotices?: BreachNotice[];
  /** A tenant that follows a release channel runs its own spec.app.image: the PatchPinned message (P12). */
  patchPinned?: string;
}

/** One customer notice of an incident not sent yet, as the tenant's BreachNotificationPending shows it. */
export interface BreachNotice {
  incident: string;
  /** RFC 3339; undefined when the incident has none (its detectedAt is not a timestamp). */
  deadline: string | undefined;
  state: 'Pending' | 'Overdue';
}

/** What a pass found about the tenant's host. */
export interface IngressObservation {
  host: string;
  /** Another Tenant claimed the host first: its name. */
  conflictWith?: string;
  /** The host is not under any domain tenants may be served on (baseDomain and allowedDomains): those domains. */
  notAllowed?: { domains: string[] };
  /**
   * Routes Tenantry does not manage that serve the host ("Ingress team-b/shop"). `first`: one was
   * there before this tenant's route, so the tenant gets none; otherwise they came later and
   * contest a route that stays.
   */
  foreignRoutes?: { names: string[]; first: boolean };
}

/** What is wrong with a tenant's host, for its HostConflict condition and the Warning Event. */
export interface HostProblem {
  reason: string;
  message: string;
  /** The tenant gets no route and no certificate for the host. */
  blocking: boolean;
}

/** Joins names as a person reads them: "a", "a and b", "a, b and c". */
function andList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Returns what is wrong with the tenant's host, most fundamental first (not allowed, then another
 * Tenant's earlier claim, then routes Tenantry does not manage), or undefined when it is the tenant's.
 */
export function hostProblem(i: IngressObservation): HostProblem | undefined {
  if (i.notAllowed) {
    return {
      reason: Reason.HostNotAllowed,
      blocking: true,
      message: `host ${i.host} is outside the domains this operator serves tenants on (${i.notAllowed.domains.join(', ')}); Tenantry creates no route and no certificate for it. Set spec.host to a name under one of them, or remove spec.host to use the default <name>.${i.notAllowed.domains[0] ?? ''}; to serve tenants on another domain, an administrator adds it to allowedDomains in the operator configuration`,
    };
  }
  if (i.conflictWith)
    return {
      reason: Reason.HostClaimedByOther,
      blocking: true,
      message: `host ${i.host} is already served for tenant ${i.conflictWith}, which claimed it first; choose another spec.host`,
    };
  const foreign = i.foreignRoutes;
  if (foreign?.first) {
    return {
      reason: Reason.HostClaimedByForeignRoute,
      blocking: true,
      message: `host ${i.host} is already served by ${andList(foreign.names)}, which Tenantry does not manage; Tenantry leaves ${foreign.names.length > 1 ? 'them' : 'it'} untouched and creates no route and no certificate for this tenant. Choose another spec.host, or have that route removed (the tenant then gets the host)`,
    };
  }
  if (foreign) {
    const one = foreign.names.length === 1;
    return {
      reason: Reason.HostSharedWithForeignRoute,
      blocking: false,
      message: `${andList(foreign.names)} also route${one ? 's' : ''} host ${i.host}, created after this tenant's route, and may take part of its traffic; Tenantry leaves ${one ? 'it' : 'them'} untouched and keeps this tenant's route. Remove ${one ? 'it' : 'them'} or change ${one ? 'its' : 'their'} host`,
    };
  }
  return undefined;
}

type Condition = TenantStatusConditionsItem;

/** Builds one condition; lastTransitionTime is carried over by {@link mergeConditions} when the status did not change. */
function cond(type: CondType, ok: boolean | 'Unknown', reason: string, message: string, generation: number, now: string): Condition {
  const status = ok === 'Unknown' ? 'Unknown' : ok ? 'True' : 'False';
  return { type, status, reason, message, observedGeneration: generation, lastTransitionTime: now };
}

/** Makes a condition of this pass (generation and time already bound). */
type MakeCondition = (type: CondType, ok: boolean | 'Unknown', reason: string, message: string) => Condition;

/** Returns NamespaceConflict and NamespaceReady, or only a failed NamespaceReady when no build context could be made. */
function namespaceConditions(obs: Observations, c: MakeCondition): Condition[] {
  if (obs.buildError) return [c(Cond.NamespaceReady, false, obs.buildError.reason, obs.buildError.message)];
  const ns = obs.namespace;
  if (!ns) return [];
  const conflict = ns.state === 'conflict';
  const reason =
    ns.state === 'active'
      ? Reason.NamespaceActive
      : ns.state === 'terminating'
        ? Reason.NamespaceTerminating
        : Reason.NamespaceOwnedByOther;
  return [
    c(
      Cond.NamespaceConflict,
      conflict,
      conflict ? Reason.NamespaceOwnedByOther : Reason.NoConflict,
      conflict ? ns.message : 'the namespace is owned by this tenant',
    ),
    c(Cond.NamespaceReady, ns.state === 'active', reason, ns.message),
  ];
}

/** Returns StorageEncrypted, when the storage was looked at. */
function storageConditions(obs: Observations, c: MakeCondition): Condition[] {
  return obs.storage ? [c(Cond.StorageEncrypted, obs.storage.encrypted, obs.storage.reason, obs.storage.message)] : [];
}

/** Reports whether the pass found the volumes' storage unencrypted, so no database or app was made. */
function waitingForStorage(obs: Observations): boolean {
  return !!obs.storage && !obs.storage.encrypted;
}

/** Returns DatabaseReady from the database pods, or why there is no database yet. */
function databaseConditions(obs: Observations, c: MakeCondition): Condition[] {
  if (obs.databaseStopped)
    return [
      c(
        Cond.DatabaseReady,
        false,
        Reason.StoppedByLifecycle,
        `the database is stopped while the tenant is ${obs.databaseStopped}; its data and backups are kept`,
      ),
    ];
  if (obs.database) {
    const { readyReplicas: r, replicas: n } = obs.database;
    return [
      c(Cond.DatabaseReady, n > 0 && r >= n, r >= n && n > 0 ? Reason.PodsReady : Reason.PodsNotReady, `${r}/${n} database pods ready`),
    ];
  }
  if (waitingForStorage(obs))
    return [c(Cond.DatabaseReady, false, Reason.WaitingForStorage, 'no database until its volume can be encrypted')];
  return [];
}

/** Returns AppReady from the app pods (always ready while suspended: it is scaled to zero), or why there is no app yet. */
function appConditions(obs: Observations, c: MakeCondition): Condition[] {
  if (obs.app) {
    const { availableReplicas: r, replicas: n } = obs.app;
    const ok = obs.suspended ? true : r >= n && n > 0;
    return [
      c(
        Cond.AppReady,
        ok,
        obs.suspended ? Reason.Suspended : ok ? Reason.PodsReady : Reason.PodsNotReady,
        obs.suspended ? 'the app is scaled to zero while the tenant is suspended' : `${r}/${n} app pods available`,
      ),
    ];
  }
  if (waitingForStorage(obs)) return [c(Cond.AppReady, false, Reason.WaitingForStorage, 'no app until its volume can be encrypted')];
  return [];
}

/** Returns IngressReady: no route while the host is another tenant's, blocked or the tenant is suspended. */
function ingressReady(ingress: IngressObservation, problem: HostProblem | undefined, suspended: boolean, c: MakeCondition): Condition {
  if (problem?.reason === Reason.HostClaimedByOther)
    return c(
      Cond.IngressReady,
      false,
      Reason.HostClaimedByOther,
      `no route: host ${ingress.host} belongs to tenant ${ingress.conflictWith ?? ''}`,
    );
  if (problem?.blocking)
    return c(Cond.IngressReady, false, problem.reason, `no route and no certificate for ${ingress.host}: see HostConflict`);
  if (suspended) return c(Cond.IngressReady, false, Reason.Suspended, `no route to https://${ingress.host} while the tenant is suspended`);
  return c(Cond.IngressReady, true, Reason.RouteConfigured, `https://${ingress.host} routed with TLS and HSTS`);
}

/** Returns HostConflict and IngressReady, when the host was looked at. */
function ingressConditions(obs: Observations, c: MakeCondition): Condition[] {
  const ingress = obs.ingress;
  if (!ingress) return [];
  const problem = hostProblem(ingress);
  return [
    c(
      Cond.HostConflict,
      problem !== undefined,
      problem?.reason ?? Reason.NoConflict,
      problem?.message ?? `host ${ingress.host} is this tenant's alone`,
    ),
    ingressReady(ingress, problem, obs.suspended === true, c),
  ];
}

/** Returns Reconciled: failed on an error, blocked on the first condition that stands for unfinished work, else converged. */
function reconciledCondition(obs: Observations, sofar: Condition[], c: MakeCondition): Condition {
  if (obs.error) return c(Cond.Reconciled, false, Reason.ReconcileFailed, obs.error);
  // Pods that are not ready yet, conflicts and a suspension are states, not unfinished work.
  const blocked = sofar.find(
    (x) =>
      x.status === 'False' &&
      x.reason !== Reason.Suspended &&
      x.reason !== Reason.StoppedByLifecycle &&
      x.type !== Cond.DatabaseReady &&
      x.type !== Cond.AppReady &&
      x.type !== Cond.NamespaceConflict &&
      x.type !== Cond.HostConflict,
  );
  if (blocked) return c(Cond.Reconciled, false, Reason.Blocked, `${blocked.type}: ${blocked.message}`);
  return c(Cond.Reconciled, true, Reason.Converged, 'every owned object exists as desired');
}

/** Returns Ready, naming every condition that keeps the tenant from it. */
function readyCondition(sofar: Condition[], c: MakeCondition): Condition {
  // Ready only when every other condition is good: conflicts must be False, all others True.
  const bad = sofar.filter(
    (x) =>
      x.reason !== Reason.Suspended &&
      x.reason !== Reason.StoppedByLifecycle &&
      (x.type === Cond.NamespaceConflict || x.type === Cond.HostConflict ? x.status !== 'False' : x.status !== 'True'),
  );
  return c(
    Cond.Ready,
    bad.length === 0,
    bad.length === 0 ? Reason.AllReady : (bad[0]?.reason ?? Reason.Blocked),
    bad.length === 0 ? 'the instance is serving' : bad.map((x) => `${x.type}: ${x.message}`).join('; '),
  );
}

/** Maps a three-valued status to what {@link cond} takes. */
const tri = (s: 'True' | 'False' | 'Unknown') => (s === 'Unknown' ? 'Unknown' : s === 'True');

/** Returns BackupHealthy and RestoreWithinObjective, each when the pass judged it. */
function backupConditions(obs: Observations, c: MakeCondition): Condition[] {
  return [
    ...(obs.backup ? [c(Cond.BackupHealthy, tri(obs.backup.status), obs.backup.reason, obs.backup.message)] : []),
    ...(obs.restoreObjective
      ? [c(Cond.RestoreWithinObjective, tri(obs.restoreObjective.status), obs.restoreObjective.reason, obs.restoreObjective.message)]
      : []),
  ];
}

/**
 * Returns BreachNotificationPending while a customer notice of an incident is due for the tenant
 * (in the order given: tenantBreachNotice sorts by deadline); no condition once every notice is recorded.
 */
function breachCondition(obs: Observations, c: MakeCondition): Condition[] {
  const notices = obs.breachNotices ?? [];
  if (notices.length === 0) return [];
  const overdue = notices.some((n) => n.state === 'Overdue');
  const each = notices.map(
    (n) =>
      `incident ${n.incident}: customer notice ${n.deadline === undefined ? 'due (no deadline: the incident has no valid detectedAt)' : `${n.state === 'Overdue' ? 'overdue since' : 'due by'} ${n.deadline}`}`,
  );
  return [c(Cond.BreachNotificationPending, true, overdue ? Reason.NoticeOverdue : Reason.NoticePending, each.join('; '))];
}

/** Computes the Tenant's conditions from one pass's observations. */
export function computeConditions(obs: Observations, generation: number, now: string): Condition[] {
  const c: MakeCondition = (type, ok, reason, message) => cond(type, ok, reason, message, generation, now);
  const out: Condition[] = [
    ...namespaceConditions(obs, c),
    ...storageConditions(obs, c),
    ...databaseConditions(obs, c),
    ...appConditions(obs, c),
    ...ingressConditions(obs, c),
  ];
  out.push(reconciledCondition(obs, out, c));
  out.push(readyCondition(out, c));
  // Backup conditions stand apart from Ready: a stale backup must page someone, but the instance
  // still serves, and an alert on Ready would hide which promise is at risk.
  out.push(...backupConditions(obs, c));
  // Lifecycle conditions stand apart too: an invalid input or a final backup under way is no provisioning work.
  if (obs.lifecycleValid)
    out.push(c(Cond.LifecycleValid, tri(obs.lifecycleValid.status), obs.lifecycleValid.reason, obs.lifecycleValid.message));
  if (obs.finalBackup) out.push(c(Cond.FinalBackupTaken, tri(obs.finalBackup.status), obs.finalBackup.reason, obs.finalBackup.message));
  // A breach notice is no provisioning work either, and it stays on a tenant whatever its phase.
  out.push(...breachCondition(obs, c));
  // A pinned image is a standing choice, not unfinished work: it must show, but it never holds back Ready.
  if (obs.patchPinned !== undefined) out.push(c(Cond.PatchPinned, true, Reason.ImagePinned, obs.patchPinned));
  return out;
}

/** Keeps the previous lastTransitionTime of every condition whose status did not change. */
export function mergeConditions(previous: Condition[] | undefined, next: Condition[]): Condition[] {
  return next.map((n) => {
    const p = previous?.find((x) => x.type === n.type);
    return p && p.status === n.status && p.lastTransitionTime ? { ...n, lastTransitionTime: p.lastTransitionTime } : n;
  });
}

/** Derives the phase shown in `kubectl get tenants` from the conditions. */
export function computePhase(conditions: Condition[], suspended: boolean): TenantStatusPhase {
  const get = (t: CondType) => conditions.find((c) => c.type === t);
  if (get(Cond.Ready)?.status === 'True') return suspended ? 'Suspended' : 'Ready';
  if (get(Cond.Reconciled)?.status === 'True') return suspended ? 'Suspended' : 'Provisioning';
  // A pass that failed or is blocked degrades the tenant; Pending is only "not reconciled yet".
  if (get(Cond.Reconciled)?.status === 'False' || get(Cond.NamespaceConflict)?.status === 'True') return 'Degraded';
  return 'Pending';
}
