/**
 * `npm run chat -- --join CODE`: joining a group round in the terminal, as a
 * person would with replies piped in, and the round seeing the respondent.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { createLogger } from '../../src/log.js';
import { ROOT, tempDir } from '../helpers/server.js';
import { createRound, MEMBER_PROFILES } from '../helpers/groups.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const env = (dir: string) => ({ CONTENT_DIR: ROOT, DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test', MIN_GROUP_SIZE: '3' });

/** Services on `dir`, for the test's own look at the round (closed again before the chat runs). */
async function withServices<T>(dir: string, work: (services: Awaited<ReturnType<typeof bootstrap>>) => Promise<T>): Promise<T> {
  const services = await bootstrap({ env: env(dir), logger: createLogger({ level: 'silent' }) });
  try {
    return await work(services);
  } finally {
    await services.store.close();
  }
}

async function chat(dir: string, lines: string[], args: string[]): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/channels/terminal/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env(dir), LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { out, code };
}

describe('joining a group round in the terminal', () => {
  it('asks the perspective, then name, unit and sharing only as the person wants, and runs their own assessment in the round', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const round = await withServices(dir, (s) => createRound(s.groups));
    const answers = ['2', '', 'Digital unit', 'maybe', 'yes', 'no', 'start', ...MEMBER_PROFILES.intermediate, 'see my result'];
    const { out, code } = await chat(dir, answers, ['--join', round.invitation.code]);
    expect(code, out).toBe(0);
    expect(out).toContain('You are joining the group assessment "Digital engagement review 2025" (Ministry of Health, A ministry or agency).');
    expect(out).toContain('  2. Civil society');
    // "maybe" is neither yes nor no: asked again.
    expect(out).toContain('Please reply yes or no.');
    expect(out).toContain('answering as Civil society');
    expect(out).toContain('Overall stage of development for your ministry or agency: Intermediate.');
    await withServices(dir, async (s) => {
      const members = await s.store.findByGroupRound(round.roundId);
      expect(members).toHaveLength(1);
      const record = await s.store.get(members[0]?.id ?? '');
      expect(record?.channel).toBe('terminal');
      expect(record?.group).toMatchObject({ perspective: 'civil-society', unit: 'Digital unit', shareNotes: true, shareAnswers: false });
      expect(record?.group?.name).toBeUndefined();
      expect((await s.groups.report(round.roundId, round.coordinatorToken)).progress).toMatchObject({ joined: 1, finished: 1, waiting: 1 });
    });
  });

  it('says clearly when the invitation code is wrong', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const { out, code } = await chat(dir, [], ['--join', 'AAAAA-AAAAA']);
    expect(code).toBe(1);
    expect(out).toContain('That invitation code is not valid');
  });
});
