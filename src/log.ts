// One logger for the whole process: winston, JSON lines with a timestamp, and a redaction format
// in front of the JSON encoder, so passwords, tokens, keys and KMS plaintexts never reach a log
// line, whichever code path logged them and however deeply they are nested.
import type { Writable } from 'node:stream';
import winston from 'winston';

/** The logger type every module uses (winston's). */
export type Logger = winston.Logger;

/** What replaces a secret in a log line. */
export const REDACTED = '[REDACTED]';

/** Field names whose values are secrets, matched anywhere in the name, case-insensitively. */
const SECRET_KEY = /pass(word)?|secret|token|key|plaintext|credential|authorization/i;

/**
 * Field names that match SECRET_KEY but name or point at a secret instead of holding one:
 * `kmsKeyId`, `keyArn`, `secretName`, `passwordSecretRef`, `tokenExpiresAt`, an S3 `objectKey`.
 * Redacting those would only hide the facts an operator needs to find the secret in question.
 */
const BENIGN_KEY = [
  /(key|secret|token|password|credential)s?_?(id|ids|arn|alias|name|names|ref|namespace|version|type|expiry|expiresat)$/i,
  /^(object|queue|cache|idempotency|s3|partition|sort)_?key$/i,
];

/** Secrets recognised by their shape, wherever they appear inside a string value. */
const SECRET_VALUES: [RegExp, string][] = [
  // PEM blocks (private keys, certificates); an unterminated block is redacted to the end.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // HTTP credentials as in an Authorization header, e.g. inside an error message.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  // JWTs, e.g. ServiceAccount tokens, even without a "Bearer" in front.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Passwords in URLs: postgres://user:password@host/db.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** Nesting deeper than this is cut, so a cyclic or huge object cannot stall logging. */
const MAX_DEPTH = 12;

/** The npm log levels winston accepts for `--log-level`. */
const LEVELS = Object.keys(winston.config.npm.levels);

/** Tells whether a field name holds a secret by name. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !BENIGN_KEY.some((re) => re.test(key));
}

/** Returns a string with every secret-shaped part (PEM, bearer token, JWT, URL password) replaced. */
export function redactString(value: string): string {
  let out = value;
  for (const [re, replacement] of SECRET_VALUES) out = out.replace(re, replacement);
  return out;
}

/** Returns a redacted copy of any value; the caller's objects are never modified. */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  // Raw bytes are never logged: a Buffer under an innocent name may still be a data key.
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
    const source = value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
    // A Secret's values are base64 under arbitrary names ("db-url"), so no name rule catches them.
    const isSecretObject = source.kind === 'Secret';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      const secret = isSecretKey(k) || (isSecretObject && (k === 'data' || k === 'stringData'));
      out[k] = secret ? REDACTED : redactValue(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Returns the loggable fields of an Error, whose message and stack are not enumerable. */
function errorFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  // ApiException (code, body, headers), system errors (code, syscall) and custom fields.
  for (const [k, v] of Object.entries(err)) out[k] = v;
  if (err.stack) out.stack = err.stack;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

/** The winston format that redacts every field of a log entry by name and by value. */
export const redactFormat = winston.format((info) => {
  // `info` is winston's own object (the caller's meta was copied into it), so its top level is
  // rewritten in place; that keeps winston's Symbol keys (level, splat, message) intact.
  const fields = info as Record<string, unknown>;
  const isSecretObject = fields.kind === 'Secret';
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'level' || k === 'timestamp') continue;
    const secret = isSecretKey(k) || (isSecretObject && (k === 'data' || k === 'stringData'));
    fields[k] = secret ? REDACTED : redactValue(v);
  }
  return info;
});

/** Options of createLogger beyond the level. */
export interface LoggerOptions {
  /** Where JSON lines go; default stderr, because stdout carries command output. */
  stream?: Writable;
}

/** Creates a JSON-lines logger with timestamps and redaction at the given npm level. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  if (!LEVELS.includes(level)) {
    throw new Error(`unknown log level "${level}"; use one of: ${LEVELS.join(', ')}`);
  }
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: LEVELS });
  return winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}

let current: Logger | undefined;

/** Returns the process-wide logger that library code logs through (created at level info on first use). */
export function getLogger(): Logger {
  current ??= createLogger('info');
  return current;
}

/** Replaces the process-wide logger, e.g. with one at the level given by `--log-level`. */
export function setLogger(logger: Logger): void {
  current = logger;
}

/** Returns a child of the process-wide (or given) logger whose every line carries `tenant`. */
export function tenantLogger(tenant: string, base: Logger = getLogger()): Logger {
  return base.child({ tenant });
}
