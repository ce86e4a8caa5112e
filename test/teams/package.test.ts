/**
 * `npm run teams:package` builds the Teams app package; read back with an
 * independent zip reader and PNG decoder (node:zlib), it holds a valid
 * manifest for this bot and the two icons Teams asks for.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32, inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fillManifest, TeamsManifest } from '../../scripts/teams/manifest.js';
import { ROOT } from '../helpers/server.js';
import { APP_ID } from './helpers.js';

const run = promisify(execFile);

/** The entries of a zip archive, by name, from its central directory; each checked against its CRC. */
function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(archive.readUInt32LE(local)).toBe(0x04034b50);
    const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(dataStart, dataStart + compressedSize);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    expect(crc32(data)).toBe(crc);
    entries.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Width, height and RGBA pixels of an 8-bit RGBA PNG without interlacing (what we write). */
function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(rows[y * (width * 4 + 1)]).toBe(0);
    rows.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, pixels };
}

function rgba(pixels: Buffer): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < pixels.length; i += 4) seen.add(Array.from(pixels.subarray(i, i + 4)).join(','));
  return [...seen];
}

describe('npm run teams:package', () => {
  it('writes dist/teams/govstage-teams.zip with the manifest for this bot and its icons', { timeout: 60_000 }, async () => {
    await run('npm', ['run', '--silent', 'teams:package'], { cwd: ROOT, env: { ...process.env, TEAMS_APP_ID: APP_ID, PUBLIC_URL: 'https://govstage.example.gov/' } });
    const entries = unzip(await readFile(path.join(ROOT, 'dist/teams/govstage-teams.zip')));
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const manifest = TeamsManifest.parse(JSON.parse(entries.get('manifest.json')!.toString('utf8')));
    expect(manifest.id).toBe(APP_ID);
    const [bot] = manifest.bots;
    expect(bot?.botId).toBe(APP_ID);
    expect(bot?.scopes).toEqual(['personal', 'team']);
    expect(bot?.commandLists[0]?.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['status', 'report', 'help', 'forget-me', 'resume']));
    expect(manifest.developer.websiteUrl).toBe('https://govstage.example.gov');
    expect(manifest.validDomains).toEqual(['govstage.example.gov']);
    expect(JSON.stringify(manifest)).not.toContain('{{');

    const color = decodePng(entries.get('color.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(rgba(color.pixels).every((p) => p.endsWith(',255'))).toBe(true);
    const outline = decodePng(entries.get('outline.png')!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    // Teams' outline icon: white on transparent, nothing else.
    expect(rgba(outline.pixels).sort()).toEqual(['0,0,0,0', '255,255,255,255']);
  });

  it('refuses without the app id or an https public URL, saying which', async () => {
    const failure = await run('npm', ['run', '--silent', 'teams:package'], { cwd: ROOT, env: { ...process.env, TEAMS_APP_ID: '', PUBLIC_URL: 'http://govstage.example.gov' } }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(1);
    expect('stderr' in failure && failure.stderr).toMatch(/TEAMS_APP_ID: is required[\s\S]*PUBLIC_URL: must be an https URL/);
  });

  it('the manifest schema refuses what Teams would refuse', async () => {
    const template = await readFile(path.join(ROOT, 'teams/manifest.json'), 'utf8');
    const broken = JSON.stringify({ ...JSON.parse(template), manifestVersion: '1.16' });
    expect(() => fillManifest(broken, { appId: APP_ID, publicUrl: 'https://govstage.example.gov' })).toThrow(/manifestVersion: must be 1.17 or later/);
    const long = JSON.parse(template) as { bots: { commandLists: { commands: { title: string }[] }[] }[] };
    long.bots[0]!.commandLists[0]!.commands[0]!.title = 'x'.repeat(33);
    expect(() => fillManifest(JSON.stringify(long), { appId: APP_ID, publicUrl: 'https://govstage.example.gov' })).toThrow(/commands\.0\.title/);
  });
});
