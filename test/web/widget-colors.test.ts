/**
 * Whatever colour a host page configures, the widget's text stays readable:
 * text on the accent is black or white, whichever passes WCAG AA, and the
 * accent used as text or outline on white is darkened to at least 5:1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contrast, palette } from '../../src/channels/web/widget/colors.js';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const WHITE: [number, number, number] = [255, 255, 255];

describe('widget colours', () => {
  it('keeps the default blue as given, with white text', () => {
    expect(palette('#1d4ed8')).toEqual({ accent: '#1d4ed8', onAccent: '#fff', ink: '#1d4ed8' });
  });

  it('falls back to the default for anything that is not a hex colour', () => {
    expect(palette(undefined).accent).toBe('#1d4ed8');
    expect(palette('red; background: url(x)').accent).toBe('#1d4ed8');
    expect(palette('#abc').accent).toBe('#aabbcc');
  });

  it('passes AA for any colour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (n) => {
        const color = `#${n.toString(16).padStart(6, '0')}`;
        const p = palette(color);
        const on = p.onAccent === '#fff' ? WHITE : ([0, 0, 0] as [number, number, number]);
        expect(contrast(rgb(p.accent), on)).toBeGreaterThanOrEqual(4.5);
        expect(contrast(rgb(p.ink), WHITE)).toBeGreaterThanOrEqual(5);
        // The light grey of bot bubbles.
        expect(contrast(rgb(p.ink), rgb('#f3f4f6'))).toBeGreaterThanOrEqual(4.5);
      }),
      { numRuns: 500 },
    );
  });
});
