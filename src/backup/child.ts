// The backup agent's child processes (pg_dump, mariadb, tar): always an argument array, never a
// shell, and an environment built here rather than inherited, so a stray PG*/MYSQL_* variable
// cannot redirect a tool. A tool's stdout ends only once the tool has exited successfully, and
// errors otherwise: a pipeline fed by a dump that died half-way fails instead of storing it.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How many lines of a tool's stderr an error quotes. */
const TAIL_LINES = 20;
/** Longest stderr line kept: a tool printing binary junk cannot make an error message huge. */
const TAIL_LINE_CHARS = 500;
/** How long a stopped tool has between SIGTERM and SIGKILL. */
const KILL_AFTER_MS = 5000;
/** Variables passed on from our own environment: the search path, the locale and temp. */
const INHERITED = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'];

/** A tool that failed: which one, why (exit code or signal) and the end of what it printed. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly tool: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Options of {@link spawnTool}. */
export interface ToolOptions {
  /** Says what the tool is doing, e.g. `postgres: dump of database "app"`; starts every error message. */
  context: string;
  /** Variables added to the minimal environment (passwords go here, never into the arguments). */
  env?: Record<string, string>;
  /**
   * Whether the caller writes the tool's stdin (otherwise the tool reads an empty input), or the
   * `handedOff` stdout of another tool, which the tool then reads directly through the OS pipe.
   */
  stdin?: boolean | Readable;
  /** Leave stdout unread and hand it to the next tool (see `handedOff`); `stdout` then carries only the end. */
  handOffStdout?: boolean;
  /** Exit codes besides 0 that mean success (GNU tar's 1: "a file changed while it was read"). */
  okExitCodes?: number[];
  cwd?: string;
}

/** How a tool ended, when it counted as success. */
export interface ToolResult {
  exitCode: number;
  stderrTail: string;
}

/** A running tool. */
export interface Tool {
  /** The tool's stdout: ends after a successful exit, errors with a {@link ToolError} otherwise. */
  stdout: Readable;
  /** The tool's stdin (only with `stdin: true`; otherwise already ended). */
  stdin: Writable;
  /** Settles when the tool has exited and its output is drained; rejects with a {@link ToolError}. */
  done: Promise<ToolResult>;
  /** Sends SIGTERM if the tool is still running; returns whether it was. */
  stop(): boolean;
  /** With `handOffStdout`: the tool's own stdout, to become another tool's stdin. */
  handedOff?: Readable;
}

/** Returns the environment for a child: PATH, locale and temp from ours, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

/** Keeps the last lines of a byte stream, each cut to a sane length. */
class LineTail {
  private lines: string[] = [];
  private partial = '';

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = (parts.pop() ?? '').slice(-TAIL_LINE_CHARS * 4);
    for (const line of parts) this.add(line);
  }

  text(): string {
    const all = this.partial ? [...this.lines, this.partial.slice(0, TAIL_LINE_CHARS)] : this.lines;
    return all.slice(-TAIL_LINES).join('\n');
  }

  private add(line: string): void {
    const l = line.replace(/\r$/, '');
    if (!l.trim()) return;
    this.lines.push(l.length > TAIL_LINE_CHARS ? `${l.slice(0, TAIL_LINE_CHARS)}…` : l);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }
}

/** Formats the reason a tool failed, ending with its stderr tail. */
function failureMessage(
  context: string,
  tool: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  tail: string,
  stopped: boolean,
): string {
  const how = stopped
    ? `was stopped by the agent (${signal ?? `exit code ${code}`})`
    : signal
      ? `was killed by ${signal}`
      : `exited with code ${code}`;
  return `${context}: ${tool} ${how}${tail ? `; its last output:\n${tail}` : ' and printed nothing'}`;
}

/** Starts a tool with an argument array (no shell) and the given environment. */
export function spawnTool(cmd: string, args: readonly string[], opts: ToolOptions): Tool {
  const tool = cmd.slice(cmd.lastIndexOf('/') + 1);
  const okCodes = new Set([0, ...(opts.okExitCodes ?? [])]);
  const from = typeof opts.stdin === 'object' ? opts.stdin : undefined;
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    stdio: [from ?? 'pipe', 'pipe', 'pipe'],
    shell: false,
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  // The tool has its own copy of the other tool's stdout; ours must not read from it.
  from?.destroy();
  // Without `stdin: true` the tool reads an immediate end of input, as from /dev/null.
  if (!opts.stdin) child.stdin?.end();
  const tail = new LineTail();
  const stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  let stoppedByUs = false;
  let exited = false;
  // end: false, so the consumer sees the end only after the exit code was checked.
  if (!opts.handOffStdout) child.stdout.pipe(stdout, { end: false });
  child.stderr.setEncoding('utf8').on('data', (d: string) => tail.push(d));
  const done = new Promise<ToolResult>((resolve, reject) => {
    const fail = (e: ToolError): void => {
      stdout.destroy(e);
      reject(e);
    };
    child.once('error', (e) => {
      exited = true;
      fail(new ToolError(`${opts.context}: cannot run ${cmd}: ${e.message}`, tool, null, null, tail.text()));
    });
    child.once('close', (code, signal) => {
      exited = true;
      if (code !== null && okCodes.has(code)) {
        stdout.end();
        resolve({ exitCode: code, stderrTail: tail.text() });
      } else {
        fail(new ToolError(failureMessage(opts.context, tool, code, signal, tail.text(), stoppedByUs), tool, code, signal, tail.text()));
      }
    });
  });
  // The caller may use only one of `stdout` and `done`: each carries the failure, and neither may
  // crash the process as an unhandled rejection or an 'error' event nobody listens to.
  done.catch(() => undefined);
  stdout.on('error', () => undefined);
  const stop = (): boolean => {
    if (exited || child.exitCode !== null || child.signalCode !== null) return false;
    stoppedByUs = true;
    // A tool that ignores SIGTERM (blocked in a system call, or a handler of its own) must still go:
    // a backup that failed may not leave a dump holding its snapshot until the Job's deadline.
    const kill = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    kill.unref();
    child.once('close', () => clearTimeout(kill));
    return child.kill('SIGTERM');
  };
  // A consumer that stops reading (a failed upload) must not leave the tool blocked on a full pipe.
  stdout.once('close', () => {
    if (!stdout.readableEnded) stop();
  });
  // A tool reading another tool's stdout has no stdin of ours: writes to this one fail.
  const stdin =
    child.stdin ?? new Writable({ write: (_c, _e, cb) => cb(new Error(`${opts.context}: ${tool} reads another tool's output`)) });
  // A tool that exits early makes writes fail with EPIPE; feedTool reports the tool's own error instead.
  stdin.on('error', () => undefined);
  return { stdout, stdin, done, stop, ...(opts.handOffStdout ? { handedOff: child.stdout } : {}) };
}

/** Returns a promise of a tool's success without its result; never reported as unhandled. */
export function whenDone(tool: { done: Promise<unknown> }): Promise<void> {
  const p = tool.done.then(() => undefined);
  p.catch(() => undefined);
  return p;
}

/** Runs a tool to completion with `input` on stdin (if given); resolves with its stdout as text. */
export async function runTool(cmd: string, args: readonly string[], opts: ToolOptions & { input?: string }): Promise<string> {
  const t = spawnTool(cmd, args, { ...opts, stdin: opts.input !== undefined });
  if (opts.input !== undefined) t.stdin.end(opts.input);
  const chunks: Buffer[] = [];
  t.stdout.on('data', (c: Buffer) => chunks.push(c));
  await t.done;
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Streams `source` through `transforms` into a tool's stdin and waits for both; resolves with the
 * bytes read from `source`. The cause is reported, not its echo: a failing source (or check) stops
 * the tool, which would otherwise take the early end of its input for the end of the data, and is
 * reported instead of the tool's complaint about a short input; a tool that died on its own is
 * reported with its error, not with the EPIPE its death caused.
 */
export async function feedTool(tool: Tool, source: Readable, context: string, ...transforms: Transform[]): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  // pipeline destroys every stream with the first error, so the first 'error' event is the origin.
  let origin: 'input' | 'tool' | undefined;
  for (const s of [source, counter, ...transforms]) s.once('error', () => (origin ??= 'input'));
  tool.stdin.once('error', () => (origin ??= 'tool'));
  // Whatever the tool prints on stdout is not wanted here; unread, it would block the tool.
  tool.stdout.resume();
  let stopped = false;
  const fed = pipeline([source, counter, ...transforms, tool.stdin]).catch((e: unknown) => {
    // Unless the tool's end broke the pipe, its input is incomplete: it must not finish.
    if (origin !== 'tool') stopped = tool.stop();
    throw e;
  });
  const [f, d] = await Promise.allSettled([fed, tool.done]);
  const reason = f.status === 'rejected' ? (f.reason instanceof Error ? f.reason.message : String(f.reason)) : '';
  if (f.status === 'rejected' && origin === 'input')
    throw new Error(`${context}: the input failed after ${bytes} bytes: ${reason}`, { cause: f.reason });
  if (d.status === 'rejected' && !stopped) throw d.reason;
  if (f.status === 'rejected')
    throw new Error(`${context}: streaming the input into the tool failed after ${bytes} bytes: ${reason}`, { cause: f.reason });
  return bytes;
}
