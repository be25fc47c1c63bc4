// The Incident engine's public surface (pure: no clock, no I/O).
export { evaluateIncident, type EvaluateOptions } from './engine.js';
export { affectedKey, freezeAffected } from './freeze.js';
export { matchesSelector } from './selector.js';
export { tenantBreachNotice } from './tenant-notice.js';
export {
  ALERT_BEFORE_DEADLINE_MS,
  DEFAULT_WINDOW_HOURS,
  type AffectedTenant,
  type IncidentEvaluation,
  type IncidentProblem,
  type NoticeAudience,
  type NoticeState,
  type TenantBreachNotice,
  type TenantFacts,
} from './types.js';
