/**
 * The benchmark chart, drawn by hand as SVG: for each scenario, one bar per
 * setup — throughput on the left, p95 latency on the right.
 */
interface ChartInput {
  scenarios: { name: string }[];
  setups: { name: string }[];
  rows: { scenario: string; setup: string; ok: boolean; requests: number; requestsPerSecond: number; p95Ms: number }[];
}

const COLORS = ['#2b6cb0', '#38a169', '#d69e2e', '#805ad5', '#e53e3e', '#319795'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function panel(input: ChartInput, metric: 'requestsPerSecond' | 'p95Ms', x0: number, title: string, unit: string): string {
  const width = 520;
  const height = 300;
  const top = 60;
  const bottom = top + height;
  const values = input.rows.filter((r) => r.requests > 0).map((r) => r[metric]);
  const max = Math.max(1, ...values);
  const groupWidth = width / Math.max(1, input.scenarios.length);
  const barWidth = (groupWidth - 20) / Math.max(1, input.setups.length);
  const parts: string[] = [
    `<text x="${x0 + width / 2}" y="${top - 25}" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${x0}" y1="${bottom}" x2="${x0 + width}" y2="${bottom}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = bottom - (height * i) / 4;
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${Math.round((max * i) / 4)}</text>`);
  }
  parts.push(
    `<text x="${x0 - 40}" y="${top + height / 2}" font-size="11" transform="rotate(-90 ${x0 - 40} ${top + height / 2})" text-anchor="middle">${escapeXml(unit)}</text>`,
  );
  input.scenarios.forEach((scenario, g) => {
    const gx = x0 + g * groupWidth + 10;
    input.setups.forEach((setup, s) => {
      const row = input.rows.find((r) => r.scenario === scenario.name && r.setup === setup.name);
      const x = gx + s * barWidth;
      if (!row || row.requests === 0) {
        parts.push(`<text x="${x + barWidth / 2}" y="${bottom - 4}" text-anchor="middle" font-size="10" fill="#999">n/a</text>`);
        return;
      }
      const h = (row[metric] / max) * height;
      parts.push(
        `<rect x="${x}" y="${bottom - h}" width="${barWidth - 2}" height="${h}" fill="${COLORS[s % COLORS.length]}"><title>${escapeXml(`${setup.name} · ${scenario.name}: ${row[metric]} ${unit}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${gx + (groupWidth - 20) / 2}" y="${bottom + 18}" text-anchor="middle" font-size="12">${escapeXml(scenario.name)}</text>`);
  });
  return parts.join('\n');
}

export function renderChart(input: ChartInput): string {
  const legend = input.setups
    .map(
      (s, i) =>
        `<rect x="${80 + i * 200}" y="420" width="14" height="14" fill="${COLORS[i % COLORS.length]}"/><text x="${100 + i * 200}" y="432" font-size="13">${escapeXml(s.name)}</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="450" viewBox="0 0 1200 450" font-family="sans-serif">
<rect width="1200" height="450" fill="white"/>
${panel(input, 'requestsPerSecond', 70, 'Throughput (higher is better)', 'requests/s')}
${panel(input, 'p95Ms', 670, 'p95 latency (lower is better)', 'ms')}
${legend}
</svg>
`;
}
