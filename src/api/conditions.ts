// Condition types and reasons of the Tenant, BackupPolicy and Restore status, and the Event
// reasons: one place, CamelCase, so alerts and dashboards can rely on them.

/** Condition types a Tenant reports. */
export const Cond = {
  Ready: 'Ready',
  Reconciled: 'Reconciled',
  NamespaceReady: 'NamespaceReady',
  StorageEncrypted: 'StorageEncrypted',
  DatabaseReady: 'DatabaseReady',
  AppReady: 'AppReady',
  IngressReady: 'IngressReady',
  NamespaceConflict: 'NamespaceConflict',
  HostConflict: 'HostConflict',
  BackupHealthy: 'BackupHealthy',
  RestoreWithinObjective: 'RestoreWithinObjective',
  /** The lifecycle input (spec.plan, spec.lifecycle) is usable; False names the field(s) at fault. */
  LifecycleValid: 'LifecycleValid',
  /** Closed: the final backup before the database stops was taken (its time in the message). */
  FinalBackupTaken: 'FinalBackupTaken',
  /** A customer notice of a breach (an Incident) is due or overdue for this tenant; the deadline is in the message (P13). */
  BreachNotificationPending: 'BreachNotificationPending',
  /** spec.app.image pins the app of a tenant that follows a release channel: no rollout updates it (P12). */
  PatchPinned: 'PatchPinned',
} as const;
export type CondType = (typeof Cond)[keyof typeof Cond];

/** Reasons of Tenant conditions and Events. */
export const Reason = {
  AllReady: 'AllReady',
  Converged: 'Converged',
  ReconcileFailed: 'ReconcileFailed',
  RegionNotServed: 'RegionNotServed',
  NamespaceActive: 'NamespaceActive',
  NamespaceTerminating: 'NamespaceTerminating',
  NamespaceOwnedByOther: 'NamespaceOwnedByOther',
  NoConflict: 'NoConflict',
  EncryptedStorageClass: 'EncryptedStorageClass',
  StorageClassNotFound: 'StorageClassNotFound',
  StorageClassNotEncrypted: 'StorageClassNotEncrypted',
  PodsReady: 'PodsReady',
  PodsNotReady: 'PodsNotReady',
  WaitingForStorage: 'WaitingForStorage',
  RouteConfigured: 'RouteConfigured',
  HostClaimedByOther: 'HostClaimedByOther',
  HostNotAllowed: 'HostNotAllowed',
  HostClaimedByForeignRoute: 'HostClaimedByForeignRoute',
  HostSharedWithForeignRoute: 'HostSharedWithForeignRoute',
  Blocked: 'Blocked',
  Suspended: 'Suspended',
  BackupFresh: 'BackupFresh',
  BackupStale: 'BackupStale',
  NoBackupYet: 'NoBackupYet',
  BackupsSuspended: 'BackupsSuspended',
  ScheduleAccepted: 'ScheduleAccepted',
  ScheduleInvalid: 'ScheduleInvalid',
  UnknownTimeZone: 'UnknownTimeZone',
  RestoreProjectedWithinObjective: 'RestoreProjectedWithinObjective',
  RestoreProjectedOverObjective: 'RestoreProjectedOverObjective',
  NoRestoreDrill: 'NoRestoreDrill',
  NoBackupPolicy: 'NoBackupPolicy',
  BackupPolicyNotFound: 'BackupPolicyNotFound',
  PolicyRegionMismatch: 'PolicyRegionMismatch',
  BackupCredentialsMissing: 'BackupCredentialsMissing',
  BackupStoreUnreadable: 'BackupStoreUnreadable',
  LifecycleInputValid: 'LifecycleInputValid',
  LifecycleInputInvalid: 'LifecycleInputInvalid',
  /** The database is stopped by the lifecycle (Closed, Erasing): a state, not unfinished work. */
  StoppedByLifecycle: 'StoppedByLifecycle',
  FinalBackupRunning: 'FinalBackupRunning',
  FinalBackupSucceeded: 'FinalBackupSucceeded',
  FinalBackupFailed: 'FinalBackupFailed',
  /** Closed without a backup CronJob to take the final backup from (no usable BackupPolicy): the database keeps running. */
  FinalBackupImpossible: 'FinalBackupImpossible',
  /** The tenant's own KMS key cannot be created or used; no backups until it can. */
  TenantKeyUnavailable: 'TenantKeyUnavailable',
  Erased: 'Erased',
  /** BreachNotificationPending: the notice is not sent yet and its deadline has not passed. */
  NoticePending: 'NoticePending',
  /** BreachNotificationPending: the deadline passed without the notice being recorded. */
  NoticeOverdue: 'NoticeOverdue',
  /** PatchPinned: the tenant's own spec.app.image keeps its release channel's patches out. */
  ImagePinned: 'ImagePinned',
} as const;

/** Condition types a BackupPolicy reports. */
export const PolicyCond = {
  Ready: 'Ready',
  ScheduleValid: 'ScheduleValid',
} as const;
export type PolicyCondType = (typeof PolicyCond)[keyof typeof PolicyCond];

/** Reasons of a Restore's Succeeded condition. */
export const RestoreReason = {
  TenantNotFound: 'TenantNotFound',
  BackupPolicyNotFound: 'BackupPolicyNotFound',
  CrossRegionRefused: 'CrossRegionRefused',
  CreatingTenant: 'CreatingTenant',
  TargetExists: 'TargetExists',
  BackupStoreUnreadable: 'BackupStoreUnreadable',
  NoBackup: 'NoBackup',
  WaitingForTarget: 'WaitingForTarget',
  Restoring: 'Restoring',
  Restored: 'Restored',
  RestoreJobFailed: 'RestoreJobFailed',
} as const;

/** Event reasons (verb-noun) for changes the operator makes or refuses. */
export const EventReason = {
  CreatingObject: 'CreatingObject',
  /** The tenant's own KMS key cannot be created or used (a foreign key under its alias, KMS unreachable). */
  TenantKeyUnavailable: 'TenantKeyUnavailable',
  UpdatingObject: 'UpdatingObject',
  /** An owned object changed or deleted by someone else was put back as desired. */
  RepairingDrift: 'RepairingDrift',
  DeletingObject: 'DeletingObject',
  NamespaceConflict: 'NamespaceConflict',
  HostConflict: 'HostConflict',
  HostNotAllowed: 'HostNotAllowed',
  StorageNotEncrypted: 'StorageNotEncrypted',
  RegionNotServed: 'RegionNotServed',
  /** A pass failed (a write refused, the API server unreachable): announced once while it keeps failing. */
  ReconcileFailed: 'ReconcileFailed',
  /** On a Restore's source tenant: its Job started, it succeeded, it failed. */
  RestoreStarted: 'RestoreStarted',
  RestoreSucceeded: 'RestoreSucceeded',
  RestoreFailed: 'RestoreFailed',
  /** The final backup of a closing tenant failed; it is retried and the database keeps running meanwhile. */
  FinalBackupFailed: 'FinalBackupFailed',
  /** The lifecycle input is invalid (see LifecycleValid). */
  LifecycleInvalid: 'LifecycleInvalid',
  /** On an Incident: its affected tenants, notices or phase changed (P13). */
  IncidentUpdated: 'IncidentUpdated',
  /** On an Incident: a notice became overdue. */
  IncidentNoticeOverdue: 'IncidentNoticeOverdue',
  /** On an Incident: its input cannot be used as it is (an unparsable date, a notification for a tenant not affected). */
  IncidentInputProblem: 'IncidentInputProblem',
} as const;
