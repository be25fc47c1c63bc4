// Loggers whose output the tests read back: what was logged is part of what some tests assert.
import { Writable } from 'node:stream';
import { createLogger, getLogger, setLogger, type Logger } from '../../src/log.js';

/** A logger and what it has written so far. */
export interface CapturedLog {
  logger: Logger;
  /** The output so far, as written. */
  text(): string;
  /** The output so far, one parsed JSON object per line. */
  lines(): Record<string, unknown>[];
}

/** Returns a logger at `level` whose output is collected instead of printed. */
export function captureLog(level = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: createLogger(level, { stream }),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A captured logger installed as the process-wide one. */
export interface GlobalCapturedLog extends CapturedLog {
  /** Puts the previous process-wide logger back. */
  restore(): void;
}

/** Makes a capturing logger (see {@link captureLog}) the process-wide one until `restore` is called. */
export function captureGlobalLog(level = 'debug'): GlobalCapturedLog {
  const previous = getLogger();
  const captured = captureLog(level);
  setLogger(captured.logger);
  return { ...captured, restore: () => setLogger(previous) };
}
