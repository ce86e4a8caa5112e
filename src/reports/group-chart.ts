/**
 * The geometry of a spread's bar (met, partly, not met, not sure, left to
 * right, each as wide as its share of the group), shared by the report page
 * (SVG text) and the coordinator's page (SVG elements). Pure.
 */
import type { Spread } from './group-report.js';

export const SPREAD_KEYS = ['met', 'partial', 'unmet', 'unknown'] as const;
export type SpreadKey = (typeof SPREAD_KEYS)[number];

/** The bar's width in SVG units. */
export const BAR_WIDTH = 100;

export function segments(spread: Spread): { key: SpreadKey; x: number; width: number }[] {
  const total = SPREAD_KEYS.reduce((sum, key) => sum + spread[key], 0);
  if (total === 0) return [];
  let x = 0;
  return SPREAD_KEYS.filter((key) => spread[key] > 0).map((key) => {
    const width = (spread[key] / total) * BAR_WIDTH;
    const segment = { key, x: Math.round(x * 100) / 100, width: Math.round(width * 100) / 100 };
    x += width;
    return segment;
  });
}

/** The counts in the bar's order, for the cell's visible text ("3 · 1 · 1 · 0"). */
export const countsText = (spread: Spread): string => SPREAD_KEYS.map((key) => spread[key]).join(' · ');
