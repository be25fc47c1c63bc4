// zstd as a program beside the tools, joined to them by OS pipes. A restore writes a part's
// authenticated plaintext, still compressed, into `zstd -d`, whose output goes straight into the
// tool that loads it (`zstd -d | pg_restore`, `zstd -d | tar`); a backup reads `pg_dump | zstd` and
// `tar | zstd` (spawnProducer). Why not in the agent: on a restore, Node's zstd decoder spent 2.5
// times the CPU of the zstd program on the same frames (1.6 against 0.64 CPU seconds for a 604 MB
// dump), and every decompressed byte then crossed the agent twice more (into its heap, out to the
// tool's pipe) — together about a third of the agent's CPU on a 2-core node where PostgreSQL
// needs the rest. The format does not change: both decoders read the same standard zstd frames.
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { feedTool, spawnTool, ToolError, type Tool, type ToolOptions, type ToolResult } from './child.js';
import { decompressor, ZSTD_LEVEL, ZSTD_MAX_WINDOW_LOG } from './compression.js';

/** Authenticated bytes of a part, still zstd-compressed: the consumer decompresses them (see the file comment). */
export class ZstdEncodedPart extends PassThrough {
  constructor() {
    super({ highWaterMark: 1024 * 1024 });
  }
}

let found: string | null | undefined;

/** The `zstd` program on PATH, if there is one (looked up once). */
export function zstdProgram(): string | undefined {
  if (found === undefined) {
    found = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      try {
        accessSync(join(dir, 'zstd'), fsConstants.X_OK);
        found = join(dir, 'zstd');
        break;
      } catch {
        /* not in this folder */
      }
    }
  }
  return found ?? undefined;
}

/** The decoder's window limit as zstd's --memory, the same 2^23 bytes Node's decoder is given. */
const MEMORY_LIMIT = `--memory=${2 ** ZSTD_MAX_WINDOW_LOG / 2 ** 20}MiB`;

/** Starts `zstd` decompressing its stdin, its stdout handed to the next tool. */
function startDecoder(zstd: string, context: string, test: boolean): Tool {
  return spawnTool(zstd, ['--decompress', test ? '--test' : '--stdout', '--quiet', '--no-progress', MEMORY_LIMIT], {
    context: `${context}: zstd decompression`,
    stdin: true,
    ...(test ? {} : { handOffStdout: true }),
  });
}

/** Returns `input` decompressed in the agent (for consumers that must see the plaintext, such as MariaDB's trailer check). */
export function decodedInAgent(input: Readable): Readable {
  if (!(input instanceof ZstdEncodedPart)) return input;
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  pipeline([input, ...decompressor('zstd'), out]).catch((e: unknown) => out.destroy(e as Error));
  return out;
}

/**
 * Runs `cmd` with `input` on its stdin, as spawnTool and feedTool do, and resolves with the bytes
 * read from `input`; a {@link ZstdEncodedPart} goes through `zstd -d` into the tool. A failing input
 * stops the tool before zstd ends its output, so the tool never takes a cut-off stream for a whole
 * one (and the caller swaps nothing in on a rejection anyway); a tool that fails is reported with
 * its own error rather than zstd's broken pipe.
 */
export async function loadIntoTool(
  cmd: string,
  args: readonly string[],
  opts: ToolOptions,
  input: Readable,
  onStart: (tool: Tool) => void = () => undefined,
): Promise<number> {
  // The input may have failed while the caller prepared the load (a small part authenticates, or
  // fails, before anything reads it): report that, and start nothing.
  if (input.errored)
    throw new Error(`${opts.context}: the input failed before the load started: ${input.errored.message}`, { cause: input.errored });
  const zstd = input instanceof ZstdEncodedPart ? zstdProgram() : undefined;
  if (!zstd) {
    const tool = spawnTool(cmd, args, { ...opts, stdin: true });
    onStart(tool);
    return feedTool(tool, decodedInAgent(input), opts.context);
  }
  const decoder = startDecoder(zstd, opts.context, false);
  const tool = spawnTool(cmd, args, { ...opts, stdin: decoder.handedOff });
  onStart(tool);
  tool.stdout.resume();
  // The cause is reported: a failing input stops the tool at once; zstd killed by SIGPIPE (or
  // complaining of a broken pipe) means the tool ended first, with its own error; any other zstd
  // failure is the cause, and the tool then fails on a short input.
  let inputFailed = false;
  let decoderError: unknown;
  input.once('error', () => {
    inputFailed = true;
    tool.stop();
  });
  decoder.done.catch((e: unknown) => {
    decoderError = e;
    tool.stop();
  });
  const [fed, done] = await Promise.allSettled([feedTool(decoder, input, opts.context), tool.done]);
  if (fed.status === 'rejected' && (inputFailed || done.status === 'fulfilled' || !brokenPipe(decoderError))) throw fed.reason;
  if (done.status === 'rejected') throw done.reason;
  return fed.status === 'fulfilled' ? fed.value : 0;
}

/** Tells whether a tool failed because the reader of its output went away. */
function brokenPipe(e: unknown): boolean {
  return e instanceof ToolError && (e.signal === 'SIGPIPE' || /broken pipe/i.test(e.stderrTail));
}

/** Checks that `input` decompresses (every zstd frame and its checksum), discarding the output. */
export async function testDecompression(input: Readable, context: string): Promise<void> {
  if (input.errored) throw input.errored;
  const zstd = input instanceof ZstdEncodedPart ? zstdProgram() : undefined;
  if (!zstd) {
    await pipeline(decodedInAgent(input), new Writable({ write: (_c, _e, cb) => cb() }));
    return;
  }
  await feedTool(startDecoder(zstd, context, true), input, context);
}

/** zstd's level and threads for a backup: level 2 as in the agent (see compression.ts), one thread beside the dump. */
const COMPRESS_ARGS = [`-${ZSTD_LEVEL}`, '--single-thread', '--check', '--stdout', '--quiet', '--no-progress'];

/** A producing tool's output, compressed or not, ending only once every tool of it exited successfully. */
export interface ProducedStream {
  stream: Readable;
  /** The producing tool's result (its exit code may carry a warning, as GNU tar's 1 does). */
  done: Promise<ToolResult>;
}

/**
 * Starts `cmd`, its stdout compressed by the zstd program `zstd` (when given) through a pipe between
 * the two: the agent then reads the compressed bytes only, and the compression runs on a core of
 * its own. The stream ends only after both exited successfully, so a dump that failed half-way —
 * which zstd would close as a complete frame — never looks complete; the producer's error is
 * reported unless it died of the broken pipe zstd's failure caused.
 */
export function spawnProducer(cmd: string, args: readonly string[], opts: ToolOptions, zstd: string | undefined): ProducedStream {
  if (!zstd) {
    const t = spawnTool(cmd, args, opts);
    return { stream: t.stdout, done: t.done };
  }
  const producer = spawnTool(cmd, args, { ...opts, handOffStdout: true });
  const encoder = spawnTool(zstd, COMPRESS_ARGS, { context: `${opts.context}: zstd compression`, stdin: producer.handedOff });
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const drained = new Promise<void>((resolve, reject) => {
    encoder.stdout.once('end', resolve);
    encoder.stdout.once('error', reject);
  });
  encoder.stdout.pipe(out, { end: false });
  const done = Promise.allSettled([producer.done, encoder.done, drained]).then(([p, e, d]) => {
    if (p.status === 'rejected' && !(brokenPipe(p.reason) && e.status === 'rejected')) throw p.reason;
    if (e.status === 'rejected') throw e.reason;
    if (d.status === 'rejected') throw d.reason;
    if (p.status === 'rejected') throw p.reason;
    return p.value;
  });
  done.then(
    () => out.end(),
    (e: unknown) => out.destroy(e as Error),
  );
  done.catch(() => undefined);
  out.on('error', () => undefined);
  // A consumer that stops reading (a failed upload) stops both tools.
  out.once('close', () => {
    if (out.readableEnded) return;
    producer.stop();
    encoder.stop();
  });
  return { stream: out, done };
}
