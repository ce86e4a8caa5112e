/**
 * The Teams app's two icons, drawn in code and written as PNGs with zlib
 * (no image library): the colour icon (192×192, full colour) and the
 * outline icon (32×32, white on transparent, as Teams requires). Both show
 * three rising bars: the early, intermediate and advanced stages.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from './crc32.js';

type Rgba = readonly [number, number, number, number];

/** An RGBA image, drawn into pixel by pixel. */
export class Image {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 4);
  }

  fill(colour: Rgba, inside: (x: number, y: number) => boolean): void {
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (!inside(x, y)) continue;
        this.pixels.set(colour, (y * this.width + x) * 4);
      }
    }
  }
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(image: Image): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0);
  header.writeUInt32BE(image.height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  // Each row starts with its filter type (0: none).
  const rows = Buffer.alloc(image.height * (image.width * 4 + 1));
  for (let y = 0; y < image.height; y++) {
    rows[y * (image.width * 4 + 1)] = 0;
    rows.set(image.pixels.subarray(y * image.width * 4, (y + 1) * image.width * 4), y * (image.width * 4 + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array())]);
}

const WHITE: Rgba = [255, 255, 255, 255];
/** The widget's default accent colour (#1d4ed8). */
export const ACCENT = '#1D4ED8';
const BLUE: Rgba = [0x1d, 0x4e, 0xd8, 255];

/** Three rising bars on a `size` grid, with `margin` around them. */
function bars(image: Image, margin: number, colour: Rgba): void {
  const inner = image.width - 2 * margin;
  const gap = Math.max(1, Math.round(inner / 10));
  const width = Math.floor((inner - 2 * gap) / 3);
  const bottom = image.height - margin;
  for (let i = 0; i < 3; i++) {
    const left = margin + i * (width + gap);
    const top = bottom - Math.round((inner * (i + 1)) / 3);
    image.fill(colour, (x, y) => x >= left && x < left + width && y >= top && y < bottom);
  }
}

export function colorIcon(): Buffer {
  const image = new Image(192, 192);
  image.fill(BLUE, () => true);
  bars(image, 40, WHITE);
  return encodePng(image);
}

export function outlineIcon(): Buffer {
  const image = new Image(32, 32);
  bars(image, 4, WHITE);
  return encodePng(image);
}
