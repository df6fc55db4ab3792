/**
 * The benchmark chart, drawn by hand as SVG: for each scenario, one bar per
 * setup — requests/s with the first load, requests/s with the capacity load,
 * and p95 latency. The axes are logarithmic: the setups differ by up to three
 * orders of magnitude, and their ratios are what to read.
 */
interface ChartRow {
  scenario: string;
  setup: string;
  requests: number;
  requestsPerSecond: number;
  p95Ms: number;
  capacity?: { connections: number; requestsPerSecond: number };
}

interface ChartInput {
  scenarios: { name: string }[];
  setups: { name: string }[];
  rows: ChartRow[];
}

interface Metric {
  title: string;
  unit: string;
  value(row: ChartRow): number | undefined;
}

const COLORS = ['#2b6cb0', '#38a169', '#d69e2e', '#805ad5', '#e53e3e', '#319795'];
const WIDTH = 1200;
const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 300;
const TOP = 60;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function panel(input: ChartInput, metric: Metric, x0: number): string {
  const bottom = TOP + PANEL_HEIGHT;
  const values = input.rows.map((r) => (r.requests > 0 ? metric.value(r) : undefined)).filter((v): v is number => v !== undefined && v > 0);
  // Whole decades from below the smallest value to above the largest.
  const low = Math.floor(Math.log10(Math.min(1, ...values)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(1, ...values))));
  const y = (v: number) => bottom - ((Math.log10(v) - low) / (high - low)) * PANEL_HEIGHT;
  const groupWidth = PANEL_WIDTH / Math.max(1, input.scenarios.length);
  const barWidth = (groupWidth - 10) / Math.max(1, input.setups.length);
  const parts: string[] = [
    `<text x="${x0 + PANEL_WIDTH / 2}" y="${TOP - 25}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(metric.title)}</text>`,
    `<line x1="${x0}" y1="${bottom}" x2="${x0 + PANEL_WIDTH}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${x0 - 48}" y="${TOP + PANEL_HEIGHT / 2}" font-size="11" transform="rotate(-90 ${x0 - 48} ${TOP + PANEL_HEIGHT / 2})" text-anchor="middle">${escapeXml(`${metric.unit} (log scale)`)}</text>`,
  ];
  for (let decade = low; decade <= high; decade++) {
    const at = y(10 ** decade);
    parts.push(`<line x1="${x0}" y1="${at}" x2="${x0 + PANEL_WIDTH}" y2="${at}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${at + 4}" text-anchor="end" font-size="11">${10 ** decade}</text>`);
  }
  input.scenarios.forEach((scenario, g) => {
    const gx = x0 + g * groupWidth + 5;
    input.setups.forEach((setup, s) => {
      const row = input.rows.find((r) => r.scenario === scenario.name && r.setup === setup.name);
      const value = row && row.requests > 0 ? metric.value(row) : undefined;
      const x = gx + s * barWidth;
      if (value === undefined || value <= 0) {
        parts.push(`<text x="${x + barWidth / 2}" y="${bottom - 4}" text-anchor="middle" font-size="8" fill="#999">n/a</text>`);
        return;
      }
      const top = y(value);
      parts.push(
        `<rect x="${x}" y="${top}" width="${Math.max(1, barWidth - 1)}" height="${bottom - top}" fill="${COLORS[s % COLORS.length]}"><title>${escapeXml(`${setup.name} · ${scenario.name}: ${value} ${metric.unit}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${gx + (groupWidth - 10) / 2}" y="${bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(scenario.name)}</text>`);
  });
  return parts.join('\n');
}

export function renderChart(input: ChartInput, connections: number): string {
  const capacity = input.rows.find((r) => r.capacity)?.capacity?.connections;
  const metrics: Metric[] = [
    { title: `Requests/s, ${connections} in flight`, unit: 'requests/s', value: (r) => r.requestsPerSecond },
    ...(capacity ? [{ title: `Requests/s, ${capacity} in flight`, unit: 'requests/s', value: (r: ChartRow) => r.capacity?.requestsPerSecond }] : []),
    { title: `p95 latency, ${connections} in flight`, unit: 'ms', value: (r) => r.p95Ms },
  ];
  const gap = (WIDTH - 60 - metrics.length * PANEL_WIDTH) / metrics.length;
  const panels = metrics.map((metric, i) => panel(input, metric, 60 + i * (PANEL_WIDTH + gap)));
  const legend = input.setups
    .map(
      (s, i) =>
        `<rect x="${60 + i * 190}" y="420" width="14" height="14" fill="${COLORS[i % COLORS.length]}"/><text x="${80 + i * 190}" y="432" font-size="13">${escapeXml(s.name)}</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="450" viewBox="0 0 ${WIDTH} 450" font-family="sans-serif">
<rect width="${WIDTH}" height="450" fill="white"/>
${panels.join('\n')}
${legend}
</svg>
`;
}
