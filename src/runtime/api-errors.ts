// Reading HTTP facts out of errors from @kubernetes/client-node 1.x: API calls reject with an
// `ApiException` (`code`: number, `headers`: lower-case names), watches fail with an Error that
// carries `statusCode`. Network errors carry a string `code` (ECONNRESET), which is not a status.

/** Returns the HTTP status an error from @kubernetes/client-node carries, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

/** Tells whether an error is an HTTP 409 Conflict (stale resourceVersion or lost race). */
export function isConflict(err: unknown): boolean {
  return httpStatusOf(err) === 409;
}

/** Tells whether an error is an HTTP 404 Not Found. */
export function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404;
}

/** Returns the value of a response header of an ApiException, matching the name case-insensitively. */
function headerOf(err: unknown, name: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const headers = (err as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? String(v[0]) : String(v);
  }
  return undefined;
}

/**
 * Returns the delay a `Retry-After` header of an error asks for, in milliseconds, if there is one.
 * The header is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); `now` resolves the date.
 */
export function retryAfterMs(err: unknown, now: number): number | undefined {
  const value = headerOf(err, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
