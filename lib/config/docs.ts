/**
 * The documentation generated from the catalog: `.env.example` and the
 * README's configuration table (between the markers below). Written by
 * `npm run config:docs`; test/lib/config.test.ts fails when either drifts.
 */
import { SETTINGS, SETTING_GROUPS, type SettingName } from './catalog.js';
import type { Setting } from './setting.js';

export const README_TABLE_START = '<!-- settings:start — generated from lib/config/catalog.ts by `npm run config:docs`; do not edit -->';
export const README_TABLE_END = '<!-- settings:end -->';

type Entry = [SettingName, Setting<unknown>];

// Private: the catalog in documentation order: by group, then as declared.
function byGroup(): { group: string; entries: Entry[] }[] {
  const entries = Object.entries(SETTINGS) as Entry[];
  const unknown = entries.filter(([, s]) => !(SETTING_GROUPS as readonly string[]).includes(s.group));
  if (unknown.length > 0)
    throw new Error(`Expected every setting's group to be one of SETTING_GROUPS, but ${unknown.map(([n, s]) => `${n} has "${s.group}"`).join(', ')}.`);
  return SETTING_GROUPS.map((group) => ({ group, entries: entries.filter(([, s]) => s.group === group) })).filter((g) => g.entries.length > 0);
}

function defaultOf(setting: Setting<unknown>): string | undefined {
  if (setting.defaultText !== undefined) return setting.defaultText;
  return setting.default === undefined ? undefined : String(setting.default);
}

/** `.env.example`: every setting, commented out, with its default (secrets empty). */
export function renderEnvExample(): string {
  const lines = [
    '# Every setting of the ERP + CRM graph: each environment variable any component reads.',
    '# Generated from lib/config/catalog.ts by `npm run config:docs`; edit the catalog, not this file.',
    '#',
    '# Every line is commented out, so this file changes nothing as it is: the value shown is the',
    '# default (or an example, for settings without one). Copy it to .env, uncomment what you change,',
    "# and load it into the environment (`set -a; . ./.env; set +a`, or your deployment's mechanism).",
    '# An empty variable counts as unset. A bad value stops start-up with a message naming the',
    '# setting and what it accepts. Secrets are left empty here: keep their values out of version control.',
  ];
  for (const { group, entries } of byGroup()) {
    const title = group.replace(/`/g, '');
    lines.push('', `# === ${title} ${'='.repeat(Math.max(3, 94 - title.length))}`);
    for (const [name, setting] of entries) {
      const value = setting.secret ? '' : setting.default === undefined ? (setting.example ?? '') : String(setting.default);
      const shown = defaultOf(setting);
      lines.push(
        '',
        ...comment(setting.description.replace(/`/g, '')),
        ...comment(`Accepts ${setting.expected}. Default: ${shown ?? 'unset'}. Read by: ${setting.components.join(', ')}.`),
      );
      if (setting.secret) lines.push('# Secret: never logged; set it from your secret store, never commit it.');
      else if (setting.default === undefined && setting.example !== undefined) lines.push('# (The value below is an example.)');
      // Quoted when a shell sourcing the file would otherwise change it (JSON's quotes and braces).
      lines.push(`#${name}=${/^[\w.:/@,=+-]*$/.test(value) ? value : `'${value}'`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// Private: `# ` comment lines of at most 100 characters.
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

// Private: a Markdown table cell.
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The README's configuration table, markers included. */
export function renderReadmeTable(): string {
  const rows = [README_TABLE_START, '| Setting | Default | Accepts | Meaning |', '|---|---|---|---|'];
  for (const { group, entries } of byGroup()) {
    rows.push(`| **${cell(group)}** | | | |`);
    for (const [name, setting] of entries) {
      const shown = defaultOf(setting);
      const def = shown === undefined ? '—' : setting.defaultText !== undefined ? cell(shown) : `\`${cell(shown)}\``;
      rows.push(`| \`${name}\` | ${def} | ${cell(setting.expected)} | ${cell(setting.description)}${setting.secret ? ' Secret: never logged.' : ''} |`);
    }
  }
  rows.push(README_TABLE_END);
  return rows.join('\n');
}

/**
 * The README with its table replaced by the current one. Throws when the
 * markers are missing, so a README edit cannot silently drop the table.
 */
export function withReadmeTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(
      `Expected README.md to hold the configuration table between "${README_TABLE_START}" and "${README_TABLE_END}", but the markers are missing or out of order.`,
    );
  }
  return readme.slice(0, start) + renderReadmeTable() + readme.slice(end + README_TABLE_END.length);
}
