// The chart palette stays readable for people with colour vision deficiencies: every pair of
// series colours is simulated under protanopia, deuteranopia and tritanopia (Machado, Oliveira
// and Fernandes 2009, severity 1) as well as normal vision, and kept apart in CIELAB.
import { describe, expect, it } from 'vitest';
import { CHECK_COLOURS, SERIES_PALETTE } from '../../dashboard/spec.ts';
import { COMPLIANCE_CHECKS } from '../../queries/catalog.ts';

type Matrix = readonly (readonly [number, number, number])[];

const VISIONS: Record<string, Matrix> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const linear = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

/** CIELAB (D65) of a #rrggbb colour as someone with the given vision sees it. */
function seen(hex: string, vision: Matrix): [number, number, number] {
  const rgb = [1, 3, 5].map((i) => linear(Number.parseInt(hex.slice(i, i + 2), 16)));
  const [r, g, b] = vision.map((row) =>
    Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])),
  );
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** The smallest CIE76 distance between two colours over the four visions, and under which. */
function closest(a: string, b: string): { distance: number; vision: string } {
  return Object.entries(VISIONS)
    .map(([vision, m]) => {
      const [p, q] = [seen(a, m), seen(b, m)];
      return { vision, distance: Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) };
    })
    .reduce((x, y) => (y.distance < x.distance ? y : x));
}

/** Colours closer than this (CIE76) are hard to tell apart as thin chart lines. */
const MIN_DISTANCE = 15;

describe('the chart palette', () => {
  it('gives every check a colour of its own', () => {
    const colours = COMPLIANCE_CHECKS.map((q) => CHECK_COLOURS[q.name]);
    expect(colours.every(Boolean)).toBe(true);
    expect(new Set(colours).size).toBe(COMPLIANCE_CHECKS.length);
  });

  it('keeps every pair of series colours apart under normal vision and each dichromacy', () => {
    const tooClose: string[] = [];
    for (const [i, a] of SERIES_PALETTE.entries())
      for (const b of SERIES_PALETTE.slice(i + 1)) {
        const c = closest(a, b);
        if (c.distance < MIN_DISTANCE) tooClose.push(`${a}/${b} ${c.distance.toFixed(1)} (${c.vision})`);
      }
    expect(tooClose).toEqual([]);
  });

  it('can tell a pair apart that deuteranopia merges (the check is able to fail)', () => {
    // Red and green of equal lightness: distinct to normal vision, close to a deuteranope.
    expect(closest('#ff0000', '#00ff00').distance).toBeGreaterThan(0);
    expect(closest('#d55e00', '#6f8f00').distance).toBeLessThan(MIN_DISTANCE);
  });
});
