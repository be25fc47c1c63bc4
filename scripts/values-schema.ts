// `npm run generate`: writes the Helm chart's values.schema.json. Its `config` part follows the
// operator configuration's key tree (src/config-keys.ts: no unknown key at any depth, so `helm
// install` already refuses a typo the operator would refuse at start) and the region list
// (src/api/regions.ts); the rest is written here.
// `npm run verify` (`--check`): writes nothing, exits 1 when the chart's file differs.
import { runFileGenerator, runIfMain, type ScriptIo } from './script-main.js';
import { findRepoRoot } from './generate.js';
import { GENERATE_COMMAND, type GeneratedFile } from './codegen.js';
import { REGIONS } from '../src/api/regions.js';
import { CONFIG_SHAPE, type Shape } from '../src/config-keys.js';
import { DEFAULT_DURATIONS } from '../src/lifecycle/types.js';

/** The repo-relative path of the generated schema. */
export const VALUES_SCHEMA = 'charts/tenantry/values.schema.json';

type JsonSchema = Record<string, unknown>;

/** Returns the JSON schema of a configuration value of shape `shape`: types of mappings and lists, and their known keys. */
export function shapeSchema(shape: Shape): JsonSchema {
  if (shape === true) return {};
  if ('items' in shape) return { type: 'array', items: shapeSchema(shape.items) };
  if ('entries' in shape) return { type: 'object', additionalProperties: shapeSchema(shape.entries) };
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(shape.fields).map(([k, v]) => [k, shapeSchema(v)])),
    additionalProperties: false,
  };
}

/** Returns `base` with `over` merged into it (objects merge, anything else replaces). */
function overlay(base: JsonSchema, over: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObject = (x: unknown): x is JsonSchema => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObject(b) && isObject(v) ? overlay(b, v) : v;
  }
  return out;
}

/** Returns the chart's values schema for `regions`. */
export function valuesSchema(regions: readonly string[]): JsonSchema {
  const required = { type: 'string', minLength: 1 };
  const config = overlay(shapeSchema(CONFIG_SHAPE), {
    description:
      "The operator's configuration (src/config.ts): the keys it knows, at every depth; the operator checks the values at start.",
    required: ['regions'],
    properties: {
      regions: {
        minProperties: 1,
        propertyNames: { enum: regions },
        additionalProperties: {
          required: ['storageClassName', 'kmsKeyId', 'backupBucket'],
          properties: {
            storageClassName: required,
            kmsKeyId: required,
            backupBucket: required,
            archiveBucket: required,
            billingKmsKeyId: required,
            nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
      lifecycle: {
        properties: {
          durations: {
            properties: Object.fromEntries(Object.keys(DEFAULT_DURATIONS).map((k) => [k, { type: 'integer', minimum: 1 }])),
          },
          dryRun: { type: 'boolean' },
          tenantKmsKeys: { type: 'boolean' },
          auditRetentionDays: { type: 'integer', minimum: 1 },
          billingRetentionDays: { type: 'integer', minimum: 1 },
          s3Endpoint: { type: 'string', pattern: '^https?://' },
          kmsEndpoint: { type: 'string', pattern: '^https?://' },
        },
      },
      release: {
        properties: {
          defaultChannel: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
            pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
          },
        },
      },
    },
  });
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    $comment: `Generated from scripts/values-schema.ts by \`${GENERATE_COMMAND}\`. Do not edit.`,
    title: 'Values of the tenantry chart',
    type: 'object',
    required: ['replicaCount', 'image', 'config'],
    properties: {
      replicaCount: { type: 'integer', minimum: 1 },
      image: {
        type: 'object',
        required: ['repository'],
        properties: {
          repository: required,
          tag: { type: 'string' },
          digest: { type: 'string', pattern: '^(sha256:[0-9a-f]{64})?$' },
          pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
        },
      },
      logLevel: { enum: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] },
      healthPort: { type: 'integer', minimum: 1, maximum: 65535 },
      config,
      podDisruptionBudget: {
        type: 'object',
        properties: { enabled: { type: 'boolean' }, maxUnavailable: { type: ['integer', 'string'] } },
      },
      serviceMonitor: { type: 'object', properties: { enabled: { type: 'boolean' } } },
      prometheusRule: {
        type: 'object',
        properties: {
          enabled: { type: 'boolean' },
          breachNoticeWarningHours: { type: 'number', exclusiveMinimum: 0 },
          securityPatchMaxAgeHours: { type: 'number', exclusiveMinimum: 0 },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      sweep: {
        type: 'object',
        properties: {
          enabled: { type: 'boolean' },
          schedule: { type: 'string', minLength: 9 },
          timeZone: required,
          dryRun: { type: 'boolean' },
          activeDeadlineSeconds: { type: 'integer', minimum: 60 },
        },
      },
    },
  };
}

/** Returns the generated file. */
export function planValuesSchema(regions: readonly string[] = REGIONS): GeneratedFile[] {
  return [{ path: VALUES_SCHEMA, source: 'scripts/values-schema.ts', content: `${JSON.stringify(valuesSchema(regions), null, 2)}\n` }];
}

const USAGE = `usage: node dist/scripts/values-schema.js [--check]
  (no option)  write ${VALUES_SCHEMA}
  --check      write nothing; exit 1 if ${VALUES_SCHEMA} differs from what this script writes`;

/** Runs the CLI against `root`; returns the exit code. */
export function run(args: readonly string[], root: string, io: ScriptIo): number {
  return runFileGenerator(
    { name: 'values-schema', usage: USAGE, plan: () => planValuesSchema(), okMessage: `${VALUES_SCHEMA} is up to date` },
    args,
    root,
    io,
  );
}

runIfMain(import.meta.url, (args, fromDir, io) => run(args, findRepoRoot(fromDir), io));
