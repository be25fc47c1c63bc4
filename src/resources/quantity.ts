// Kubernetes quantities in the form the API server stores them. The reconciler compares desired
// and observed objects field by field; "1.5Gi" desired against "1536Mi" stored would look like a
// change on every pass and cause a write each time, so builders canonicalise every quantity.
// This follows apimachinery's resource.Quantity: values are kept to nano precision (rounded up),
// a binary suffix (Ki…Ei) stays binary only for whole numbers of at least 1024, and decimal
// values take the largest SI suffix (n, u, m, "", k, M, G, T, P, E) that keeps an integer mantissa.

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NANO = 10n ** 9n;

/** Reports whether a string is a Kubernetes quantity. */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** Returns the canonical text of a quantity (a string such as "1.5Gi", or a number such as 2); throws on anything else. */
export function canonicalQuantity(value: string | number): string {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = QUANTITY.exec(text);
  if (!m) throw new Error(`"${String(value)}" is not a Kubernetes quantity`);
  const negative = m[1] === '-';
  const digits = m[2]!;
  const suffix = m[3] ?? '';
  const [whole = '', fraction = ''] = digits.split('.');
  // The number as an exact fraction: mantissa / 10^fraction.length.
  let num = BigInt((whole || '0') + fraction);
  let den = 10n ** BigInt(fraction.length);
  let format: 'binary' | 'decimal' | 'exponent' = 'decimal';
  if (suffix in BINARY_POWERS) {
    num *= 1024n ** BigInt(BINARY_POWERS[suffix]!);
    format = 'binary';
  } else if (/^[eE]/.test(suffix)) {
    const exp = Number(suffix.slice(1));
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
    format = 'exponent';
  } else {
    const exp = DECIMAL_EXPONENTS[suffix]!;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  // The API server keeps nano precision and rounds away from zero below it.
  let nanos = (num * NANO + den - 1n) / den;
  if (nanos === 0n) return '0';
  const sign = negative ? '-' : '';
  if (negative) nanos = -nanos;

  const abs = nanos < 0n ? -nanos : nanos;
  if (format === 'binary' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let bytes = abs / NANO;
    let power = 0;
    while (power < 6 && bytes % 1024n === 0n) {
      bytes /= 1024n;
      power++;
    }
    return `${sign}${bytes}${BINARY_SUFFIXES[power]}`;
  }
  // Decimal: strip trailing zeros, then step the exponent down to a multiple of three.
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'exponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  const decimalSuffix = DECIMAL_SUFFIXES.get(exponent);
  if (decimalSuffix !== undefined) return `${sign}${mantissa}${decimalSuffix}`;
  // Beyond exa: the mantissa carries the rest, as the API server prints it.
  return `${sign}${mantissa * 10n ** BigInt(exponent - 18)}E`;
}

/** Returns the canonical form of every value of a map of quantities (ResourceQuota hard, requests, limits). */
export function canonicalQuantities(values: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, canonicalQuantity(v)]));
}

/** Writes a JavaScript number without exponent notation, so the quantity parser reads it exactly. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${n} is not a Kubernetes quantity`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}
