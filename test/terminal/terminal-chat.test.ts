import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/server.js';
import { PROFILES } from '../helpers/assessment.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Runs `npm run chat` exactly as a person would, with replies piped in. */
async function chat(lines: string[], args: string[] = [], dataDir?: string): Promise<{ out: string; code: number | null; dataDir: string }> {
  const dir = dataDir ?? (await tempDir());
  dirs.push(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/channels/terminal/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dir, CONTENT_DIR: ROOT, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { out, code, dataDir: dir };
}

const EARLY = ['start', ...PROFILES.early, 'see my result'];
const ADVANCED = ['start', ...PROFILES.advanced, 'see my result'];

describe('terminal chat driven through piped input', () => {
  it('completes the early profile and prints the stages per theme and overall with suggestions', async () => {
    const { out, code } = await chat(EARLY);
    expect(code).toBe(0);
    expect(out).toContain('Overall stage of development for your government: Early.');
    expect(out).toMatch(/\* Engaging people in policy and services \[Govstage's wording, not the OECD's\]: Early/);
    expect(out).toMatch(/\* Open government data \[Govstage's wording, not the OECD's\]: Early/);
    expect(out).toContain('Develop consultation instruments');
    expect(out).toContain('Because you said:');
  });

  it('completes the advanced profile with typed variants (numbers, labels, typos)', async () => {
    const typed = ['start', 'a ministry or agency', '3', 'Yes, regularly', 'no', 'yes', 'yes systematically', '1', 'Yes, it facilitates or encourages it', 'yes', 'yes', '3', 'yse', 'yes', '1', 'yes', 'result'];
    const { out, code } = await chat(typed);
    expect(code).toBe(0);
    expect(out).toContain('Overall stage of development for your ministry or agency: Advanced.');
    expect((await chat(ADVANCED)).out).toContain('Overall stage of development for your government: Advanced.');
  });

  it('re-prompts an unrecognised reply and keeps going', async () => {
    const { out } = await chat(['start', '1', 'banana bread', 'yes']);
    expect(out).toContain('Sorry, I didn\'t understand "banana bread"');
    expect(out).toContain('Noted: Yes, mainly internal processes.');
  });

  it('pauses with a resume code that continues the assessment in a later session', async () => {
    const first = await chat(['start', '1', 'yes', 'partly', 'pause']);
    const code = /Resume code: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(first.out)?.[1];
    expect(code, first.out).toBeDefined();
    const second = await chat(['no'], ['--resume', code as string], first.dataDir);
    expect(second.code).toBe(0);
    expect(second.out).toContain('Resumed your saved assessment.');
    expect(second.out).toContain('(3/14)');
    expect(second.out).toContain('Noted: No: outside input routinely shapes decisions.');
  });

  it('says clearly when a resume code is wrong', async () => {
    const { out, code } = await chat([], ['--resume', 'AAAAA-AAAAA']);
    expect(code).toBe(1);
    expect(out).toContain('That resume code is not valid');
  });
});

describe('terminal report download', () => {
  it('"report" after the result saves Markdown, JSON and CSV that match the result', async () => {
    const out = await tempDir();
    dirs.push(out);
    const { out: printed } = await chat([...EARLY, 'report'], ['--out', out]);
    expect(printed).toContain('Your report is saved:');
    const { readdir, readFile } = await import('node:fs/promises');
    const files = (await readdir(out)).sort();
    expect(files.map((f) => f.replace(/^govstage-.*?-(report|answers)/, '$1'))).toEqual(['answers.csv', 'report.json', 'report.md']);
    const json = JSON.parse(await readFile(path.join(out, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(json.overall.stage).toBe('early');
  });

  it('"report" before the end says the report comes with the result', async () => {
    const { out } = await chat(['start', 'report']);
    expect(out).toContain('The report is ready once the assessment is finished');
  });
});
