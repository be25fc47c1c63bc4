// Code generation from the hand-written CRDs in crds/*.yaml, which are the single source of
// truth of the API. Pure functions only (no I/O): scripts/generate.ts reads and writes files.
// Build tooling, not part of the operator: it lives in scripts/ so it stays out of the image.
//
// Naming scheme (deterministic, derived from the schema path):
//   - the resource itself is `<Kind>`; its root properties are `<Kind><Prop>` (`TenantSpec`,
//     `TenantStatus`);
//   - an object property `foo` of interface `P` becomes `P` + PascalCase(`foo`)
//     (`TenantSpecLifecycle`);
//   - the items of an array property `foo` become `P` + PascalCase(`foo`) + `Item`
//     (`TenantStatusConditionsItem`), nested arrays add another `Item`;
//   - the values of a map property `foo` (additionalProperties) become `P` + PascalCase(`foo`) +
//     `Value`;
//   - an `enum` becomes a string-literal union type alias named the same way
//     (`TenantSpecRegion`, `TenantStatusPhase`, `TenantStatusConditionsItemStatus`);
//   - PascalCase splits on non-alphanumerics and upper-cases each part's first letter
//     (`tls-config` → `TlsConfig`, `backupSchedule` → `BackupSchedule`);
//   - should two paths still produce the same name, the later one (in schema order) gets a
//     numeric suffix (`…2`, `…3`).
// Properties are emitted in schema order; the output depends only on the CRD object.

/** The header line of every generated module; also how generated files are recognised. */
export const GENERATED_MARKER = '// Generated ';

/** The command that regenerates the files, quoted in headers and drift messages. */
export const GENERATE_COMMAND = 'npm run generate';

/** What generateCrdTypes needs to know about a CRD: the storage version and its names. */
export interface CrdInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: string;
  /** `spec.versions[storage].schema.openAPIV3Schema`. */
  schema: Schema;
}

type Schema = Record<string, unknown>;

const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, what: string, sourceName: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${sourceName}: ${what} must be a non-empty string`);
  }
  return value;
}

/** Whether a parsed YAML document is meant to be a CustomResourceDefinition. */
export function isCrdDocument(doc: unknown): boolean {
  return isRecord(doc) && doc['kind'] === 'CustomResourceDefinition';
}

/**
 * Validates a CRD object and extracts its storage version (the one with `storage: true`), or the
 * served version named `version`. Throws an Error naming `sourceName` when the object is not a
 * usable apiextensions.k8s.io/v1 CRD.
 */
export function readCrd(crd: unknown, sourceName: string, version?: string): CrdInfo {
  if (!isRecord(crd)) throw new Error(`${sourceName}: not a YAML mapping`);
  if (crd['kind'] !== 'CustomResourceDefinition') {
    throw new Error(`${sourceName}: kind must be CustomResourceDefinition, got ${JSON.stringify(crd['kind'])}`);
  }
  if (crd['apiVersion'] !== CRD_API_VERSION) {
    throw new Error(`${sourceName}: apiVersion must be ${CRD_API_VERSION}, got ${JSON.stringify(crd['apiVersion'])}`);
  }
  const spec = crd['spec'];
  if (!isRecord(spec)) throw new Error(`${sourceName}: spec is missing`);
  const group = requireString(spec['group'], 'spec.group', sourceName);
  const names = spec['names'];
  if (!isRecord(names)) throw new Error(`${sourceName}: spec.names is missing`);
  const kind = requireString(names['kind'], 'spec.names.kind', sourceName);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    throw new Error(`${sourceName}: spec.names.kind ${JSON.stringify(kind)} is not a PascalCase identifier`);
  }
  const plural = requireString(names['plural'], 'spec.names.plural', sourceName);
  const scope = typeof spec['scope'] === 'string' ? spec['scope'] : 'Namespaced';
  const versions = spec['versions'];
  if (!Array.isArray(versions) || versions.length === 0) {
    throw new Error(`${sourceName}: spec.versions must be a non-empty list`);
  }
  const storage = versions.filter((v): v is Record<string, unknown> => isRecord(v) && v['storage'] === true);
  if (storage.length !== 1) {
    throw new Error(`${sourceName}: exactly one version must have storage: true, found ${storage.length}`);
  }
  // An upstream CRD may store an older version than the one its clients write (Gateway API's
  // ReferenceGrant stores v1beta1, serves v1): the caller then names the version it writes.
  const chosen =
    version === undefined
      ? storage[0]
      : versions.find((v): v is Record<string, unknown> => isRecord(v) && v['name'] === version && v['served'] !== false);
  if (chosen === undefined) throw new Error(`${sourceName}: no served version ${String(version)}`);
  const name = requireString(chosen['name'], 'the storage version name', sourceName);
  const wrapper = chosen['schema'];
  const schema = isRecord(wrapper) ? wrapper['openAPIV3Schema'] : undefined;
  if (!isRecord(schema)) {
    throw new Error(`${sourceName}: version ${name} has no schema.openAPIV3Schema`);
  }
  return { group, version: name, kind, plural, scope, schema };
}

/**
 * The base name (no extension) of the module generated for a CRD: its kind in lower case,
 * like the CRD's default singular name (`Tenant` → `tenant`, `BackupPolicy` → `backuppolicy`).
 */
export function moduleNameFor(crd: unknown, sourceName: string): string {
  return readCrd(crd, sourceName).kind.toLowerCase();
}

/** `BackupPolicy` → `BACKUP_POLICY`, `TLSConfig` → `TLS_CONFIG`. */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

/** `tls-config` → `TlsConfig`, `backupSchedule` → `BackupSchedule`, `3` → `_3`. */
export function pascalCase(name: string): string {
  const joined = name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  if (joined === '') return 'Field';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `'${escaped}'`;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

/** Makes text safe inside a block comment. */
function escapeComment(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

/** Generated lines are kept within this many columns where possible (comments and unions). */
const WIDTH = 100;

/**
 * Word-wraps one comment line to `width` columns. A word starting with `@` is never moved to
 * the start of a line, where TypeScript would read it as a JSDoc tag.
 */
function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const words = line
    .slice(indent.length)
    .split(/ +/)
    .filter((w) => w !== '');
  const out: string[][] = [];
  let current: string[] = [];
  let length = indent.length;
  for (const word of words) {
    if (current.length > 0 && length + 1 + word.length > width) {
      // Carry the previous word along rather than start a line with `@`.
      const carried = word.startsWith('@') && current.length > 1 ? current.splice(-1) : [];
      out.push(current);
      current = carried;
      length = indent.length + carried.join(' ').length;
    }
    length += (current.length > 0 ? 1 : 0) + word.length;
    current.push(word);
  }
  out.push(current);
  return out.map((ws) => indent + ws.join(' '));
}

/** The lines of a TSDoc comment at `indent`, wrapped to WIDTH, or nothing when `lines` is empty. */
function docComment(lines: readonly string[], indent: string): string[] {
  if (lines.length === 0) return [];
  const only = lines[0];
  if (lines.length === 1 && only !== undefined && indent.length + only.length + 7 <= WIDTH) {
    return [`${indent}/** ${only} */`];
  }
  const width = Math.max(40, WIDTH - indent.length - 3);
  const body = lines.flatMap((line) => (line.startsWith('@') ? [line] : wrapLine(line, width)));
  return [`${indent}/**`, ...body.map((line) => (line === '' ? `${indent} *` : `${indent} * ${line}`)), `${indent} */`];
}

/** The documentation of a schema: its description, then its format and default. */
function schemaDoc(schema: Schema): string[] {
  const lines: string[] = [];
  const description = schema['description'];
  if (typeof description === 'string') {
    const described = description
      .trim()
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((line) => escapeComment(line.trimEnd()));
    // Collapse runs of blank lines so the comment stays compact.
    for (const line of described) {
      if (line.trim() === '' && lines.length > 0 && lines[lines.length - 1] === '') continue;
      lines.push(line.trim() === '' ? '' : line);
    }
  }
  const extras: string[] = [];
  const format = schema['format'];
  if (typeof format === 'string' && format !== '') {
    extras.push(`Format: \`${escapeComment(format)}\`${format === 'date-time' ? ' (RFC 3339 timestamp string)' : ''}.`);
  }
  if (schema['x-kubernetes-int-or-string'] === true) extras.push('An integer or a string.');
  if ('default' in schema && schema['default'] !== undefined) {
    extras.push(`@defaultValue \`${escapeComment(JSON.stringify(schema['default']))}\``);
  }
  if (extras.length > 0 && lines.length > 0) lines.push('');
  lines.push(...extras);
  return lines;
}

/** Whether a type expression has a `|` outside of brackets (so it needs parentheses before `[]`). */
function isTopLevelUnion(type: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if (c === '<' || c === '(' || c === '[' || c === '{') depth++;
    else if (c === '>' || c === ')' || c === ']' || c === '}') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** The TypeScript literals of a schema's `enum`, or undefined when it has none (or a non-scalar one). */
function enumLiterals(schema: Schema): string[] | undefined {
  const values = schema['enum'];
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const literals = values.map(enumLiteral);
  return literals.every((l): l is string => l !== undefined) ? [...new Set(literals)] : undefined;
}

function enumLiteral(value: unknown): string | undefined {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return undefined;
}

/** Accumulates the declarations of one module. */
class Emitter {
  /** Declaration blocks in emission order (pre-order: a parent before its children). */
  readonly blocks: string[] = [];
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[]) {
    for (const name of reserved) this.used.add(name);
  }

  /** Claims `name`, or the first free `name2`, `name3`, ... */
  reserve(name: string): string {
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}${n}`;
    this.used.add(candidate);
    return candidate;
  }

  /** The TypeScript type of `schema`; nested object schemas become interfaces named from `hint`. */
  typeOf(schema: unknown, hint: string, path: string): string {
    if (!isRecord(schema)) return 'unknown';
    const base = this.baseType(schema, hint, path);
    return schema['nullable'] === true && base !== 'unknown' ? `${base} | null` : base;
  }

  private baseType(schema: Schema, hint: string, path: string): string {
    if (schema['x-kubernetes-int-or-string'] === true) return 'string | number';
    const literals = enumLiterals(schema);
    if (literals !== undefined) return this.declareUnion(hint, literals, schema);
    const type = schema['type'];
    switch (type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const items = schema['items'];
        const item = isRecord(items) ? this.typeOf(items, `${hint}Item`, `${path}[]`) : 'unknown';
        return isTopLevelUnion(item) ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
      case undefined:
        return this.objectType(schema, hint, path);
      default:
        throw new Error(`${path}: unsupported schema type ${JSON.stringify(type)}`);
    }
  }

  private objectType(schema: Schema, hint: string, path: string): string {
    const properties = schema['properties'];
    if (isRecord(properties) && Object.keys(properties).length > 0) {
      return this.declareInterface(hint, schema, path);
    }
    const additional = schema['additionalProperties'];
    if (isRecord(additional)) {
      return `Record<string, ${this.typeOf(additional, `${hint}Value`, `${path}{}`)}>`;
    }
    // An untyped schema without properties (x-kubernetes-preserve-unknown-fields, or only
    // anyOf/oneOf validations) allows any JSON value.
    if (schema['type'] === undefined) return 'unknown';
    // An object with no declared properties: free-form (x-kubernetes-preserve-unknown-fields,
    // x-kubernetes-embedded-resource, additionalProperties: true) or empty.
    return 'Record<string, unknown>';
  }

  /** Emits `export type <hint> = 'a' | 'b';` for an enum; returns the name used. */
  private declareUnion(hint: string, literals: readonly string[], schema: Schema): string {
    const name = this.reserve(hint);
    const head = `export type ${name} =`;
    const oneLine = `${head} ${literals.join(' | ')};`;
    const body = oneLine.length <= WIDTH ? [oneLine] : [head, ...literals.map((l, i) => `  | ${l}${i === literals.length - 1 ? ';' : ''}`)];
    this.blocks.push([...docComment(schemaDoc(schema), ''), ...body].join('\n'));
    return name;
  }

  /** Emits `export interface <hint>` for an object schema with properties; returns the name used. */
  declareInterface(hint: string, schema: Schema, path: string, doc: string[] = schemaDoc(schema)): string {
    const name = this.reserve(hint);
    const slot = this.blocks.length;
    this.blocks.push('');
    const properties = isRecord(schema['properties']) ? schema['properties'] : {};
    const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
    const lines = [...docComment(doc, ''), `export interface ${name} {`];
    for (const [prop, propSchema] of Object.entries(properties)) {
      const type = this.typeOf(propSchema, `${name}${pascalCase(prop)}`, `${path}.${prop}`);
      if (isRecord(propSchema)) lines.push(...docComment(schemaDoc(propSchema), '  '));
      lines.push(`  ${propertyKey(prop)}${required.has(prop) ? '' : '?'}: ${type};`);
    }
    if (schema['x-kubernetes-preserve-unknown-fields'] === true) {
      lines.push('  /** Fields not described by the schema are preserved. */', '  [key: string]: unknown;');
    }
    lines.push('}');
    this.blocks[slot] = lines.join('\n');
    return name;
  }

  /** Declares `name` for a root property: an interface for objects with properties, else a type alias. */
  declareNamed(name: string, schema: unknown, path: string): string {
    if (isRecord(schema) && schema['nullable'] !== true && schema['x-kubernetes-int-or-string'] !== true) {
      const properties = schema['properties'];
      const isObject = schema['type'] === 'object' || schema['type'] === undefined;
      if (isObject && isRecord(properties) && Object.keys(properties).length > 0) {
        return this.declareInterface(name, schema, path);
      }
      const literals = enumLiterals(schema);
      if (literals !== undefined) return this.declareUnion(name, literals, schema);
    }
    const alias = this.reserve(name);
    const slot = this.blocks.length;
    this.blocks.push('');
    const type = isRecord(schema) ? this.typeOf(schema, alias, path) : 'Record<string, unknown>';
    const doc = isRecord(schema) ? schemaDoc(schema) : [];
    this.blocks[slot] = [...docComment(doc, ''), `export type ${alias} = ${type};`].join('\n');
    return alias;
  }
}

/** Options of {@link generateCrdTypes} for CRDs that are not ours (the upstream kinds the builders write). */
export interface CrdTypeOptions {
  /** The served version to generate instead of the storage version. */
  version?: string;
  /** Where the CRD comes from, as the header names it; default `crds/<sourceName>`. */
  origin?: string;
}

/**
 * Generates the TypeScript module for one CRD object (its storage version, or `options.version`):
 * interfaces for the spec, status and every nested object, the resource interface and its API
 * constants. `sourceName` is the CRD's file name inside crds/, quoted in the header and in errors.
 */
export function generateCrdTypes(crd: unknown, sourceName: string, options: CrdTypeOptions = {}): string {
  const info = readCrd(crd, sourceName, options.version);
  const { group, version, kind, plural, schema } = info;
  const apiVersion = `${group}/${version}`;
  const prefix = upperSnake(kind);
  const emitter = new Emitter([kind, 'V1ObjectMeta']);
  const rootProperties = isRecord(schema['properties']) ? schema['properties'] : {};
  const rootRequired = new Set(
    Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : [],
  );

  // Root members: apiVersion, kind and metadata are fixed; spec is always present (free-form
  // when the schema does not describe it); status and any other root property follow the schema.
  const members: string[] = [`  apiVersion: ${quote(apiVersion)};`, `  kind: ${quote(kind)};`, '  metadata: V1ObjectMeta;'];
  const specSchema = rootProperties['spec'];
  const specName = emitter.declareNamed(`${kind}Spec`, specSchema, `${kind}.spec`);
  if (isRecord(specSchema)) members.push(...docComment(schemaDoc(specSchema), '  '));
  members.push(`  spec: ${specName};`);
  for (const [prop, propSchema] of Object.entries(rootProperties)) {
    if (prop === 'apiVersion' || prop === 'kind' || prop === 'metadata' || prop === 'spec') continue;
    const path = `${kind}.${prop}`;
    const type = emitter.declareNamed(`${kind}${pascalCase(prop)}`, propSchema, path);
    if (isRecord(propSchema)) members.push(...docComment(schemaDoc(propSchema), '  '));
    const optional = prop === 'status' || !rootRequired.has(prop);
    members.push(`  ${propertyKey(prop)}${optional ? '?' : ''}: ${type};`);
  }

  const rootDescription = typeof schema['description'] === 'string' ? schemaDoc(schema) : [];
  const resourceDoc = [
    ...rootDescription,
    ...(rootDescription.length > 0 ? [''] : []),
    `A ${info.scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'} \`${apiVersion}\` resource (plural \`${escapeComment(plural)}\`).`,
  ];
  const resource = [...docComment(resourceDoc, ''), `export interface ${kind} {`, ...members, '}'].join('\n');

  const sections = [
    `// Generated from ${options.origin ?? `crds/${sourceName}`} by \`${GENERATE_COMMAND}\`. Do not edit.`,
    "import type { V1ObjectMeta } from '@kubernetes/client-node';",
    [
      `export const ${prefix}_GROUP = ${quote(group)};`,
      `export const ${prefix}_VERSION = ${quote(version)};`,
      `export const ${prefix}_API_VERSION = ${quote(apiVersion)};`,
      `export const ${prefix}_PLURAL = ${quote(plural)};`,
      `export const ${prefix}_KIND = ${quote(kind)};`,
    ].join('\n'),
    resource,
    ...emitter.blocks,
  ];
  return `${sections.join('\n\n')}\n`;
}

/**
 * The barrel module `src/api/generated/index.ts`, re-exporting each module (base names, no extension);
 * `origin` names the sources in the header.
 */
export function generateIndex(modules: readonly string[], origin = 'crds/*.yaml'): string {
  const sorted = [...new Set(modules)].sort();
  const lines = [`// Generated from ${origin} by \`${GENERATE_COMMAND}\`. Do not edit.`, ''];
  if (sorted.length === 0) lines.push('export {};');
  for (const module of sorted) lines.push(`export * from './${module}.js';`);
  return `${lines.join('\n')}\n`;
}

/** A file the generator produces: its repo-relative path, content and the CRD file it comes from. */
export interface GeneratedFile {
  /** Repo-relative, `/`-separated, e.g. `src/api/generated/tenant.ts`. */
  path: string;
  content: string;
  /** Repo-relative source, e.g. `crds/tenantry.io_tenants.yaml` (or `crds/*.yaml` for the index). */
  source: string;
}

export type DriftKind = 'missing' | 'stale' | 'extra';

export interface DriftProblem {
  kind: DriftKind;
  path: string;
  /** The CRD file the expected content comes from (absent for extra files). */
  source?: string;
  /** One line: what is wrong and what to run. */
  message: string;
  /** For stale files: the first differing line, diff-style (`-` committed, `+` generated). */
  hint: string[];
}

function normalizeEol(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** The first line where `actual` differs from `expected`, as `@@ line N @@`, `- actual`, `+ expected`. */
export function firstDifference(expected: string, actual: string): string[] {
  const want = normalizeEol(expected).split('\n');
  const have = normalizeEol(actual).split('\n');
  const length = Math.max(want.length, have.length);
  for (let i = 0; i < length; i++) {
    if (want[i] !== have[i]) {
      return [
        `@@ line ${i + 1} @@`,
        have[i] === undefined ? '- <end of file>' : `- ${have[i]}`,
        want[i] === undefined ? '+ <end of file>' : `+ ${want[i]}`,
      ];
    }
  }
  return [];
}

/**
 * Compares the files the generator would write (`expected`) with the files present in the
 * generated directory (`actual`: repo-relative path → content) and lists every difference:
 * a missing file, a stale file (content differs; line endings are ignored) and an extra file
 * that no CRD generates. Sorted by path.
 */
export function findDrift(expected: readonly GeneratedFile[], actual: ReadonlyMap<string, string>): DriftProblem[] {
  const problems: DriftProblem[] = [];
  const wanted = new Set<string>();
  for (const file of expected) {
    wanted.add(file.path);
    const have = actual.get(file.path);
    if (have === undefined) {
      problems.push({
        kind: 'missing',
        path: file.path,
        source: file.source,
        message: `${file.path} is missing (generated from ${file.source}): run ${GENERATE_COMMAND}`,
        hint: [],
      });
    } else if (normalizeEol(have) !== normalizeEol(file.content)) {
      problems.push({
        kind: 'stale',
        path: file.path,
        source: file.source,
        message: `${file.path} is out of date with ${file.source}: run ${GENERATE_COMMAND}`,
        hint: firstDifference(file.content, have),
      });
    }
  }
  for (const path of actual.keys()) {
    if (wanted.has(path)) continue;
    problems.push({
      kind: 'extra',
      path,
      message: `${path} is not generated from any CRD in crds/: run ${GENERATE_COMMAND} to remove it`,
      hint: [],
    });
  }
  return problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
