/**
 * Odoo's `float_round` (HALF-UP): before rounding, the value is nudged by one
 * unit in the last place of its magnitude, so that 2.675 rounds to 2.68 as an
 * accountant expects rather than to 2.67 as binary floating point would.
 */
export function floatRound(value: number, digits: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  let normalized = value * factor;
  const epsilonMagnitude = Math.log2(Math.abs(normalized));
  const epsilon = 2 ** (epsilonMagnitude - 52);
  normalized += Math.sign(normalized) * epsilon;
  const rounded = Math.sign(normalized) * Math.round(Math.abs(normalized));
  const result = rounded / factor;
  return Object.is(result, -0) ? 0 : result;
}
