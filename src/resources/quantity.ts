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
  const q = parseQuantity(value);
  // The API server keeps nano precision and rounds away from zero below it.
  const nanos = (q.num * NANO + q.den - 1n) / q.den;
  if (nanos === 0n) return '0';
  const sign = q.negative ? '-' : '';
  if (q.notation === 'binary' && nanos >= 1024n * NANO && nanos % NANO === 0n) return sign + binaryText(nanos / NANO);
  return sign + decimalText(nanos, q.notation);
}

/** How a quantity was written: with a binary suffix (Ki…Ei), a decimal SI suffix or none, or an exponent (e3). */
type Notation = 'binary' | 'decimal' | 'exponent';

/** A parsed quantity: its sign, its magnitude as the exact fraction num / den, and its notation. */
interface ExactQuantity {
  negative: boolean;
  num: bigint;
  den: bigint;
  notation: Notation;
}

/** Parses a quantity into an exact fraction; throws on anything that is not one. */
function parseQuantity(value: string | number): ExactQuantity {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = QUANTITY.exec(text);
  if (!m) throw new Error(`"${String(value)}" is not a Kubernetes quantity`);
  const [whole = '', fraction = ''] = m[2]!.split('.');
  // The digits as an exact fraction: mantissa / 10^fraction.length, then scaled by the suffix.
  const scaled = scaleBySuffix(BigInt((whole || '0') + fraction), 10n ** BigInt(fraction.length), m[3] ?? '');
  return { negative: m[1] === '-', ...scaled };
}

/** Multiplies the fraction num / den by what a suffix stands for, and names the suffix's notation. */
function scaleBySuffix(num: bigint, den: bigint, suffix: string): Omit<ExactQuantity, 'negative'> {
  if (suffix in BINARY_POWERS) return { num: num * 1024n ** BigInt(BINARY_POWERS[suffix]!), den, notation: 'binary' };
  const exponent = /^[eE]/.test(suffix);
  const exp = exponent ? Number(suffix.slice(1)) : DECIMAL_EXPONENTS[suffix]!;
  const notation: Notation = exponent ? 'exponent' : 'decimal';
  return exp >= 0 ? { num: num * 10n ** BigInt(exp), den, notation } : { num, den: den * 10n ** BigInt(-exp), notation };
}

/** Writes a whole number of bytes with the largest binary suffix that divides it. */
function binaryText(bytes: bigint): string {
  let power = 0;
  while (power < 6 && bytes % 1024n === 0n) {
    bytes /= 1024n;
    power++;
  }
  return `${bytes}${BINARY_SUFFIXES[power]}`;
}

/** Writes a positive number of nano-units in decimal or exponent notation, with an exponent that is a multiple of three. */
function decimalText(nanos: bigint, notation: Notation): string {
  // Strip trailing zeros, then step the exponent down to a multiple of three.
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (notation === 'exponent') return `${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  const decimalSuffix = DECIMAL_SUFFIXES.get(exponent);
  if (decimalSuffix !== undefined) return `${mantissa}${decimalSuffix}`;
  // Beyond exa: the mantissa carries the rest, as the API server prints it.
  return `${mantissa * 10n ** BigInt(exponent - 18)}E`;
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
