// Brings the upstream CRDs our resources reference (cert-manager, Gateway API, Traefik) into the
// test cluster, so the real API server validates what the operator creates against their schemas.
// The Go module proxy is the only outside source these machines reach, so each project is fetched
// as a Go module zip pinned in test/env/upstream/go.mod and checked against its go.sum.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { envSourceDir } from './paths.js';
import { envLog, runTool } from './proc.js';

/** The pinned upstream Go modules the CRDs come from, by module path. */
export const UPSTREAM_CRD_VERSIONS = {
  'github.com/cert-manager/cert-manager': 'v1.21.2',
  'sigs.k8s.io/gateway-api': 'v1.6.3',
  'github.com/traefik/traefik/v3': 'v3.7.13',
} as const;

type UpstreamModule = keyof typeof UPSTREAM_CRD_VERSIONS;

interface UpstreamSource {
  /** Output file name inside the target folder. */
  file: string;
  module: UpstreamModule;
  /** YAML files inside the module zip that hold the CRDs, relative to its root; a folder means every .yaml/.yml in it. */
  paths: string[];
  group: string;
  /** The CRD kinds to keep (spec.names.kind); anything else in those files is dropped. */
  kinds: string[];
}

const SOURCES: UpstreamSource[] = [
  {
    file: 'cert-manager.yaml',
    module: 'github.com/cert-manager/cert-manager',
    // deploy/crds is controller-gen's plain output; the Helm chart's copies differ only by templating.
    paths: ['deploy/crds'],
    group: 'cert-manager.io',
    kinds: ['Certificate', 'ClusterIssuer', 'Issuer'],
  },
  {
    file: 'gateway-api.yaml',
    module: 'sigs.k8s.io/gateway-api',
    paths: ['config/crd/standard'],
    group: 'gateway.networking.k8s.io',
    kinds: ['Gateway', 'GatewayClass', 'HTTPRoute', 'ListenerSet', 'ReferenceGrant'],
  },
  {
    file: 'traefik.yaml',
    module: 'github.com/traefik/traefik/v3',
    paths: ['docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml'],
    group: 'traefik.io',
    kinds: ['Middleware', 'TLSOption', 'IngressRoute'],
  },
];

// Not .yaml/.json, so `kubectl apply -f DIR` skips it.
const STAMP_FILE = '.upstream-crds.stamp';
// Bump when the extraction changes in a way the versions alone would not reveal.
const FORMAT = 1;

interface CrdLike {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; labels?: unknown; annotations?: unknown };
  spec?: { group?: unknown; names?: { kind?: unknown } };
}

/**
 * Downloads (through the Go module proxy, cached in GOMODCACHE) and extracts the pinned upstream CRDs
 * into `dir`, returning the written file paths.
 */
export async function ensureUpstreamCrds(dir: string): Promise<string[]> {
  const files = SOURCES.map((s) => join(dir, s.file));
  const stamp = JSON.stringify({ format: FORMAT, versions: UPSTREAM_CRD_VERSIONS, sources: SOURCES }) + '\n';
  const stampPath = join(dir, STAMP_FILE);
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp && files.every((f) => existsSync(f))) return files;

  const moduleDir = join(envSourceDir(), 'upstream');
  const sums = pinnedSums(moduleDir);
  mkdirSync(dir, { recursive: true });
  for (const [i, src] of SOURCES.entries()) {
    const root = await downloadModule(moduleDir, src.module, sums.get(src.module)!);
    writeAtomic(files[i]!, render(src, root));
  }
  // Written last: a run cut short leaves no stamp, so the next one redoes the work.
  writeAtomic(stampPath, stamp);
  envLog(
    `upstream CRDs (${Object.entries(UPSTREAM_CRD_VERSIONS)
      .map(([m, v]) => `${m}@${v}`)
      .join(', ')}) written to ${dir}`,
  );
  return files;
}

/**
 * Checks go.mod and go.sum agree with UPSTREAM_CRD_VERSIONS and returns each module's zip hash.
 * `go mod download` adds a missing go.sum line instead of failing, which would both dirty the
 * clone and accept an unpinned zip; requiring the line up front keeps every download verified.
 */
function pinnedSums(moduleDir: string): Map<UpstreamModule, string> {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const goSum = readFileSync(join(moduleDir, 'go.sum'), 'utf8').split('\n');
  const sums = new Map<UpstreamModule, string>();
  for (const [mod, version] of Object.entries(UPSTREAM_CRD_VERSIONS) as [UpstreamModule, string][]) {
    const required = new RegExp(`^\\s*(?:require\\s+)?${escapeRegExp(mod)}\\s+${escapeRegExp(version)}\\s*$`, 'm');
    if (!required.test(goMod))
      throw new Error(`${moduleDir}/go.mod does not require ${mod} ${version}: keep it in step with UPSTREAM_CRD_VERSIONS`);
    const line = goSum.find((l) => l.startsWith(`${mod} ${version} h1:`));
    if (!line)
      throw new Error(
        `${moduleDir}/go.sum has no hash for ${mod}@${version}: run \`go mod download ${mod}@${version}\` there and commit go.sum`,
      );
    sums.set(mod, line.split(' ')[2]!);
  }
  return sums;
}

/** Downloads one pinned module (a no-op when GOMODCACHE has it) and returns the folder it is unpacked in. */
async function downloadModule(moduleDir: string, mod: UpstreamModule, sum: string): Promise<string> {
  const ref = `${mod}@${UPSTREAM_CRD_VERSIONS[mod]}`;
  // GOWORK=off: a go.work further up must not pull this folder into someone else's workspace.
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' };
  const out = await runTool('go', ['mod', 'download', '-json', ref], { cwd: moduleDir, env });
  const info = JSON.parse(out) as { Dir?: string; Sum?: string; Error?: string };
  if (info.Error) throw new Error(`go mod download ${ref}: ${info.Error}`);
  if (info.Sum !== sum) throw new Error(`go mod download ${ref} returned hash ${String(info.Sum)}, go.sum pins ${sum}`);
  if (!info.Dir || !existsSync(info.Dir)) throw new Error(`go mod download ${ref} reported no module folder`);
  return info.Dir;
}

/** Collects the wanted CRDs of one project from its module folder and renders them as one multi-document YAML file. */
function render(src: UpstreamSource, root: string): string {
  const found = new Map<string, CrdLike>();
  for (const file of yamlFiles(root, src.paths)) {
    for (const doc of loadAll(stripHelm(readFileSync(file, 'utf8'), file), { filename: file })) {
      const crd = doc as CrdLike | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition' || crd.spec?.group !== src.group) continue;
      const kind = crd.spec.names?.kind;
      if (typeof kind !== 'string' || !src.kinds.includes(kind)) continue;
      if (crd.apiVersion !== 'apiextensions.k8s.io/v1')
        throw new Error(`${file}: ${kind} is ${String(crd.apiVersion)}, not apiextensions.k8s.io/v1`);
      if (found.has(kind)) throw new Error(`${src.module}: CRD kind ${kind} found twice`);
      // A stripped Helm include leaves its `labels:`/`annotations:` key null; drop it as Helm's render would be a map.
      if (crd.metadata?.labels === null) delete crd.metadata.labels;
      if (crd.metadata?.annotations === null) delete crd.metadata.annotations;
      found.set(kind, crd);
    }
  }
  const missing = src.kinds.filter((k) => !found.has(k));
  if (missing.length > 0)
    throw new Error(`${src.module}@${UPSTREAM_CRD_VERSIONS[src.module]}: CRDs ${missing.join(', ')} not found in ${src.paths.join(', ')}`);

  const docs = src.kinds.map((k) => found.get(k)!);
  const header = `# ${src.module}@${UPSTREAM_CRD_VERSIONS[src.module]}: ${src.kinds.join(', ')} (extracted by test/env/upstream-crds.ts)\n`;
  const text = header + docs.map((d) => '---\n' + dump(d, { lineWidth: -1, noRefs: true })).join('');
  // The file is re-serialised, so prove it reads back to exactly what upstream shipped.
  if (JSON.stringify(loadAll(text)) !== JSON.stringify(docs)) throw new Error(`${src.file}: YAML round trip changed the CRDs`);
  return text;
}

/** Lists the YAML files named by `paths` (files, or folders read one level deep) under `root`, in a stable order. */
function yamlFiles(root: string, paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) throw new Error(`${full} does not exist: the upstream layout changed`);
    if (/\.ya?ml$/.test(p)) out.push(full);
    else for (const f of readdirSync(full).sort()) if (/\.ya?ml$/.test(f)) out.push(join(full, f));
  }
  return out;
}

/**
 * Removes Helm template actions, which some cert-manager releases put around their CRD files.
 * Only whole-line actions (`{{- if ... }}`, `{{- end }}`, `{{- include ... | nindent 4 }}`) wrap or
 * decorate a CRD without changing its schema, so those are dropped; any other `{{` would change
 * what the CRD means, and is refused rather than guessed at.
 */
function stripHelm(text: string, file: string): string {
  if (!text.includes('{{')) return text;
  const lines = text.split('\n').filter((l) => !/^\s*\{\{[^}]*\}\}\s*$/.test(l));
  const left = lines.findIndex((l) => l.includes('{{'));
  if (left >= 0) throw new Error(`${file}: cannot render Helm templating: ${lines[left]!.trim()}`);
  return lines.join('\n');
}

/** Writes a file through a temporary name, so concurrent readers never see half of it. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
