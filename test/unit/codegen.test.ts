// Table tests of the CRD → TypeScript generator (scripts/codegen.ts) and its drift check,
// plus the check of the real crds/ against the committed src/api/generated/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findDrift,
  firstDifference,
  generateCrdTypes,
  generateIndex,
  moduleNameFor,
  pascalCase,
  readCrd,
  upperSnake,
  type GeneratedFile,
} from '../../scripts/codegen.js';
import { findRepoRoot, listCrdFiles, planGeneration, readGenerated, run, GENERATED_DIR } from '../../scripts/generate.js';

type Json = Record<string, unknown>;

/** A minimal CRD whose storage version has the given spec (and optional status) schema. */
function crd(spec: Json, options: { status?: Json; kind?: string; plural?: string; description?: string } = {}): Json {
  const kind = options.kind ?? 'Widget';
  const properties: Json = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec,
  };
  if (options.status !== undefined) properties['status'] = options.status;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${options.plural ?? 'widgets'}.example.io` },
    spec: {
      group: 'example.io',
      scope: 'Namespaced',
      names: { kind, plural: options.plural ?? 'widgets', singular: kind.toLowerCase() },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              ...(options.description === undefined ? {} : { description: options.description }),
              properties,
            },
          },
        },
      ],
    },
  };
}

function objectSchema(properties: Json, required?: string[]): Json {
  return { type: 'object', properties, ...(required === undefined ? {} : { required }) };
}

/** Asserts that `haystack` contains `needle` verbatim. */
function includes(haystack: string, needle: string): void {
  assert.ok(haystack.includes(needle), `expected to find\n${needle}\nin\n${haystack}`);
}

/** The body of `export interface <name> { ... }` in generated code. */
function interfaceBody(code: string, name: string): string {
  const start = code.indexOf(`export interface ${name} {\n`);
  assert.notEqual(start, -1, `interface ${name} not found in:\n${code}`);
  const end = code.indexOf('\n}\n', start);
  return code.slice(start, end + 3);
}

void test('property types: one schema construct → one TypeScript type', async (t) => {
  const cases: { name: string; schema: Json; expected: string; declares?: string }[] = [
    { name: 'string', schema: { type: 'string' }, expected: 'string' },
    { name: 'date-time string', schema: { type: 'string', format: 'date-time' }, expected: 'string' },
    { name: 'integer', schema: { type: 'integer', format: 'int64' }, expected: 'number' },
    { name: 'number', schema: { type: 'number' }, expected: 'number' },
    { name: 'boolean', schema: { type: 'boolean' }, expected: 'boolean' },
    {
      name: 'string enum',
      schema: { type: 'string', enum: ['Active', 'Suspended'] },
      expected: 'WidgetSpecField',
      declares: "\nexport type WidgetSpecField = 'Active' | 'Suspended';\n",
    },
    {
      name: 'integer enum',
      schema: { type: 'integer', enum: [1, 2, 3] },
      expected: 'WidgetSpecField',
      declares: '\nexport type WidgetSpecField = 1 | 2 | 3;\n',
    },
    {
      name: 'enum with duplicates and quotes',
      schema: { type: 'string', enum: ["it's", "it's", 'b'] },
      expected: 'WidgetSpecField',
      declares: "\nexport type WidgetSpecField = 'it\\'s' | 'b';\n",
    },
    {
      name: 'nullable enum',
      schema: { type: 'string', enum: ['a'], nullable: true },
      expected: 'WidgetSpecField | null',
      declares: "\nexport type WidgetSpecField = 'a';\n",
    },
    {
      name: 'int-or-string',
      schema: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      expected: 'string | number',
    },
    { name: 'array of strings', schema: { type: 'array', items: { type: 'string' } }, expected: 'string[]' },
    {
      name: 'array of enums',
      schema: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
      expected: 'WidgetSpecFieldItem[]',
      declares: "\nexport type WidgetSpecFieldItem = 'a' | 'b';\n",
    },
    {
      name: 'array of int-or-string',
      schema: { type: 'array', items: { 'x-kubernetes-int-or-string': true } },
      expected: '(string | number)[]',
    },
    { name: 'array of arrays', schema: { type: 'array', items: { type: 'array', items: { type: 'integer' } } }, expected: 'number[][]' },
    { name: 'array without items', schema: { type: 'array' }, expected: 'unknown[]' },
    { name: 'string map', schema: { type: 'object', additionalProperties: { type: 'string' } }, expected: 'Record<string, string>' },
    {
      name: 'map of int-or-string',
      schema: { type: 'object', additionalProperties: { 'x-kubernetes-int-or-string': true } },
      expected: 'Record<string, string | number>',
    },
    {
      name: 'preserve-unknown-fields object',
      schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      expected: 'Record<string, unknown>',
    },
    { name: 'untyped preserve-unknown-fields', schema: { 'x-kubernetes-preserve-unknown-fields': true }, expected: 'unknown' },
    { name: 'empty object', schema: { type: 'object' }, expected: 'Record<string, unknown>' },
    { name: 'nullable string', schema: { type: 'string', nullable: true }, expected: 'string | null' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const code = generateCrdTypes(crd(objectSchema({ field: c.schema }, ['field'])), 'widgets.yaml');
      includes(interfaceBody(code, 'WidgetSpec'), `\n  field: ${c.expected};\n`);
      if (c.declares !== undefined) includes(code, c.declares);
    });
  }
});

void test('required properties are plain, all others optional', () => {
  const code = generateCrdTypes(
    crd(objectSchema({ plan: { type: 'string' }, replicas: { type: 'integer' }, paused: { type: 'boolean' } }, ['plan', 'paused'])),
    'widgets.yaml',
  );
  assert.equal(
    interfaceBody(code, 'WidgetSpec'),
    'export interface WidgetSpec {\n  plan: string;\n  replicas?: number;\n  paused: boolean;\n}\n',
  );
});

void test('nested objects become interfaces named by their path, in schema order', () => {
  const spec = objectSchema({
    lifecycle: objectSchema({
      retention: objectSchema({ days: { type: 'integer' } }, ['days']),
      suspended: { type: 'boolean' },
    }),
    'tls-config': objectSchema({ secretName: { type: 'string' } }),
  });
  const code = generateCrdTypes(crd(spec), 'widgets.yaml');
  includes(code, '\n  lifecycle?: WidgetSpecLifecycle;\n');
  includes(code, "\n  'tls-config'?: WidgetSpecTlsConfig;\n");
  includes(interfaceBody(code, 'WidgetSpecLifecycle'), '\n  retention?: WidgetSpecLifecycleRetention;\n  suspended?: boolean;\n');
  includes(interfaceBody(code, 'WidgetSpecLifecycleRetention'), '\n  days: number;\n');
  const order = ['WidgetSpec', 'WidgetSpecLifecycle', 'WidgetSpecLifecycleRetention', 'WidgetSpecTlsConfig'].map((n) =>
    code.indexOf(`export interface ${n} {`),
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
    'interfaces are emitted parent first, in schema order',
  );
});

void test('arrays and maps of objects become Item and Value interfaces', () => {
  const condition = objectSchema(
    {
      type: { type: 'string' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      lastTransitionTime: { type: 'string', format: 'date-time' },
    },
    ['type', 'status'],
  );
  const code = generateCrdTypes(
    crd(objectSchema({ endpoints: { type: 'object', additionalProperties: objectSchema({ url: { type: 'string' } }) } }), {
      status: objectSchema({ conditions: { type: 'array', items: condition } }),
    }),
    'widgets.yaml',
  );
  includes(interfaceBody(code, 'WidgetStatus'), '\n  conditions?: WidgetStatusConditionsItem[];\n');
  includes(interfaceBody(code, 'WidgetStatusConditionsItem'), '\n  type: string;\n  status: WidgetStatusConditionsItemStatus;\n');
  includes(code, "\nexport type WidgetStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';\n");
  includes(interfaceBody(code, 'WidgetSpec'), '\n  endpoints?: Record<string, WidgetSpecEndpointsValue>;\n');
  includes(interfaceBody(code, 'WidgetSpecEndpointsValue'), '\n  url?: string;\n');
});

void test('an object with properties and x-kubernetes-preserve-unknown-fields keeps an index signature', () => {
  const code = generateCrdTypes(
    crd(objectSchema({ values: { ...objectSchema({ image: { type: 'string' } }), 'x-kubernetes-preserve-unknown-fields': true } })),
    'widgets.yaml',
  );
  includes(
    interfaceBody(code, 'WidgetSpecValues'),
    '\n  image?: string;\n  /** Fields not described by the schema are preserved. */\n  [key: string]: unknown;\n',
  );
});

void test('descriptions become TSDoc comments, with */ escaped, formats and defaults documented', () => {
  const code = generateCrdTypes(
    crd(
      {
        ...objectSchema({
          plan: { type: 'string', description: '  Billing plan of the tenant.  \n' },
          window: { type: 'string', description: 'Backup window.\nUse cron syntax like */5 * * * *.\n\n\nLocal time.' },
          deleteAfter: { type: 'string', format: 'date-time', description: 'When the tenant is deleted.' },
          replicas: { type: 'integer', default: 2 },
        }),
        description: 'Desired state.',
      },
      { description: 'A Widget is a thing.' },
    ),
    'widgets.yaml',
  );
  const spec = interfaceBody(code, 'WidgetSpec');
  assert.match(code, /\n\/\*\* Desired state\. \*\/\nexport interface WidgetSpec \{/);
  assert.match(
    code,
    /\/\*\*\n \* A Widget is a thing\.\n \*\n \* A namespaced `example\.io\/v1` resource \(plural `widgets`\)\.\n \*\/\nexport interface Widget \{/,
  );
  includes(spec, '\n  /** Billing plan of the tenant. */\n  plan?: string;\n');
  includes(
    spec,
    '\n  /**\n   * Backup window.\n   * Use cron syntax like *\\/5 * * * *.\n   *\n   * Local time.\n   */\n  window?: string;\n',
  );
  includes(
    spec,
    '\n   * When the tenant is deleted.\n   *\n   * Format: `date-time` (RFC 3339 timestamp string).\n   */\n  deleteAfter?: string;\n',
  );
  includes(spec, '\n  /** @defaultValue `2` */\n  replicas?: number;\n');
  assert.equal(code.split('*/').length, code.split('/*').length, 'no comment is closed early');
});

void test('long descriptions are wrapped at 100 columns and long unions are split per member', () => {
  const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
  const regions = ['us-east-1', 'eu-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-southeast-1', 'ap-northeast-1'];
  const code = generateCrdTypes(
    crd(
      objectSchema({
        notes: { type: 'string', description: `${words} uses @daily-style macros ${words}` },
        region: { type: 'string', enum: regions, description: 'Region.' },
      }),
    ),
    'widgets.yaml',
  );
  for (const line of code.split('\n')) assert.ok(line.length <= 100, `line too long: ${line}`);
  assert.ok(!/^\s*\* @daily/m.test(code), 'a word starting with @ never starts a comment line');
  includes(code, `\nexport type WidgetSpecRegion =\n${regions.map((r) => `  | '${r}'`).join('\n')};\n`);
  includes(code, '\n  region?: WidgetSpecRegion;\n');
});

void test('module shape: header, import, constants and the resource interface', () => {
  const code = generateCrdTypes(
    crd(objectSchema({ size: { type: 'integer' } }), {
      kind: 'BackupPolicy',
      plural: 'backuppolicies',
      status: objectSchema({ phase: { type: 'string' } }),
    }),
    'example.io_backuppolicies.yaml',
  );
  const expectedHead = [
    '// Generated from crds/example.io_backuppolicies.yaml by `npm run generate`. Do not edit.',
    '',
    "import type { V1ObjectMeta } from '@kubernetes/client-node';",
    '',
    "export const BACKUP_POLICY_GROUP = 'example.io';",
    "export const BACKUP_POLICY_VERSION = 'v1';",
    "export const BACKUP_POLICY_API_VERSION = 'example.io/v1';",
    "export const BACKUP_POLICY_PLURAL = 'backuppolicies';",
    "export const BACKUP_POLICY_KIND = 'BackupPolicy';",
    '',
  ].join('\n');
  assert.ok(code.startsWith(expectedHead), code);
  assert.equal(
    interfaceBody(code, 'BackupPolicy'),
    [
      'export interface BackupPolicy {',
      "  apiVersion: 'example.io/v1';",
      "  kind: 'BackupPolicy';",
      '  metadata: V1ObjectMeta;',
      '  spec: BackupPolicySpec;',
      '  status?: BackupPolicyStatus;',
      '}',
      '',
    ].join('\n'),
  );
  assert.ok(code.endsWith('}\n') && !code.endsWith('\n\n'), 'one trailing newline');
  assert.doesNotMatch(code, /"|\bany\b|\t| +\n/, 'single quotes, no any, no tabs, no trailing spaces');
  assert.equal(moduleNameFor(crd({ type: 'object' }, { kind: 'BackupPolicy' }), 'x.yaml'), 'backuppolicy');
});

void test('a spec or status without properties becomes a free-form alias; a missing status is omitted', () => {
  const code = generateCrdTypes(crd({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), 'widgets.yaml');
  assert.match(code, /\nexport type WidgetSpec = Record<string, unknown>;\n/);
  assert.doesNotMatch(code, /status/);
});

void test('the storage version is the one used', () => {
  const doc = crd(objectSchema({ old: { type: 'string' } }));
  const versions = (doc['spec'] as Json)['versions'] as Json[];
  const v1 = versions[0] as Json;
  v1['storage'] = false;
  versions.push({
    ...v1,
    name: 'v2',
    storage: true,
    schema: { openAPIV3Schema: objectSchema({ spec: objectSchema({ renamed: { type: 'string' } }) }) },
  });
  const code = generateCrdTypes(doc, 'widgets.yaml');
  assert.match(code, /WIDGET_VERSION = 'v2';/);
  assert.match(code, /renamed\?: string;/);
  assert.doesNotMatch(code, /old\?/);
  assert.equal(readCrd(doc, 'widgets.yaml').version, 'v2');
});

void test('invalid CRDs are rejected with the file name in the message', async (t) => {
  const valid = (): Json => crd(objectSchema({ a: { type: 'string' } }));
  const cases: { name: string; doc: unknown; error: RegExp }[] = [
    { name: 'not a mapping', doc: ['a'], error: /bad\.yaml: not a YAML mapping/ },
    { name: 'wrong kind', doc: { ...valid(), kind: 'Deployment' }, error: /bad\.yaml: kind must be CustomResourceDefinition/ },
    {
      name: 'v1beta1',
      doc: { ...valid(), apiVersion: 'apiextensions.k8s.io/v1beta1' },
      error: /apiVersion must be apiextensions\.k8s\.io\/v1/,
    },
    {
      name: 'no storage version',
      doc: { ...valid(), spec: { ...(valid()['spec'] as Json), versions: [{ name: 'v1', storage: false }] } },
      error: /exactly one version must have storage: true, found 0/,
    },
    {
      name: 'no schema',
      doc: { ...valid(), spec: { ...(valid()['spec'] as Json), versions: [{ name: 'v1', storage: true }] } },
      error: /version v1 has no schema\.openAPIV3Schema/,
    },
    {
      name: 'lowercase kind',
      doc: { ...valid(), spec: { ...(valid()['spec'] as Json), names: { kind: 'widget', plural: 'widgets' } } },
      error: /is not a PascalCase identifier/,
    },
    { name: 'unknown type', doc: crd(objectSchema({ a: { type: 'date' } })), error: /Widget\.spec\.a: unsupported schema type "date"/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.throws(() => generateCrdTypes(c.doc, 'bad.yaml'), c.error));
  }
});

void test('name collisions get a numeric suffix', () => {
  const code = generateCrdTypes(
    crd(objectSchema({ a: objectSchema({ b: { type: 'string' } }), 'a-': objectSchema({ c: { type: 'string' } }) })),
    'widgets.yaml',
  );
  includes(code, '\n  a?: WidgetSpecA;\n');
  includes(code, "\n  'a-'?: WidgetSpecA2;\n");
});

void test('naming helpers', async (t) => {
  const pascal: [string, string][] = [
    ['lifecycle', 'Lifecycle'],
    ['backupSchedule', 'BackupSchedule'],
    ['tls-config', 'TlsConfig'],
    ['s3', 'S3'],
    ['x.y_z', 'XYZ'],
    ['3d', '_3d'],
    ['--', 'Field'],
  ];
  for (const [input, expected] of pascal) await t.test(`pascalCase(${input})`, () => assert.equal(pascalCase(input), expected));
  const snake: [string, string][] = [
    ['Tenant', 'TENANT'],
    ['BackupPolicy', 'BACKUP_POLICY'],
    ['TLSConfig', 'TLS_CONFIG'],
    ['S3Bucket', 'S3_BUCKET'],
  ];
  for (const [input, expected] of snake) await t.test(`upperSnake(${input})`, () => assert.equal(upperSnake(input), expected));
});

void test('generation is deterministic', () => {
  const make = (): Json =>
    crd(
      objectSchema({
        plan: { type: 'string', enum: ['a', 'b'] },
        items: { type: 'array', items: objectSchema({ x: { type: 'integer' } }) },
      }),
      {
        status: objectSchema({ conditions: { type: 'array', items: objectSchema({ type: { type: 'string' } }) } }),
      },
    );
  const first = generateCrdTypes(make(), 'widgets.yaml');
  assert.equal(generateCrdTypes(make(), 'widgets.yaml'), first);
  assert.equal(generateCrdTypes(structuredClone(make()), 'widgets.yaml'), first);
  assert.equal(generateIndex(['b', 'a', 'b']), generateIndex(['a', 'b']));
});

void test('generateIndex re-exports every module, sorted', () => {
  assert.equal(
    generateIndex(['tenant', 'backuppolicy']),
    "// Generated from crds/*.yaml by `npm run generate`. Do not edit.\n\nexport * from './backuppolicy.js';\nexport * from './tenant.js';\n",
  );
  assert.match(generateIndex([]), /\nexport \{\};\n$/);
});

void test('findDrift reports missing, stale and extra files', async (t) => {
  const expected: GeneratedFile[] = [
    { path: 'src/api/generated/index.ts', content: 'index\n', source: 'crds/*.yaml' },
    { path: 'src/api/generated/tenant.ts', content: 'a\nb\n', source: 'crds/tenantry.io_tenants.yaml' },
  ];
  const cases: { name: string; actual: [string, string][]; problems: [string, string][] }[] = [
    {
      name: 'up to date',
      actual: [
        ['src/api/generated/index.ts', 'index\n'],
        ['src/api/generated/tenant.ts', 'a\nb\n'],
      ],
      problems: [],
    },
    {
      name: 'CRLF only',
      actual: [
        ['src/api/generated/index.ts', 'index\r\n'],
        ['src/api/generated/tenant.ts', 'a\r\nb\r\n'],
      ],
      problems: [],
    },
    {
      name: 'nothing generated yet',
      actual: [],
      problems: [
        ['missing', 'src/api/generated/index.ts'],
        ['missing', 'src/api/generated/tenant.ts'],
      ],
    },
    {
      name: 'stale and extra',
      actual: [
        ['src/api/generated/index.ts', 'index\n'],
        ['src/api/generated/tenant.ts', 'a\nc\n'],
        ['src/api/generated/old.ts', 'x'],
      ],
      problems: [
        ['extra', 'src/api/generated/old.ts'],
        ['stale', 'src/api/generated/tenant.ts'],
      ],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const problems = findDrift(expected, new Map(c.actual));
      assert.deepEqual(
        problems.map((p) => [p.kind, p.path]),
        c.problems,
      );
    });
  }
  await t.test('messages', () => {
    const [extra, stale] = findDrift(
      expected,
      new Map([
        ['src/api/generated/tenant.ts', 'a\nc\n'],
        ['src/api/generated/index.ts', 'index\n'],
        ['src/api/generated/old.ts', ''],
      ]),
    );
    assert.equal(stale?.message, 'src/api/generated/tenant.ts is out of date with crds/tenantry.io_tenants.yaml: run npm run generate');
    assert.deepEqual(stale?.hint, ['@@ line 2 @@', '- c', '+ b']);
    assert.match(extra?.message ?? '', /old\.ts is not generated from any CRD in crds\//);
  });
  await t.test('firstDifference at end of file', () => {
    assert.deepEqual(firstDifference('a\nb\n', 'a\n'), ['@@ line 2 @@', '- ', '+ b']);
    assert.deepEqual(firstDifference('a\n', 'a\n'), []);
    assert.deepEqual(firstDifference('a', 'a\nb'), ['@@ line 2 @@', '- b', '+ <end of file>']);
  });
});

void test('drift: adding a field to the CRD makes the committed file stale (so verify fails)', () => {
  const source = 'crds/example.io_widgets.yaml';
  const fixture = crd(objectSchema({ size: { type: 'integer' } }, ['size']));
  const committed = new Map([['src/api/generated/widget.ts', generateCrdTypes(fixture, 'example.io_widgets.yaml')]]);
  const expectedFrom = (doc: unknown): GeneratedFile[] => [
    { path: 'src/api/generated/widget.ts', content: generateCrdTypes(doc, 'example.io_widgets.yaml'), source },
  ];
  assert.deepEqual(findDrift(expectedFrom(fixture), committed), []);

  const mutated = structuredClone(fixture);
  const spec = (((((mutated['spec'] as Json)['versions'] as Json[])[0] as Json)['schema'] as Json)['openAPIV3Schema'] as Json)[
    'properties'
  ] as Json;
  ((spec['spec'] as Json)['properties'] as Json)['color'] = { type: 'string', description: 'The colour.' };

  const problems = findDrift(expectedFrom(mutated), committed);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.kind, 'stale');
  assert.equal(problems[0]?.message, `src/api/generated/widget.ts is out of date with ${source}: run npm run generate`);
  assert.ok(
    problems[0]?.hint.some((line) => line.startsWith('+ ') && line.includes('The colour.')),
    problems[0]?.hint.join('\n'),
  );
});

void test('CLI: generate, check, drift and cleanup in a scratch repository', () => {
  const root = mkdtempSync(join(tmpdir(), 'tenantry-codegen-'));
  try {
    const io = { lines: [] as string[], out: (l: string) => io.lines.push(l), err: (l: string) => io.lines.push(l) };
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'tsconfig.json'), '{}');
    // No crds/ at all: nothing to generate, the check passes and nothing is created.
    assert.equal(run(['--check'], root, io), 0);
    assert.equal(run([], root, io), 0);
    assert.equal(existsSync(join(root, GENERATED_DIR)), false);

    mkdirSync(join(root, 'crds'));
    const yaml = (extra: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.io
spec:
  group: example.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}${extra}
`;
    writeFileSync(join(root, 'crds', 'example.io_widgets.yaml'), yaml(''));
    writeFileSync(join(root, 'crds', 'kustomization.yaml'), 'resources: [example.io_widgets.yaml]\n');
    assert.equal(run(['--check'], root, io), 1, 'missing files are drift');
    assert.equal(run([], root, io), 0);
    assert.deepEqual(readdirSync(join(root, GENERATED_DIR)).sort(), ['index.ts', 'widget.ts']);
    assert.match(readFileSync(join(root, GENERATED_DIR, 'widget.ts'), 'utf8'), /size\?: number;/);
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io), 0);
    assert.match(io.lines.join('\n'), /OK, src\/api\/generated\/ is up to date with 1 CRD\(s\)/);
    assert.match(io.lines.join('\n'), /kustomization\.yaml is not a CustomResourceDefinition; skipped/);

    writeFileSync(join(root, 'crds', 'example.io_widgets.yaml'), yaml('\n                color: {type: string}'));
    io.lines.length = 0;
    assert.equal(run(['--check'], root, io), 1);
    assert.match(
      io.lines.join('\n'),
      /src\/api\/generated\/widget\.ts is out of date with crds\/example\.io_widgets\.yaml: run npm run generate/,
    );
    includes(io.lines.join('\n'), '+   color?: string;');

    // Regenerating fixes it; removing the CRD removes the generated files and the directory.
    assert.equal(run([], root, io), 0);
    assert.equal(run(['--check'], root, io), 0);
    rmSync(join(root, 'crds', 'example.io_widgets.yaml'));
    assert.equal(run(['--check'], root, io), 1, 'generated files without a CRD are drift');
    assert.equal(run([], root, io), 0);
    assert.equal(existsSync(join(root, GENERATED_DIR)), false);

    // A malformed CRD fails without writing anything.
    writeFileSync(join(root, 'crds', 'bad.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {}\n');
    io.lines.length = 0;
    assert.equal(run([], root, io), 1);
    assert.match(io.lines.join('\n'), /bad\.yaml: spec\.group must be a non-empty string/);
    assert.equal(existsSync(join(root, GENERATED_DIR)), false);
    assert.equal(run(['--bogus'], root, io), 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('generated types are up to date with crds/', () => {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  assert.ok(listCrdFiles(root).length >= 3, 'crds/ holds the three CRDs');
  const problems = findDrift(planGeneration(root).files, readGenerated(root));
  assert.deepEqual(
    problems.map((p) => [p.message, ...p.hint].join('\n')),
    [],
    'run `npm run generate` and commit src/api/generated/',
  );
});
