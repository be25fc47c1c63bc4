// What the CRDs' CEL rules assume about the rest of the code, checked without an API server: the
// Tenant rule that keeps the engine of a Tenant without spec.database names the builders' default
// engine.
// The rules themselves run on a real API server in test/integration/crds.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { findRepoRoot } from '../../scripts/generate.js';
import { DEFAULT_ENGINE } from '../../src/resources/types.js';

const ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

interface Rule {
  rule: string;
  fieldPath?: string;
  message?: string;
}
interface Prop {
  properties?: Record<string, Prop>;
  'x-kubernetes-validations'?: Rule[];
}

void test("review 11: the Tenant CRD keeps spec.database.engine, reading a missing spec.database as the builders' default engine", () => {
  const crd = load(readFileSync(join(ROOT, 'crds', 'tenantry.io_tenants.yaml'), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: Prop } }[] };
  };
  const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'];
  const engine = spec?.properties?.['database']?.properties?.['engine'];
  assert.deepEqual(
    engine?.['x-kubernetes-validations']?.map((r) => r.rule),
    ['self == oldSelf'],
  );
  const block = spec?.['x-kubernetes-validations']?.find((r) => r.fieldPath === '.database.engine');
  assert.ok(block, 'spec has a rule for adding or removing spec.database');
  // Both sides of the comparison fall back to the engine a Tenant without spec.database gets.
  assert.equal(block.rule.split(`: '${DEFAULT_ENGINE}')`).length - 1, 2, block.rule);
  for (const r of [...(engine?.['x-kubernetes-validations'] ?? []), block]) {
    assert.match(r.message ?? '', /^spec\.database\.engine is immutable/);
    assert.match(r.message ?? '', /a restore cannot cross engines either/);
    assert.match(r.message ?? '', /create a new Tenant with the other engine and migrate the data/);
  }
});
