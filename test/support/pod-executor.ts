// A minimal kubelet for tests: the local control plane has no scheduler and no kubelet, so the Pods
// the Job controller creates stay Pending. This runs such a Pod's single container as a local
// process of the `tenantry` entrypoint, with the environment a kubelet would give it, and reports
// its outcome through the Pod's status subresource, so the Job controller finishes the Job exactly
// as it would in a cluster. Only what cannot exist on this machine is mapped, each mapping named by
// the caller: volume mount paths to local folders, in-cluster service hosts to loopback, and the
// PostgreSQL client tools' folder (the image has them on PATH).
import { runAgent } from './agent.js';
import { eventually, getJson, listJson } from './cluster.js';
import { kubectlOk } from './kubectl.js';

/** A reference to one key of a Secret or ConfigMap, as in `valueFrom`. */
interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

/** The parts of a Pod the executor reads. */
interface PodJson {
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
  };
  spec: {
    enableServiceLinks?: boolean;
    initContainers?: unknown[];
    serviceAccountName?: string;
    containers: {
      name: string;
      image: string;
      command?: string[];
      args?: string[];
      env?: {
        name: string;
        value?: string;
        valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: { fieldPath: string } };
      }[];
      envFrom?: {
        prefix?: string;
        secretRef?: { name: string; optional?: boolean };
        configMapRef?: { name: string; optional?: boolean };
      }[];
      volumeMounts?: { name: string; mountPath: string }[];
      terminationMessagePolicy?: string;
    }[];
  };
  status?: { phase?: string };
}

/** The one container of a Pod the executor runs. */
type Container = PodJson['spec']['containers'][number];

/** A Secret or ConfigMap as read: Secret values base64, ConfigMap values plain (binaryData base64). */
interface SourceJson {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** What cannot exist on this machine, and where it is instead. */
export interface LocalPodOptions {
  /** A container mount path → the local folder standing in for its volume. */
  volumes?: Record<string, string>;
  /** An in-cluster host name in DATABASE_HOST → the loopback address and port of the server standing in for it. */
  hosts?: Record<string, { host: string; port: number }>;
  /** Folder of the PostgreSQL client tools (TENANTRY_PG_BINDIR): in the image they are on PATH. */
  pgBinDir?: string;
}

/** The outcome of a Pod run locally. */
export interface LocalPodRun {
  exitCode: number;
  /** The JSON result line the command printed, if any. */
  result?: Record<string, unknown>;
  stderr: string;
  /** The environment the process got, after the mappings (for assertions on the contract). */
  env: Record<string, string>;
}

/** A kubelet's limits on a termination message taken from the logs (FallbackToLogsOnError). */
const TERMINATION_LOG_LINES = 80;
const TERMINATION_LOG_BYTES = 2048;

/** RFC 3339 with whole seconds, as the API server stores times. */
const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Expands `$(NAME)` from `vars` the way a kubelet expands env values and args: `$$` is a literal
 * `$`, an unknown or unclosed reference stays as written.
 */
function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(?:\$|\(([^)]*)\))/g, (whole, name: string | undefined) =>
    name === undefined ? '$' : Object.hasOwn(vars, name) ? vars[name]! : whole,
  );
}

/** Reads a Secret's or ConfigMap's values as text; undefined when it does not exist. */
async function readSource(kind: 'secret' | 'configmap', name: string, namespace: string): Promise<Record<string, string> | undefined> {
  const o = await getJson<SourceJson>(kind, name, namespace);
  if (!o) return undefined;
  const decode = (v: string) => Buffer.from(v, 'base64').toString('utf8');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.binaryData ?? {})) out[k] = decode(v);
  for (const [k, v] of Object.entries(o.data ?? {})) out[k] = kind === 'secret' ? decode(v) : v;
  return out;
}

/** Resolves a `fieldRef` of the fields a test Pod may use; anything else is refused rather than guessed. */
function fieldValue(pod: PodJson, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2]!] ?? '';
  const simple: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.serviceAccountName': pod.spec.serviceAccountName,
  };
  if (!Object.hasOwn(simple, path)) throw new Error(`pod ${pod.metadata.name}: env fieldRef ${path} cannot be resolved without a node`);
  return simple[path] ?? '';
}

/**
 * Resolves the container's environment in a kubelet's order: each envFrom source in turn (later
 * ones win, keys prefixed), then each env entry (overriding envFrom), `$(VAR)` expanded against what
 * is defined so far. A missing Secret, ConfigMap or key fails the Pod unless marked optional, as
 * it does on a node (CreateContainerConfigError).
 */
async function podEnv(pod: PodJson): Promise<Record<string, string>> {
  const c = pod.spec.containers[0]!;
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const values = await envFromValues(pod, from);
    for (const [k, v] of Object.entries(values ?? {})) env[(from.prefix ?? '') + k] = v;
  }
  for (const e of c.env ?? []) {
    const value = await envEntryValue(pod, e, env);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** Reads the values of one envFrom source; undefined when an optional source does not exist. */
async function envFromValues(pod: PodJson, from: NonNullable<Container['envFrom']>[number]): Promise<Record<string, string> | undefined> {
  const ns = pod.metadata.namespace;
  const ref = from.secretRef ?? from.configMapRef;
  if (!ref) throw new Error(`pod ${pod.metadata.name}: an envFrom entry names neither a Secret nor a ConfigMap`);
  const kind = from.secretRef ? 'secret' : 'configmap';
  const values = await readSource(kind, ref.name, ns);
  if (!values && !ref.optional) throw new Error(`pod ${pod.metadata.name}: envFrom ${kind} ${ns}/${ref.name} does not exist`);
  return values;
}

/** Resolves one env entry against what is defined so far; undefined when an optional key does not exist (the variable stays unset). */
async function envEntryValue(
  pod: PodJson,
  e: NonNullable<Container['env']>[number],
  env: Record<string, string>,
): Promise<string | undefined> {
  if (e.valueFrom === undefined) return expand(e.value ?? '', env);
  const { secretKeyRef, configMapKeyRef, fieldRef } = e.valueFrom;
  if (fieldRef) return fieldValue(pod, fieldRef.fieldPath);
  const ref = secretKeyRef ?? configMapKeyRef;
  if (!ref) throw new Error(`pod ${pod.metadata.name}: env ${e.name} uses a valueFrom source a test node does not have`);
  const kind = secretKeyRef ? 'secret' : 'configmap';
  const ns = pod.metadata.namespace;
  const value = (await readSource(kind, ref.name, ns))?.[ref.key];
  if (value === undefined && !ref.optional)
    throw new Error(`pod ${pod.metadata.name}: env ${e.name} refers to key ${ref.key} of ${kind} ${ns}/${ref.name}, which does not exist`);
  return value;
}

/** Applies the caller's mappings to the resolved environment; a mapping that matches nothing is an error, not a silent no-op. */
function mapToMachine(pod: PodJson, env: Record<string, string>, opts: LocalPodOptions): Record<string, string> {
  const out = { ...env };
  const mounts = new Set((pod.spec.containers[0]!.volumeMounts ?? []).map((m) => m.mountPath));
  for (const [mountPath, local] of Object.entries(opts.volumes ?? {})) {
    if (!mounts.has(mountPath))
      throw new Error(`pod ${pod.metadata.name} mounts nothing at ${mountPath} (mounts: ${[...mounts].join(', ')})`);
    for (const [k, v] of Object.entries(out)) if (v === mountPath) out[k] = local;
  }
  const hosts = opts.hosts ?? {};
  if (Object.keys(hosts).length > 0) {
    const to = out.DATABASE_HOST !== undefined && Object.hasOwn(hosts, out.DATABASE_HOST) ? hosts[out.DATABASE_HOST] : undefined;
    if (!to)
      throw new Error(
        `pod ${pod.metadata.name}: DATABASE_HOST is ${out.DATABASE_HOST ?? '(unset)'}, none of the mapped hosts ${Object.keys(hosts).join(', ')}`,
      );
    out.DATABASE_HOST = to.host;
    out.DATABASE_PORT = String(to.port);
  }
  if (opts.pgBinDir) out.TENANTRY_PG_BINDIR = opts.pgBinDir;
  return out;
}

/** The Pod conditions a kubelet reports for a running or finished single-container Pod (pkg/kubelet/status/generate.go). */
function podConditions(phase: 'Running' | 'Succeeded' | 'Failed', generation: number | undefined, now: string): Record<string, unknown>[] {
  const cond = (type: string, status: 'True' | 'False', reason?: string) => ({
    type,
    status,
    ...(reason ? { reason } : {}),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    lastTransitionTime: now,
  });
  if (phase === 'Running')
    return [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', 'True'), cond('ContainersReady', 'True')];
  const done = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  // The sandbox is torn down once the container has exited; Initialized stays True (its reason
  // is PodCompleted only for a Pod that succeeded).
  return [
    cond('PodReadyToStartContainers', 'False'),
    cond('Initialized', 'True', phase === 'Succeeded' ? 'PodCompleted' : undefined),
    cond('Ready', 'False', done),
    cond('ContainersReady', 'False', done),
  ];
}

/** Patches the Pod's status subresource as a kubelet's status manager does: a strategic merge patch, so conditions merge by type. */
async function patchStatus(pod: PodJson, status: Record<string, unknown>): Promise<void> {
  const observed = pod.metadata.generation !== undefined ? { observedGeneration: pod.metadata.generation } : {};
  await kubectlOk([
    'patch',
    'pod',
    pod.metadata.name,
    '-n',
    pod.metadata.namespace,
    '--subresource=status',
    '--type=strategic',
    '-p',
    JSON.stringify({ status: { ...observed, ...status } }),
  ]);
}

/** The tail of the logs a kubelet keeps as the termination message under FallbackToLogsOnError. */
function logTail(logs: string): string {
  const tail = logs.trimEnd().split('\n').slice(-TERMINATION_LOG_LINES).join('\n');
  const bytes = Buffer.from(tail, 'utf8');
  return bytes.length <= TERMINATION_LOG_BYTES ? tail : bytes.subarray(bytes.length - TERMINATION_LOG_BYTES).toString('utf8');
}

/** Waits for the Pod the Job controller created for a Job, and returns its name. */
export async function jobPod(namespace: string, jobName: string, timeoutMs = 30_000): Promise<string> {
  return eventually(
    `a Pod of Job ${namespace}/${jobName}`,
    async () => {
      const pods = await listJson<PodJson>('pods', ['-n', namespace, '-l', `job-name=${jobName}`]);
      return pods.find((p) => p.status?.phase === 'Pending')?.metadata.name;
    },
    timeoutMs,
  );
}

/** Returns the Pod's container if a kubelet here can run it as the cluster would; throws saying why not. */
function runnableContainer(pod: PodJson, where: string): Container {
  if (pod.status?.phase !== 'Pending')
    throw new Error(`pod ${where} is ${pod.status?.phase ?? 'without a phase'}, not Pending: a kubelet runs a Pod once`);
  if (pod.spec.containers.length !== 1 || (pod.spec.initContainers ?? []).length > 0)
    throw new Error(`pod ${where}: only a Pod with one container and no init containers can run here`);
  const c = pod.spec.containers[0]!;
  // The image's entrypoint is `tenantry` (node bin/tenantry.js); a command would replace it with something this machine may not have.
  if (c.command) throw new Error(`pod ${where} overrides the image's entrypoint with ${JSON.stringify(c.command)}`);
  // With service links on, a kubelet adds every Service's *_SERVICE_HOST variables, which have no counterpart here.
  if (pod.spec.enableServiceLinks !== false)
    throw new Error(`pod ${where} has service links enabled; their variables cannot be reproduced off-cluster`);
  return c;
}

/** The `terminated` state a kubelet reports for the exited container, with the log tail as message when its policy asks. */
function terminatedState(c: Container, exitCode: number, stderr: string, started: Date, finished: Date): Record<string, unknown> {
  const message = exitCode !== 0 && c.terminationMessagePolicy === 'FallbackToLogsOnError' ? logTail(stderr) : '';
  return {
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: stamp(started),
    finishedAt: stamp(finished),
    ...(message ? { message } : {}),
  };
}

/**
 * Runs a Pending Pod's container here as a kubelet would (plus the `opts` mappings), reports Running
 * then Succeeded or Failed on its status, and returns the outcome.
 */
export async function runPodLocally(namespace: string, podName: string, opts: LocalPodOptions = {}): Promise<LocalPodRun> {
  const pod = await getJson<PodJson>('pod', podName, namespace);
  if (!pod) throw new Error(`pod ${namespace}/${podName} does not exist`);
  const c = runnableContainer(pod, `${namespace}/${podName}`);
  const resolved = await podEnv(pod);
  const env = mapToMachine(pod, resolved, opts);
  const mountMap = opts.volumes ?? {};
  const args = (c.args ?? []).map((a) => expand(a, resolved)).map((a) => (Object.hasOwn(mountMap, a) ? mountMap[a]! : a));
  const base = { name: c.name, image: c.image, imageID: '', restartCount: 0 };
  const started = new Date();
  await patchStatus(pod, {
    phase: 'Running',
    startTime: stamp(started),
    conditions: podConditions('Running', pod.metadata.generation, stamp(started)),
    containerStatuses: [{ ...base, ready: true, started: true, state: { running: { startedAt: stamp(started) } } }],
  });
  const run = await runAgent(args, env);
  // A process ended by a signal has no exit code; a runtime reports 128 + the signal, usually SIGKILL's 137.
  const exitCode = run.code ?? 137;
  const finished = new Date();
  const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  await patchStatus(pod, {
    phase,
    conditions: podConditions(phase, pod.metadata.generation, stamp(finished)),
    containerStatuses: [
      { ...base, ready: false, started: false, state: { terminated: terminatedState(c, exitCode, run.stderr, started, finished) } },
    ],
  });
  return { exitCode, stderr: run.stderr, env, ...(run.result ? { result: run.result } : {}) };
}
