/**
 * A self-contained SVG chart of simulation runs: traffic against the capacity of the Ready pods (top), and
 * replicas (bottom), over time. No chart library: a few polylines are easier to review than a dependency.
 */
import type { SimulationResult } from './simulate';

const WIDTH = 960;
const PANEL = 220;
const MARGIN = { left: 70, right: 20, top: 40, gap: 50, bottom: 40 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/**
 * Renders one or more runs of the same profile.
 *
 * @example
 * fs.writeFileSync('flash-crowd.svg', simulationSvg([simulate(model, FLASH_CROWD)]));
 */
export function simulationSvg(runs: readonly SimulationResult[], title?: string): string {
  if (runs.length === 0) throw new Error('simulationSvg: no runs to draw');
  const height = MARGIN.top + 2 * PANEL + MARGIN.gap + MARGIN.bottom;
  const tMax = Math.max(...runs.flatMap((r) => r.steps.map((s) => s.t)));
  const rpsMax = niceCeiling(Math.max(...runs.flatMap((r) => r.steps.flatMap((s) => [s.requestsPerSecond, s.readyReplicas * r.capacityPerPod]))));
  const replicasMax = niceCeiling(Math.max(...runs.flatMap((r) => r.steps.map((s) => s.replicas))));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (t: number) => MARGIN.left + (t / tMax) * plotWidth;
  const top = MARGIN.top;
  const bottom = MARGIN.top + PANEL + MARGIN.gap;
  const yTop = (v: number) => top + PANEL - (v / rpsMax) * PANEL;
  const yBottom = (v: number) => bottom + PANEL - (v / replicasMax) * PANEL;
  const line = (pts: Array<[number, number]>, color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;

  const parts: string[] = [];
  parts.push(`<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escape(title ?? `${runs[0].service}: ${runs[0].profile}`)}</text>`);
  parts.push(axes(top, yTop, rpsMax, 'requests/s', x, tMax));
  parts.push(axes(bottom, yBottom, replicasMax, 'replicas', x, tMax));
  const first = runs[0];
  parts.push(line(first.steps.map((s) => [x(s.t), yTop(s.requestsPerSecond)]), '#000'));
  parts.push(legend(MARGIN.left + 10, top + 14, '#000', 'traffic'));
  runs.forEach((r, i) => {
    const color = COLORS[i % COLORS.length];
    parts.push(line(r.steps.map((s) => [x(s.t), yTop(s.readyReplicas * r.capacityPerPod)]), color, '4 3'));
    parts.push(line(r.steps.map((s) => [x(s.t), yBottom(s.replicas)]), color));
    const label = `${r.policy}: overload ${(r.totals.overloadShare * 100).toFixed(2)}%, ${r.totals.podHours.toFixed(1)} pod-h`;
    parts.push(legend(MARGIN.left + 10, bottom + 14 + 16 * i, color, label));
    parts.push(legend(MARGIN.left + 10, top + 30 + 16 * i, color, `capacity of ready pods (${r.policy})`, '4 3'));
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

function axes(y0: number, y: (v: number) => number, max: number, label: string, x: (t: number) => number, tMax: number): string {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${formatNumber(v)}</text>`);
  }
  const stepMinutes = tMax > 6 * 3600 ? 120 : tMax > 3600 ? 15 : 5;
  for (let t = 0; t <= tMax; t += stepMinutes * 60) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${y0 + PANEL + 14}" text-anchor="middle">${Math.round(t / 60)}m</text>`);
  }
  out.push(`<text transform="translate(14 ${y0 + PANEL / 2}) rotate(-90)" text-anchor="middle">${label}</text>`);
  out.push(`<rect x="${MARGIN.left}" y="${y0}" width="${WIDTH - MARGIN.left - MARGIN.right}" height="${PANEL}" fill="none" stroke="#999"/>`);
  return out.join('\n');
}

function legend(x: number, y: number, color: string, text: string, dash = ''): string {
  return `<line x1="${x}" x2="${x + 20}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${x + 26}" y="${y}">${escape(text)}</text>`;
}

function niceCeiling(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= v) return m * magnitude;
  return 10 * magnitude;
}

function formatNumber(v: number): string {
  return v >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3)));
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
