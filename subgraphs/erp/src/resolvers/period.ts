/** Report periods from arguments: two dates, both included, checked before any native call. */
import { badUserInput } from '../../../../lib/errors.js';
import { ALL_TIME } from '../areaLoaders.js';
import type { Period } from '../connectors/erpAreas.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(value: string, argumentName: string): string {
  const match = DATE.exec(value);
  const valid = match !== null && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!valid) throw badUserInput(`Expected \`${argumentName}\` to be a calendar date "YYYY-MM-DD", but got ${JSON.stringify(value)}.`, argumentName);
  return value;
}

export function period(from: string, to: string): Period {
  checkDate(from, 'from');
  checkDate(to, 'to');
  if (from > to) throw badUserInput(`Expected \`from\` (${from}) to be on or before \`to\` (${to}).`, 'from');
  return { from, to };
}

/** A period whose ends may be left out: open towards the past or the future. */
export function optionalPeriod(from: string | null | undefined, to: string | null | undefined): Period {
  return period(from ?? ALL_TIME.from, to ?? ALL_TIME.to);
}

/** The most months a month-by-month breakdown lists. */
export const MAX_MONTHS = 120;

/** Every calendar month the period touches, `YYYY-MM`, in order; BAD_USER_INPUT past MAX_MONTHS. */
export function monthsOf(p: Period): string[] {
  const [fy, fm] = p.from.split('-').map(Number) as [number, number];
  const [ty, tm] = p.to.split('-').map(Number) as [number, number];
  const count = (ty - fy) * 12 + (tm - fm) + 1;
  if (count > MAX_MONTHS) {
    throw badUserInput(`Expected a period of at most ${MAX_MONTHS} months for a month-by-month breakdown, but ${p.from} to ${p.to} spans ${count}.`, 'from');
  }
  return Array.from({ length: count }, (_, i) => {
    const m = fm - 1 + i;
    return `${fy + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

/** Calendar months lying wholly within the period, e.g. 3 for 2026-01-01..2026-03-31 and 0 for 2026-01-05..2026-01-31. */
export function wholeMonths(p: Period): number {
  const [fy, fm, fd] = p.from.split('-').map(Number) as [number, number, number];
  const [ty, tm] = p.to.split('-').map(Number) as [number, number];
  const first = fd === 1 ? fy * 12 + fm - 1 : fy * 12 + fm;
  const lastDayOfToMonth = new Date(Date.UTC(ty, tm, 0)).toISOString().slice(0, 10);
  const last = p.to === lastDayOfToMonth ? ty * 12 + tm - 1 : ty * 12 + tm - 2;
  return Math.max(0, last - first + 1);
}
