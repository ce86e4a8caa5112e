/**
 * Colours the host page may configure (data-color) are checked for contrast:
 * the text on an accent background is black or white, whichever reads
 * better (one of them always reaches 4.5:1), and the accent used as text or outline on white is darkened until
 * it passes WCAG AA with a margin (also on the light grey of bot bubbles).
 */
type Rgb = [number, number, number];

function parse(hex: string): Rgb | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m?.[1]) return null;
  const s = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  return [0, 2, 4].map((i) => parseInt(s.slice(i, i + 2), 16)) as Rgb;
}

const lum = (rgb: Rgb): number => {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

export const contrast = (a: Rgb, b: Rgb): number => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

const hex = (rgb: Rgb): string => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

export function palette(color: string | undefined): { accent: string; onAccent: string; ink: string } {
  const accent = parse(color ?? '') ?? ([29, 78, 216] as Rgb);
  let ink = accent;
  // 5:1 on white keeps 4.5:1 on the #f3f4f6 bubble background.
  while (contrast(ink, WHITE) < 5) ink = ink.map((v) => Math.floor(v * 0.9)) as Rgb;
  return { accent: hex(accent), onAccent: contrast(accent, WHITE) >= contrast(accent, BLACK) ? '#fff' : '#000', ink: hex(ink) };
}
