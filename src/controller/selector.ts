// The label keys a label selector (the operator's --tenant-selector) constrains, so a Tenant the
// operator creates itself (the target of a restore) can carry the source's values for exactly
// those keys and stay in this operator's shard.

/** Returns the label keys a selector string such as `shard=a,tier in (x,y),!legacy` mentions. */
export function selectorKeys(selector: string): string[] {
  const keys = new Set<string>();
  // Commas inside `in (a,b)` separate values, not requirements.
  for (const term of selector.split(/,(?![^()]*\))/)) {
    const t = term.trim();
    if (!t) continue;
    const m = /^!?\s*([A-Za-z0-9._/-]+)/.exec(t);
    if (m?.[1]) keys.add(m[1]);
  }
  return [...keys].sort();
}

/** Returns the labels of `labels` whose keys the selector mentions (the ones that decide whether it matches). */
export function shardLabels(selector: string | undefined, labels: Record<string, string> | undefined): Record<string, string> {
  if (!selector || !labels) return {};
  return Object.fromEntries(selectorKeys(selector).flatMap((k) => (labels[k] !== undefined ? [[k, labels[k]]] : [])));
}
