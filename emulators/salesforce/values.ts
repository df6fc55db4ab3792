/**
 * Value formats shared by storage, SOQL and the JSON API. Datetimes are stored
 * in the exact text form Salesforce returns (`2026-11-15T10:00:00.000+0000`,
 * always UTC), which also sorts correctly as text; dates are `YYYY-MM-DD`.
 */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && formatDate(d) === s;
}

/**
 * Parses an ISO-8601 datetime as Salesforce accepts it (`Z`, `+hh:mm` or `+hhmm`
 * offsets; no offset means UTC) and returns the stored form, or null.
 */
export function parseDateTime(s: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m || !isValidDate(m[1]!)) return null;
  let offset = m[6] ?? 'Z';
  if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const fraction = (m[5] ?? '.000').slice(0, 4).padEnd(4, '0');
  const d = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${fraction}${offset}`);
  return Number.isNaN(d.getTime()) ? null : formatDateTime(d);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return formatDate(d);
}

export function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return formatDate(d);
}

/** Adds minutes to a stored datetime and returns the stored form. */
export function addMinutes(storedDateTime: string, minutes: number): string {
  const d = new Date(storedDateTime.replace('+0000', 'Z'));
  return formatDateTime(new Date(d.getTime() + minutes * 60000));
}

export function minutesBetween(fromStored: string, toStored: string): number {
  return Math.round((Date.parse(toStored.replace('+0000', 'Z')) - Date.parse(fromStored.replace('+0000', 'Z'))) / 60000);
}
