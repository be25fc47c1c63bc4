// The AllNotified and Overdue conditions, keeping lastTransitionTime while a status stays the same.
import type { IncidentStatusConditionsItem, IncidentStatusNoticesItem } from '../api/generated/index.js';

type Condition = IncidentStatusConditionsItem;
type Fresh = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

const LISTED = 10;

function names(notices: readonly IncidentStatusNoticesItem[]): string {
  const shown = notices.slice(0, LISTED).map((n) => `${n.audience} ${n.name}`);
  return notices.length > LISTED ? `${shown.join(', ')} and ${notices.length - LISTED} more` : shown.join(', ');
}

function allNotified(notices: readonly IncidentStatusNoticesItem[]): Fresh {
  const open = notices.filter((n) => n.state === 'Pending' || n.state === 'Overdue');
  const late = notices.filter((n) => n.state === 'Late');
  if (notices.length === 0)
    return { type: 'AllNotified', status: 'False', reason: 'NoNotices', message: 'no affected tenant and no authority yet' };
  if (open.length > 0)
    return {
      type: 'AllNotified',
      status: 'False',
      reason: 'NoticesPending',
      message: `${open.length} of ${notices.length} notices not recorded: ${names(open)}`,
    };
  if (late.length > 0)
    return {
      type: 'AllNotified',
      status: 'True',
      reason: 'NotifiedLate',
      message: `all ${notices.length} notices recorded, ${late.length} after the deadline: ${names(late)}`,
    };
  return {
    type: 'AllNotified',
    status: 'True',
    reason: 'NotifiedInTime',
    message: `all ${notices.length} notices recorded by the deadline`,
  };
}

function overdue(notices: readonly IncidentStatusNoticesItem[], hasDeadline: boolean): Fresh {
  if (!hasDeadline)
    return { type: 'Overdue', status: 'Unknown', reason: 'NoDeadline', message: 'spec.detectedAt is not a valid timestamp' };
  const late = notices.filter((n) => n.state === 'Overdue');
  if (late.length > 0)
    return {
      type: 'Overdue',
      status: 'True',
      reason: 'NoticesOverdue',
      message: `${late.length} notices not recorded by the deadline: ${names(late)}`,
    };
  return { type: 'Overdue', status: 'False', reason: 'NoneOverdue', message: 'no notice is overdue' };
}

/** The conditions for `notices`; lastTransitionTime moves to `now` only when a condition's status changes. */
export function incidentConditions(
  notices: readonly IncidentStatusNoticesItem[],
  hasDeadline: boolean,
  previous: readonly Condition[] | undefined,
  now: string,
  generation: number | undefined,
): Condition[] {
  return [allNotified(notices), overdue(notices, hasDeadline)].map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before !== undefined && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime, ...(generation === undefined ? {} : { observedGeneration: generation }) };
  });
}
