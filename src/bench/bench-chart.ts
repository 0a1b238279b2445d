/**
 * The `skein bench --chart` picture: pages/s as grouped bars, one group per
 * parser mode, one bar per worker count, as a standalone SVG document
 * (hand-written markup, no dependency). Pure.
 */
import type { ParserMode } from '../parse/parse-types.js';

export interface ChartBar {
  mode: ParserMode;
  workers: number;
  pagesPerSecond: number;
}

const WIDTH = 720;
const HEIGHT = 360;
const PAD = { top: 48, right: 24, bottom: 64, left: 64 };
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7'];

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A "nice" axis maximum (1, 2 or 5 × a power of ten) at or above `value`. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function pagesPerSecondChart(bars: readonly ChartBar[], title: string): string {
  const modes = [...new Set(bars.map((b) => b.mode))];
  const workerCounts = [...new Set(bars.map((b) => b.workers))].sort((a, b) => a - b);
  const max = niceMax(Math.max(0, ...bars.map((b) => b.pagesPerSecond)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, modes.length);
  const barW = Math.min(48, (groupW * 0.8) / Math.max(1, workerCounts.length));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#dddddd"/>`,
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  parts.push(`<text x="16" y="${PAD.top + plotH / 2}" transform="rotate(-90 16 ${PAD.top + plotH / 2})" text-anchor="middle">pages/s</text>`);
  modes.forEach((mode, g) => {
    const group = bars.filter((b) => b.mode === mode).sort((a, b) => a.workers - b.workers);
    const groupX = PAD.left + g * groupW + (groupW - barW * group.length) / 2;
    group.forEach((bar, i) => {
      const x = groupX + i * barW;
      const color = COLORS[workerCounts.indexOf(bar.workers) % COLORS.length]!;
      const top = y(bar.pagesPerSecond);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(PAD.top + plotH - top).toFixed(1)}" fill="${color}">` +
          `<title>${escapeXml(`${mode}, ${bar.workers} worker(s): ${bar.pagesPerSecond.toFixed(1)} pages/s`)}</title></rect>`,
        `<text x="${(x + (barW - 4) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${Math.round(bar.pagesPerSecond)}</text>`,
      );
    });
    parts.push(`<text x="${(PAD.left + g * groupW + groupW / 2).toFixed(1)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${escapeXml(mode)}</text>`);
  });
  workerCounts.forEach((w, i) => {
    const x = PAD.left + i * 110;
    parts.push(
      `<rect x="${x}" y="${HEIGHT - 26}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${x + 18}" y="${HEIGHT - 16}">${w} worker${w === 1 ? '' : 's'}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
