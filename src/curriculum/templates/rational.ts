/**
 * Exact rational numbers for item templates: school arithmetic (fractions, ratios, decimals)
 * must produce answer keys that are exactly right, which floating point cannot promise.
 * Numerator and denominator are safe integers; an overflow is an error, never a rounding.
 */
export interface Rational {
  readonly n: number;
  readonly d: number;
}

export class RationalError extends Error {}

function gcdInt(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

function checkSafe(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RationalError("number too large for exact arithmetic");
  return value;
}

export function rational(n: number, d = 1): Rational {
  if (d === 0) throw new RationalError("division by zero");
  checkSafe(n);
  checkSafe(d);
  const g = gcdInt(n, d) || 1;
  const sign = d < 0 ? -1 : 1;
  // `+ 0` turns -0 into 0 so that equal values compare equal.
  return { n: (sign * n) / g + 0, d: (sign * d) / g };
}

/** Parses a decimal literal such as "12", "0.25" or "-3.5" exactly. */
export function parseDecimal(text: string): Rational {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RationalError(`not a number: ${text}`);
  const [, sign, whole, fraction = ""] = match;
  const d = 10 ** fraction.length;
  const n = Number(whole) * d + (fraction ? Number(fraction) : 0);
  return rational(sign === "-" ? -n : n, d);
}

export function fromNumber(value: number): Rational {
  if (Number.isInteger(value)) return rational(value, 1);
  // Template parameters come from YAML decimals such as 0.25; their shortest decimal form is exact.
  return parseDecimal(String(value));
}

export const add = (a: Rational, b: Rational): Rational => {
  const g = gcdInt(a.d, b.d);
  return rational(checkSafe(a.n * (b.d / g) + b.n * (a.d / g)), checkSafe((a.d / g) * b.d));
};
export const neg = (a: Rational): Rational => rational(-a.n, a.d);
export const sub = (a: Rational, b: Rational): Rational => add(a, neg(b));
export const mul = (a: Rational, b: Rational): Rational => {
  const g1 = gcdInt(a.n, b.d) || 1;
  const g2 = gcdInt(b.n, a.d) || 1;
  return rational(checkSafe((a.n / g1) * (b.n / g2)), checkSafe((a.d / g2) * (b.d / g1)));
};
export const div = (a: Rational, b: Rational): Rational => {
  if (b.n === 0) throw new RationalError("division by zero");
  return mul(a, rational(b.d, b.n));
};
export const compare = (a: Rational, b: Rational): number => Math.sign(sub(a, b).n);
export const isInteger = (a: Rational): boolean => a.d === 1;
export const toNumber = (a: Rational): number => a.n / a.d;

export function pow(base: Rational, exponent: Rational): Rational {
  if (!isInteger(exponent) || Math.abs(exponent.n) > 64) throw new RationalError("exponent must be a small integer");
  let result = rational(1);
  for (let i = 0; i < Math.abs(exponent.n); i++) result = mul(result, base);
  return exponent.n < 0 ? div(rational(1), result) : result;
}

/** Integer-only operations (gcd, lcm, mod) reject fractions rather than truncate them. */
export function requireInteger(a: Rational, what: string): number {
  if (!isInteger(a)) throw new RationalError(`${what} needs whole numbers`);
  return a.n;
}

export function gcd(a: Rational, b: Rational): Rational {
  return rational(gcdInt(requireInteger(a, "gcd"), requireInteger(b, "gcd")));
}

export function lcm(a: Rational, b: Rational): Rational {
  const x = requireInteger(a, "lcm");
  const y = requireInteger(b, "lcm");
  if (x === 0 || y === 0) return rational(0);
  return rational(checkSafe(Math.abs((x / gcdInt(x, y)) * y)));
}

export function mod(a: Rational, b: Rational): Rational {
  const x = requireInteger(a, "mod");
  const y = requireInteger(b, "mod");
  if (y === 0) throw new RationalError("division by zero");
  return rational(((x % y) + y) % y);
}

export function floor(a: Rational): Rational {
  return rational(Math.floor(a.n / a.d));
}

export function sqrt(a: Rational): Rational {
  const rn = Math.round(Math.sqrt(a.n));
  const rd = Math.round(Math.sqrt(a.d));
  if (a.n < 0 || rn * rn !== a.n || rd * rd !== a.d) throw new RationalError("square root is not rational");
  return rational(rn, rd);
}

/** A terminating decimal exists exactly when the reduced denominator has no prime factor but 2 and 5. */
export function isTerminating(a: Rational): boolean {
  let d = a.d;
  while (d % 2 === 0) d /= 2;
  while (d % 5 === 0) d /= 5;
  return d === 1;
}

export type NumberFormat = "auto" | "integer" | "fraction" | "mixed" | "decimal";

export function formatDecimal(a: Rational): string {
  if (!isTerminating(a)) throw new RationalError(`${a.n}/${a.d} has no finite decimal form`);
  const sign = a.n < 0 ? "-" : "";
  const n = Math.abs(a.n);
  const whole = Math.floor(n / a.d);
  let remainder = n % a.d;
  let digits = "";
  while (remainder !== 0) {
    remainder *= 10;
    digits += String(Math.floor(remainder / a.d));
    remainder %= a.d;
  }
  return `${sign}${whole}${digits ? `.${digits}` : ""}`;
}

export function formatRational(a: Rational, format: NumberFormat): string {
  switch (format) {
    case "integer":
      if (!isInteger(a)) throw new RationalError(`${a.n}/${a.d} is not a whole number`);
      return String(a.n);
    case "decimal":
      return formatDecimal(a);
    case "mixed": {
      if (isInteger(a)) return String(a.n);
      const whole = Math.trunc(a.n / a.d);
      if (whole === 0) return `${a.n}/${a.d}`;
      return `${whole} ${Math.abs(a.n % a.d)}/${a.d}`;
    }
    case "fraction":
      return isInteger(a) ? String(a.n) : `${a.n}/${a.d}`;
    case "auto":
      return isInteger(a) ? String(a.n) : `${a.n}/${a.d}`;
  }
}

/**
 * Parses what a learner types for a number: "3", "-0.75", "3/4", "1 1/2" (mixed).
 * Returns undefined when the text is not a number in one of these forms.
 */
export function parseLearnerNumber(text: string): Rational | undefined {
  const trimmed = text.trim().replace(/\s+/g, " ");
  try {
    const mixed = /^(-?)(\d+) (\d+)\/(\d+)$/.exec(trimmed);
    if (mixed) {
      const [, sign, whole, num, den] = mixed;
      const value = add(rational(Number(whole)), rational(Number(num), Number(den)));
      return sign === "-" ? neg(value) : value;
    }
    const fraction = /^(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(trimmed);
    if (fraction) return div(parseDecimal(fraction[1] as string), parseDecimal(fraction[2] as string));
    if (/^-?\d+(?:\.\d+)?$/.test(trimmed)) return parseDecimal(trimmed);
  } catch {
    return undefined;
  }
  return undefined;
}
