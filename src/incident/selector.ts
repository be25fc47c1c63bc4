// Label selector matching (metav1.LabelSelector semantics) for spec.affected.selector.
import type { IncidentSpecAffectedSelector } from '../api/generated/index.js';

/**
 * Whether `labels` satisfy `selector`: every matchLabels pair and every matchExpressions
 * requirement. An empty selector matches every tenant, as in Kubernetes.
 */
export function matchesSelector(selector: IncidentSpecAffectedSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator the API server would have refused: match nothing rather than everything.
        return false;
    }
  }
  return true;
}
