/**
 * The graph map as one self-contained HTML page (`/graph-map`): no external
 * script, style or font, so it works offline like the explorer. It is rendered
 * on the server, so it reads without JavaScript; a few lines of script add the
 * filters (text, area, system).
 */
import type { ServerResponse } from 'node:http';
import { graphMapPath, readGraphMap, type AreaId, type FieldEntry, type FieldSource, type GraphMap, type TypeEntry } from './graphMap.js';

export const GRAPH_MAP_PATH = '/graph-map';
export const GRAPH_MAP_JSON_PATH = '/graph-map.json';

export interface GraphMapRoutes {
  serves(pathname: string): boolean;
  serve(pathname: string, res: ServerResponse): void;
}

/**
 * `/graph-map` (the page) and `/graph-map.json` (the map as generated), from the
 * map beside the supergraph, read once at start. Without one (a supergraph
 * composed elsewhere), both answer 404 saying how to generate it.
 */
export function createGraphMapRoutes(supergraphPath: string): GraphMapRoutes {
  const loaded = readGraphMap(supergraphPath);
  let html: string | undefined;
  return {
    serves: (pathname) => pathname === GRAPH_MAP_PATH || pathname === GRAPH_MAP_JSON_PATH,
    serve(pathname, res) {
      if (!loaded) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(
          `Expected a graph map at ${graphMapPath(supergraphPath)}, beside the supergraph, but there is none; run \`npm run compose\` to generate it.\n`,
        );
      }
      if (pathname === GRAPH_MAP_JSON_PATH) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
        return void res.end(loaded.json);
      }
      html ??= graphMapHtml(loaded.map);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(html);
    },
  };
}

const SYSTEM_LABEL = { odoo: 'Odoo', salesforce: 'Salesforce', none: 'No native value' } as const;

const KIND_HELP: Record<FieldSource['kind'], string> = {
  field: 'read as stored',
  derived: 'computed by the subgraph from these fields',
  aggregate: 'summed or counted by the native system (read_group, SOQL GROUP BY)',
  link: 'records of another type, found through these fields',
  write: 'what the mutation writes',
  paging: 'connection paging over the native paging',
  echo: 'an argument or key of the request, given back',
  value: 'part of a value type: its source is the field holding it',
  computed: 'made by the subgraph itself',
};

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function code(text: string): string {
  return `<code>${esc(text)}</code>`;
}

/** `res.partner` · `credit_limit`, `currency_id` — what a source reads, as words and as one search string. */
function describeSource(source: FieldSource): { html: string; text: string } {
  const kind = `<span class="kind kind-${source.kind}" title="${esc(KIND_HELP[source.kind])}">${source.kind}</span>`;
  const note = source.note ? ` <span class="note">${esc(source.note)}</span>` : '';
  if (source.system === 'none') {
    return { html: `<div class="source none"><span class="system">—</span> ${kind}${note}</div>`, text: `${source.kind} ${source.note ?? ''}` };
  }
  const owner = source.system === 'odoo' ? source.model : source.object;
  const fields = source.fields.map(code).join(', ');
  return {
    html: `<div class="source ${source.system}"><span class="system">${SYSTEM_LABEL[source.system]}</span> ${code(owner)} · ${fields} ${kind}${note}</div>`,
    text: `${SYSTEM_LABEL[source.system]} ${owner} ${source.fields.join(' ')} ${source.fields.map((f) => `${owner}.${f}`).join(' ')} ${source.kind} ${source.note ?? ''}`,
  };
}

function fieldRow(type: TypeEntry, field: FieldEntry): string {
  const owners = field.owners.map((owner) => {
    const sources = owner.sources.map(describeSource);
    const extra = [
      owner.requires ? `<span class="requires" title="@requires: fields it needs from another subgraph first">needs ${code(owner.requires)}</span>` : '',
      owner.scopes ? `<span class="scopes" title="@requiresScopes">scope ${owner.scopes.map((all) => all.map(code).join(' + ')).join(' or ')}</span>` : '',
    ].join('');
    return {
      html: `<div class="owner"><span class="subgraph sg-${esc(owner.subgraph)}" title="${esc(owner.declaredIn)}">${esc(owner.subgraph)}</span><div class="sources">${sources.map((s) => s.html).join('')}${extra}</div></div>`,
      text: `${owner.subgraph} ${owner.declaredIn} ${sources.map((s) => s.text).join(' ')}`,
    };
  });
  const systems = [...new Set(field.owners.flatMap((o) => o.sources.map((s) => s.system)))];
  const search = [`${type.name}.${field.name}`, field.type, field.description ?? '', ...owners.map((o) => o.text)].join(' ').toLowerCase();
  const args = field.args.length > 0 ? `<span class="args">(${esc(field.args.join(', '))})</span>` : '';
  const badges = [
    field.key ? '<span class="badge key" title="Part of an entity key">key</span>' : '',
    field.external.length > 0
      ? `<span class="badge" title="@external in ${esc(field.external.join(', '))}">used by ${esc(field.external.join(', '))}</span>`
      : '',
  ].join('');
  return `<tr class="field" id="${esc(`${type.name}.${field.name}`)}" data-field="${esc(`${type.name}.${field.name}`)}" data-systems="${systems.join(' ')}" data-search="${esc(search)}">
<td class="name">${code(field.name)}${args}${badges}${field.description ? `<div class="description">${esc(field.description)}</div>` : ''}</td>
<td class="type">${code(field.type)}</td>
<td class="owners">${owners.map((o) => o.html).join('')}</td>
</tr>`;
}

function typeCard(map: GraphMap, type: TypeEntry, area: AreaId): string {
  const fields = type.fields.filter((f) => f.area === area);
  const others = type.areas.filter((a) => a !== area).map((a) => map.areas.find((x) => x.id === a)?.title ?? a);
  const backing = type.backedBy.map((b) => `${code(b.name)} <span class="muted">(${esc(b.subgraph)})</span>`).join(', ');
  const keys = type.keys.map((k) => `${code(k.fields)} <span class="muted">(${esc(k.subgraph)}${k.resolvable ? '' : ', reference only'})</span>`).join(', ');
  const meta = [
    `${type.kind} in ${type.subgraphs.map(esc).join(', ')}`,
    backing ? `backed by ${backing}` : '',
    keys ? `key ${keys}` : '',
    others.length > 0 && area === type.area ? `more fields under ${others.map(esc).join(', ')}` : '',
    area !== type.area ? `mainly under ${esc(map.areas.find((x) => x.id === type.area)?.title ?? type.area)}` : '',
  ].filter(Boolean);
  const values =
    type.values.length > 0
      ? `<p class="values">${type.values.map((v) => `<span title="${esc(v.description ?? '')}">${code(v.name)}</span>`).join(' ')}</p>`
      : '';
  const table =
    fields.length > 0
      ? `<table><thead><tr><th>Field</th><th>Type</th><th>Subgraph and native source</th></tr></thead><tbody>${fields.map((f) => fieldRow(type, f)).join('')}</tbody></table>`
      : '';
  const search = `${type.name} ${type.kind} ${type.values.map((v) => v.name).join(' ')} ${type.backedBy.map((b) => b.name).join(' ')}`.toLowerCase();
  return `<article class="type" id="${esc(`${area}-${type.name}`)}" data-type="${esc(type.name)}" data-search="${esc(search)}">
<h3>${esc(type.name)}</h3>
<p class="meta">${meta.join(' · ')}</p>
${type.description ? `<p class="description">${esc(type.description)}</p>` : ''}${values}${table}
</article>`;
}

function entityTable(map: GraphMap): string {
  const rows = map.entities.flatMap((entity) =>
    entity.keys.map((key, i) => {
      const native = key.native
        .map(
          (n) => `${code(n.field)} = ${n.sources.length > 0 ? n.sources.map((s) => describeSource(s).html).join('') : '<span class="muted">no source</span>'}`,
        )
        .join('');
      return `<tr class="entity" data-search="${esc(`${entity.type} ${key.subgraph} ${key.fields} ${key.native.flatMap((n) => n.sources.map((s) => describeSource(s).text)).join(' ')}`.toLowerCase())}">
<td>${i === 0 ? `<a href="#${esc(`${map.types.find((t) => t.name === entity.type)?.area ?? 'shared'}-${entity.type}`)}">${esc(entity.type)}</a>` : ''}</td>
<td><span class="subgraph sg-${esc(key.subgraph)}">${esc(key.subgraph)}</span>${key.resolvable ? '' : ' <span class="muted">reference only</span>'}</td>
<td>${code(key.fields)}</td>
<td>${native}</td>
</tr>`;
    }),
  );
  return `<table class="entities"><thead><tr><th>Entity</th><th>Subgraph</th><th>Key</th><th>Native field</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const STYLE = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --odoo: #714b67; --sf: #0b6cb5; --bg: #fff; --band: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); padding: 12px 24px; }
header h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 0 0 8px; color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.filters input[type=search] { width: 420px; max-width: 100%; padding: 6px 8px; font: inherit; border: 1px solid #c9ced6; border-radius: 6px; }
.filters select { padding: 5px; font: inherit; }
#count { color: var(--muted); }
main { padding: 8px 24px 48px; }
nav.areas { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0 0; }
nav.areas a { color: var(--fg); text-decoration: none; border-bottom: 1px dotted var(--muted); }
section.area > h2 { font-size: 18px; margin: 28px 0 8px; padding: 6px 10px; background: var(--band); border-radius: 6px; }
article.type { margin: 0 0 18px; }
article.type h3 { font-size: 15px; margin: 10px 0 2px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.meta, .muted { color: var(--muted); }
.meta { margin: 0 0 4px; }
p.description, div.description { margin: 2px 0 6px; color: #475467; }
div.description { font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-top: 1px solid var(--line); }
th { font-weight: 600; font-size: 12px; color: var(--muted); }
td.name { width: 30%; }
td.type { width: 14%; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.args { color: var(--muted); font-family: ui-monospace, monospace; font-size: 11.5px; margin-left: 2px; }
.owner { display: flex; gap: 8px; margin: 0 0 4px; }
.subgraph { display: inline-block; min-width: 64px; text-align: center; font-size: 11.5px; font-weight: 600; border-radius: 4px; padding: 1px 6px; background: #eef0f3; height: fit-content; }
.sg-erp { background: #f3e8f1; color: var(--odoo); }
.sg-crm { background: #e4f0fa; color: var(--sf); }
.sg-workflow { background: #eaf5ea; color: #2e6b30; }
.source { margin: 0 0 2px; }
.source .system { font-weight: 600; font-size: 12px; }
.source.odoo .system { color: var(--odoo); }
.source.salesforce .system { color: var(--sf); }
.kind { font-size: 11px; border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; color: var(--muted); margin-left: 4px; }
.note { color: var(--muted); font-size: 12.5px; }
.badge { font-size: 11px; border-radius: 4px; padding: 0 5px; margin-left: 6px; background: #fff4d6; color: #7a5b00; }
.requires, .scopes { display: inline-block; font-size: 12px; color: var(--muted); margin-right: 10px; }
.values code { margin-right: 6px; }
.hidden { display: none !important; }
`;

const SCRIPT = `
(() => {
  const q = document.getElementById('q');
  const area = document.getElementById('area');
  const system = document.getElementById('system');
  const count = document.getElementById('count');
  const apply = () => {
    const words = q.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const section of document.querySelectorAll('section.area')) {
      const areaOff = area.value && section.dataset.area !== area.value;
      let sectionShown = 0;
      for (const card of section.querySelectorAll('article.type')) {
        let cardShown = 0;
        const cardMatches = words.length > 0 && words.every((w) => card.dataset.search.includes(w));
        for (const row of card.querySelectorAll('tr.field')) {
          const ok = !areaOff && (!system.value || row.dataset.systems.split(' ').includes(system.value)) &&
            (cardMatches || words.every((w) => row.dataset.search.includes(w)));
          row.classList.toggle('hidden', !ok);
          if (ok) cardShown++;
        }
        const empty = card.querySelectorAll('tr.field').length === 0;
        const show = !areaOff && (cardShown > 0 || (empty && !system.value && (words.length === 0 || cardMatches)));
        card.classList.toggle('hidden', !show);
        if (show) sectionShown++;
        shown += cardShown;
      }
      section.classList.toggle('hidden', sectionShown === 0);
    }
    let links = 0;
    for (const row of document.querySelectorAll('tr.entity')) {
      const ok = words.every((w) => row.dataset.search.includes(w));
      row.classList.toggle('hidden', !ok);
      if (ok) links++;
    }
    document.getElementById('links').classList.toggle('hidden', links === 0);
    count.textContent = shown + ' field' + (shown === 1 ? '' : 's') + ' shown';
  };
  for (const el of [q, area, system]) el.addEventListener('input', apply);
  const initial = new URLSearchParams(location.search).get('q');
  if (initial) q.value = initial;
  apply();
})();
`;

/** The page, rendered once per map. */
export function graphMapHtml(map: GraphMap): string {
  const fieldCount = map.types.reduce((n, t) => n + t.fields.length, 0);
  const sections = map.areas.map((area) => {
    const types = map.types.filter((t) => t.areas.includes(area.id) || (t.area === area.id && t.fields.length === 0));
    // The area's own types first, then those that only lend it some fields.
    types.sort((a, b) => Number(b.area === area.id) - Number(a.area === area.id) || a.name.localeCompare(b.name));
    const heading = `${area.number === null ? '' : `${area.number}. `}${area.title}`;
    return `<section class="area" id="area-${area.id}" data-area="${area.id}"><h2>${esc(heading)}</h2>${types.map((t) => typeCard(map, t, area.id)).join('\n')}</section>`;
  });
  const nav = map.areas
    .map((a) => {
      const n = map.types.reduce((sum, t) => sum + t.fields.filter((f) => f.area === a.id).length, 0);
      return `<a href="#area-${a.id}">${esc(a.number === null ? a.title : `${a.number}. ${a.title}`)} <span class="muted">(${n})</span></a>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Graph map · ERP + CRM graph</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Graph map</h1>
<p>Every type and field of the supergraph (${map.types.length} types, ${fieldCount} fields), by integration area: the subgraph that resolves each field, and where its value comes from in Odoo or Salesforce.
Generated from the subgraph schemas' <code>@odoo</code>, <code>@salesforce</code> and <code>@synthetic</code> declarations by <code>npm run compose</code>. <a href="/">Explorer</a> · <a href="/graph-map.json">JSON</a></p>
<form class="filters" onsubmit="return false">
<input type="search" id="q" placeholder="Filter: creditLimit, res.partner, Account, ERP_Customer_Number__c, aggregate…" aria-label="Filter fields">
<select id="area" aria-label="Area"><option value="">All areas</option>${map.areas.map((a) => `<option value="${a.id}">${esc(a.title)}</option>`).join('')}</select>
<select id="system" aria-label="Native system"><option value="">Any source</option><option value="odoo">Odoo</option><option value="salesforce">Salesforce</option><option value="none">No native value</option></select>
<span id="count"></span>
</form>
<nav class="areas">${nav}</nav>
</header>
<main>
<section id="links"><h2>How the systems are linked</h2>
<p class="muted">Entity keys: each subgraph that knows an entity names it by a key, and the key is a native field in each system. A field marked <span class="badge key">key</span> below is one of them.</p>
${entityTable(map)}
</section>
${sections.join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
