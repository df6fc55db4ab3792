/**
 * PostgreSQL's LIKE/ILIKE as an SQLite function. SQLite's own LIKE ignores
 * case for ASCII only and has no default escape character; PostgreSQL's
 * LIKE is case-sensitive, ILIKE folds all of Unicode, and `\` escapes the
 * next character. Odoo's domains rely on the PostgreSQL behaviour.
 */
const cache = new Map<string, RegExp>();

function compile(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += escapeRegExp(ch);
  }
  re = new RegExp(`^${source}$`, caseInsensitive ? 'iu' : 'u');
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}

const escapeRegExp = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `odoo_like(value, pattern, caseInsensitive)`: 1 or 0, or NULL for a NULL value, as SQL comparisons give. */
export function odooLike(value: unknown, pattern: unknown, caseInsensitive: unknown): number | null {
  if (value === null || value === undefined || pattern === null || pattern === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  return compile(String(pattern), caseInsensitive === 1).test(text) ? 1 : 0;
}
