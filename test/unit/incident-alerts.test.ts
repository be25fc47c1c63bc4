// The breach-notice alerts (P13) read the operator's own metrics: a renamed metric or label would
// silence them without any error, so the rules are checked against what src/metrics.ts registers,
// and the kustomize copy against the chart's template.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { metricsRegistry } from '../../src/metrics.js';
import { repoRoot } from '../env/paths.js';

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
}

const ROOT = repoRoot();

function deployRules(): Rule[] {
  const doc = load(readFileSync(join(ROOT, 'deploy', 'monitoring', 'prometheusrule.yaml'), 'utf8')) as {
    kind: string;
    spec: { groups: { rules: Rule[] }[] };
  };
  assert.equal(doc.kind, 'PrometheusRule');
  return doc.spec.groups.flatMap((g) => g.rules);
}

test('breach-notice alerts: one warning before the deadline, one critical past it, on metrics the operator registers', async () => {
  const rules = deployRules();
  assert.deepEqual(
    rules.map((r) => [r.alert, r.labels.severity]),
    [
      ['TenantryBreachNoticesDue', 'warning'],
      ['TenantryBreachNoticesOverdue', 'critical'],
    ],
  );
  const registered = new Map((await metricsRegistry.getMetricsAsJSON()).map((m) => [m.name, m]));
  for (const r of rules) {
    const names = r.expr.match(/tenantry_[a-z_]+/g) ?? [];
    assert.ok(names.length > 0, r.alert);
    for (const n of names) assert.ok(registered.has(n), `${r.alert} reads ${n}, which src/metrics.ts does not register`);
    // Joined on the incident label, which both series carry.
    assert.match(r.expr, /on \(incident\)/);
  }
  assert.match(rules[0]?.expr ?? '', /- time\(\)\) < 24 \* 3600/, '24 h before a 72-hour deadline: 48 h after detection');
});

test("breach-notice alerts: deploy/monitoring/ is the chart's template with the default values", () => {
  const template = readFileSync(join(ROOT, 'charts', 'tenantry', 'templates', 'prometheusrule.yaml'), 'utf8');
  const values = load(readFileSync(join(ROOT, 'charts', 'tenantry', 'values.yaml'), 'utf8')) as {
    prometheusRule: { enabled: boolean; breachNoticeWarningHours: number };
  };
  assert.equal(values.prometheusRule.enabled, false, 'off by default: it needs the Prometheus Operator CRDs');
  // The rules part of the template, with its default value and Helm's escaping of Prometheus templates resolved.
  const rendered = template
    .slice(template.indexOf('  groups:'), template.lastIndexOf('{{- end }}'))
    .replaceAll('{{ .Values.prometheusRule.breachNoticeWarningHours }}', String(values.prometheusRule.breachNoticeWarningHours))
    .replaceAll('{{ "{{" }}', '{{')
    .replaceAll('{{ "}}" }}', '}}');
  const deploy = readFileSync(join(ROOT, 'deploy', 'monitoring', 'prometheusrule.yaml'), 'utf8');
  assert.equal(rendered.trim(), deploy.slice(deploy.indexOf('  groups:')).trim());
});
