/**
 * Regularized incomplete gamma functions, the one special function behind both the chi-squared
 * survival function (sample ratio mismatch) and the normal CDF (erfc(x) = Q(1/2, x²)).
 *
 * Reference: Press et al., Numerical Recipes, 3rd ed., §6.1–6.2 (series for P when x < a + 1,
 * Lentz continued fraction for Q otherwise; each converges fast in its region). Relative accuracy is
 * about 1e-14 for the shapes used here (a = 1/2 and a = df/2).
 */

/** Stop when a term changes the result by less than this (close to double precision). */
const EPSILON = 1e-15;
/** Guards the continued fraction against division by zero (Numerical Recipes' FPMIN). */
const TINY = 1e-300;
/** Both expansions need O(√a) iterations; this is far beyond any degrees of freedom we will see. */
const MAX_ITERATIONS = 10_000;

/**
 * Lanczos coefficients for g = 7, n = 9 (Godfrey; also in Wikipedia's "Lanczos approximation"),
 * giving ln Γ to about 15 significant digits for x ≥ 1/2.
 */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  // Lanczos is accurate for x ≥ 1/2; below that, Γ(x) = Γ(x + 1) / x.
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  const z = x - 1;
  let series = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** e^(−x) x^a / Γ(a): the common prefactor of both expansions, computed in logs to avoid overflow. */
function prefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** P(a, x) by its power series; converges quickly for x < a + 1. */
function lowerBySeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n <= MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) return sum * prefactor(a, x);
  }
  throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
}

/** Q(a, x) by its continued fraction (modified Lentz); converges quickly for x ≥ a + 1. */
function upperByContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return prefactor(a, x) * h;
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, x=${x})`);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x ≥ 0. */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`incomplete gamma needs a > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`incomplete gamma needs x ≥ 0, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  // Compute whichever of P and Q is small directly, so the tail keeps its relative precision.
  return x < a + 1 ? 1 - lowerBySeries(a, x) : upperByContinuedFraction(a, x);
}

/** P(χ²_df > x), the p-value of a chi-squared statistic: Q(df/2, x/2). */
export function chiSquaredSurvival(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0))
    throw new RangeError(`degrees of freedom must be > 0, got ${degreesOfFreedom}`);
  if (!(x >= 0)) return 1;
  return regularizedUpperGamma(degreesOfFreedom / 2, x / 2);
}
