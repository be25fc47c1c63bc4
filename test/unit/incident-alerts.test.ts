// The breach-notice alerts (P13) and the release alerts (P12) read the operator's own metrics: a
// renamed metric or label would silence them without any error, so the rules are checked against
// what src/metrics.ts registers, and the kustomize copy against the chart's template.
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
  for?: string;
  labels: { severity: string };
}

const ROOT = repoRoot();

function deployRules(group: string): Rule[] {
  const doc = load(readFileSync(join(ROOT, 'deploy', 'monitoring', 'prometheusrule.yaml'), 'utf8')) as {
    kind: string;
    spec: { groups: { name: string; rules: Rule[] }[] };
  };
  assert.equal(doc.kind, 'PrometheusRule');
  return doc.spec.groups.filter((g) => g.name === group).flatMap((g) => g.rules);
}

/** Asserts that every metric a rule reads is one src/metrics.ts registers. */
async function assertRegistered(rules: Rule[]): Promise<void> {
  const registered = new Map((await metricsRegistry.getMetricsAsJSON()).map((m) => [m.name, m]));
  for (const r of rules) {
    const names = r.expr.match(/tenantry_[a-z_]+/g) ?? [];
    assert.ok(names.length > 0, r.alert);
    for (const n of names) assert.ok(registered.has(n), `${r.alert} reads ${n}, which src/metrics.ts does not register`);
  }
}

test('breach-notice alerts: one warning before the deadline, one critical past it, on metrics the operator registers', async () => {
  const rules = deployRules('tenantry-breach-notices');
  assert.deepEqual(
    rules.map((r) => [r.alert, r.labels.severity]),
    [
      ['TenantryBreachNoticesDue', 'warning'],
      ['TenantryBreachNoticesOverdue', 'critical'],
    ],
  );
  await assertRegistered(rules);
  // Joined on the incident label, which both series carry.
  for (const r of rules) assert.match(r.expr, /on \(incident\)/);
  assert.match(rules[0]?.expr ?? '', /- time\(\)\) < 24 \* 3600/, '24 h before a 72-hour deadline: 48 h after detection');
});

test('release alerts: a security patch late after 24 h (critical), a halted rollout (warning), on metrics the operator registers', async () => {
  const rules = deployRules('tenantry-release');
  assert.deepEqual(
    rules.map((r) => [r.alert, r.labels.severity]),
    [
      ['TenantrySecurityPatchLate', 'critical'],
      ['TenantryRolloutHalted', 'warning'],
    ],
  );
  await assertRegistered(rules);
  const [late, halted] = rules;
  assert.equal(late?.expr.trim(), 'tenantry_release_security_patch_age_seconds > 24 * 3600');
  assert.equal(late?.for, '5m', 'a patch is late when it stays late, not on one scrape');
  assert.equal(halted?.expr.trim(), 'tenantry_release_halted == 1');
  const registered = (await metricsRegistry.getMetricsAsJSON()).filter((m) => m.name.startsWith('tenantry_release_'));
  assert.deepEqual(registered.map((m) => m.name).sort(), [
    'tenantry_release_halted',
    'tenantry_release_outdated_tenants',
    'tenantry_release_security_patch_age_seconds',
  ]);
});

test("alerts: deploy/monitoring/ is the chart's template with the default values", () => {
  const template = readFileSync(join(ROOT, 'charts', 'tenantry', 'templates', 'prometheusrule.yaml'), 'utf8');
  const values = load(readFileSync(join(ROOT, 'charts', 'tenantry', 'values.yaml'), 'utf8')) as {
    prometheusRule: { enabled: boolean; breachNoticeWarningHours: number; securityPatchMaxAgeHours: number };
  };
  assert.equal(values.prometheusRule.enabled, false, 'off by default: it needs the Prometheus Operator CRDs');
  assert.equal(values.prometheusRule.securityPatchMaxAgeHours, 24, 'a security patch is due everywhere within a day by default');
  // The rules part of the template, with its default value and Helm's escaping of Prometheus templates resolved.
  const rendered = template
    .slice(template.indexOf('  groups:'), template.lastIndexOf('{{- end }}'))
    .replaceAll('{{ .Values.prometheusRule.breachNoticeWarningHours }}', String(values.prometheusRule.breachNoticeWarningHours))
    .replaceAll('{{ .Values.prometheusRule.securityPatchMaxAgeHours }}', String(values.prometheusRule.securityPatchMaxAgeHours))
    .replaceAll('{{ "{{" }}', '{{')
    .replaceAll('{{ "}}" }}', '}}');
  const deploy = readFileSync(join(ROOT, 'deploy', 'monitoring', 'prometheusrule.yaml'), 'utf8');
  assert.equal(rendered.trim(), deploy.slice(deploy.indexOf('  groups:')).trim());
});
