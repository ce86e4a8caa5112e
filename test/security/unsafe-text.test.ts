/**
 * Text with NUL, another control character or an unpaired surrogate is
 * refused where it enters the turn pipeline, whichever channel sends it
 * (Slack and the terminal as well as the HTTP API), with a message the
 * channel shows, and nothing is stored. The real service over a real lowdb
 * folder, and the real terminal program.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovError } from '../../src/errors.js';
import { ROOT, testServices } from '../helpers/server.js';
import { collect } from '../store/contract.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
beforeAll(async () => {
  services = await testServices();
});
afterAll(async () => services.cleanup());

const BAD = ['yes\u0000', 'note \u0007bell', 'partly \u001b[31m red', 'note \ud83d', 'note \udc4d'];

describe('unsafe text entering the service', () => {
  it('is refused for a Slack user (BAD_INPUT from the service, naming the problem), and nothing changes', async () => {
    const owner = { kind: 'slack' as const, teamId: 'T1', userId: 'U_TEXT' };
    const started = await services.service.start({ channel: 'slack', owner });
    const access = { kind: 'owner' as const, owner };
    const turn = (turnId: string, text: string) => services.service.turn({ conversationId: started.conversationId, access, channel: 'slack', turnId, input: { kind: 'text', text } });
    await turn('s-start', 'start');
    const before = await services.service.view(started.conversationId, access);
    for (const [i, text] of BAD.entries()) {
      const refused = await turn(`s-bad-${i}`, text).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(GovError);
      const error = refused as GovError;
      expect(error.kind).toBe('BAD_INPUT');
      expect(error.message).toMatch(/^That message (contains a NUL character|contains a control character|is not valid Unicode)/);
      expect(error.details).toMatchObject({ field: 'text' });
    }
    const choice = await services.service
      .turn({ conversationId: started.conversationId, access, channel: 'slack', turnId: 's-choice', input: { kind: 'choice', choice: 'answer:\u0000' } })
      .catch((error: unknown) => error);
    expect((choice as GovError).details).toMatchObject({ field: 'choice' });
    expect(await services.service.view(started.conversationId, access)).toEqual(before);
  });

  it('is refused in the terminal with a message, and the chat carries on', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/channels/terminal/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: services.dataDir, CONTENT_DIR: ROOT, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(['start', 'note \u0007bell', 'progress'].map((line) => `${line}\n`).join(''));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(0);
    expect(out).toContain('Error: That message contains a control character');
    // It carried on: the next line was answered.
    expect(out.split('> progress')[1]).toMatch(/answered/i);
    // And nothing with the bell was stored anywhere.
    for (const summary of await collect(services.store.list())) {
      const record = await services.store.get(summary.id);
      expect(JSON.stringify(record)).not.toContain('\\u0007');
    }
  });
});
