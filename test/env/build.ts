// Builds (once) the environment's binaries from the Go modules under test/env/ into the cache: the
// control plane's (or takes them from KUBEBUILDER_ASSETS when that points at ready binaries), helm,
// and the servers behind the AWS-compatible services (local-kms, SeaweedFS).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, envSourceDir } from './paths.js';
import { envLog, runTool } from './proc.js';

/** Paths of the binaries the local environment runs. */
export interface EnvBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  /** Helm CLI for the install tests (`helm lint`, `helm template` of charts/tenantry). */
  helm: string;
  /** KMS emulator (github.com/nsmithuk/local-kms behind a loopback-only main, test/env/kms). */
  kms: string;
  /** SeaweedFS's `weed`, the S3-compatible server. */
  weed: string;
  /** Traefik, the ingress proxy that serves tenants on loopback (test/env/traefik.ts runs it). */
  traefik: string;
}

interface GoTarget {
  /** Binary file name. */
  name: string;
  /** Go module folder under test/env/. */
  module: string;
  /** Package to build, inside that module's build list. */
  pkg: string;
  key: keyof EnvBinaries;
}

const TARGETS: GoTarget[] = [
  { name: 'etcd', module: 'etcd', pkg: '.', key: 'etcd' },
  { name: 'kube-apiserver', module: 'kube', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', key: 'kubeApiserver' },
  { name: 'kube-controller-manager', module: 'kube', pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', key: 'kubeControllerManager' },
  { name: 'kubectl', module: 'kube', pkg: 'k8s.io/kubernetes/cmd/kubectl', key: 'kubectl' },
  { name: 'helm', module: 'helm', pkg: 'helm.sh/helm/v3/cmd/helm', key: 'helm' },
  { name: 'local-kms', module: 'kms', pkg: '.', key: 'kms' },
  { name: 'weed', module: 's3', pkg: 'github.com/seaweedfs/seaweedfs/weed', key: 'weed' },
  { name: 'traefik', module: 'traefik', pkg: 'github.com/traefik/traefik/v3/cmd/traefik', key: 'traefik' },
];

/** Returns a short hash of a module's sources and the Go version, so a change of either rebuilds. */
function moduleKey(moduleDir: string, goVersion: string): string {
  // The build recipe itself is part of the key, so changing flags here rebuilds too.
  const h = createHash('sha256')
    .update(goVersion)
    .update(readFileSync(fileURLToPath(import.meta.url)));
  for (const f of readdirSync(moduleDir).sort()) {
    if (f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')) h.update(f).update(readFileSync(join(moduleDir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Returns linker flags that stamp versions into the binaries. `go build` from the module cache has
 * no git metadata, so without them `kubectl version` reports v0.0.0-master+$Format:%H$ and fails
 * to parse its own version, and helm reports "v3.22" and assumes Kubernetes 1.20 for
 * `.Capabilities.KubeVersion` and its deprecation lint (helm's Makefile sets these the same way:
 * the Kubernetes version is 1 + the major and the minor of its k8s.io/client-go).
 */
function versionStamp(moduleDir: string): string[] {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const helm = /^require helm\.sh\/helm\/v3 (v\d+\.\d+\.\d+)$/m.exec(goMod);
  if (helm) {
    const clientGo = /^\s*k8s\.io\/client-go v0\.(\d+)\.\d+/m.exec(goMod);
    const kube = clientGo
      ? ['chartutil', 'lint/rules'].flatMap((pkg) => [
          `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1`,
          `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${clientGo[1]}`,
        ])
      : [];
    return [`-X helm.sh/helm/v3/internal/version.version=${helm[1]}`, '-X helm.sh/helm/v3/internal/version.gitTreeState=clean', ...kube];
  }
  // Without it `traefik version` and its startup log say "dev".
  const traefik = /^require github\.com\/traefik\/traefik\/v3 (v\d+\.\d+\.\d+)$/m.exec(goMod);
  if (traefik) return [`-X github.com/traefik/traefik/v3/pkg/version.Version=${traefik[1]}`];
  const m = /^require k8s\.io\/kubernetes (v(\d+)\.(\d+)\.\d+)$/m.exec(goMod);
  if (!m) return [];
  const [, version, major, minor] = m;
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

/** Builds every missing binary (or takes it from KUBEBUILDER_ASSETS) and returns their paths. */
export async function ensureBinaries(): Promise<EnvBinaries> {
  const assets = process.env.KUBEBUILDER_ASSETS;
  const found: Partial<EnvBinaries> = {};
  const missing: GoTarget[] = [];
  for (const t of TARGETS) {
    if (assets && existsSync(join(assets, t.name))) found[t.key] = join(assets, t.name);
    else missing.push(t);
  }
  if (assets) envLog(`KUBEBUILDER_ASSETS=${assets}: using ${Object.keys(found).length} binaries from there`);
  if (missing.length === 0) return found as EnvBinaries;

  const goVersion = (await runTool('go', ['env', 'GOVERSION'])).trim();
  const byModule = new Map<string, GoTarget[]>();
  for (const t of missing) byModule.set(t.module, [...(byModule.get(t.module) ?? []), t]);

  for (const [mod, targets] of byModule) {
    const src = join(envSourceDir(), mod);
    const outDir = join(cacheDir(), 'bin', `${mod}-${moduleKey(src, goVersion)}`);
    const toBuild = targets.filter((t) => !existsSync(join(outDir, t.name)));
    if (toBuild.length > 0) {
      const started = Date.now();
      envLog(
        `building ${toBuild.map((t) => t.name).join(', ')} with ${goVersion} (a cold build takes several minutes; later runs reuse ${outDir})`,
      );
      // Build into a scratch folder and rename, so an interrupted build never leaves a half-written binary in the cache.
      const tmp = `${outDir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      const env = { ...process.env, CGO_ENABLED: '0' };
      const pkgs = toBuild.map((t) => t.pkg);
      const ldflags = ['-s', '-w', ...versionStamp(src)].join(' ');
      // `go build -o DIR` with one package names the file after the package; give it a file path then.
      const out = pkgs.length === 1 ? join(tmp, toBuild[0]!.name) : tmp + '/';
      await runTool('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', out, ...pkgs], { cwd: src, env, stream: true });
      mkdirSync(outDir, { recursive: true });
      for (const t of toBuild) renameSync(join(tmp, t.name), join(outDir, t.name));
      rmSync(tmp, { recursive: true, force: true });
      envLog(`built ${toBuild.map((t) => t.name).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    for (const t of targets) found[t.key] = join(outDir, t.name);
  }
  return found as EnvBinaries;
}
