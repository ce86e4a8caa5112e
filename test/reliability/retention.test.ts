/**
 * Retention over a real lowdb folder with an injected clock: unfinished
 * conversations untouched for RETENTION_DAYS are deleted (with their resume
 * codes); finished and recent ones are kept; the purge logs a count and
 * nothing of the content. The server runs it at start-up.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import { createLogger } from '../../src/log.js';
import { ConversationService } from '../../src/service/conversation-service.js';
import { purgeStale, scheduleRetention } from '../../src/service/retention.js';
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';
import { realDefinition } from '../core/helpers.js';
import { startChildServer, tempDir } from '../helpers/server.js';
import { call } from './http-client.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-01T12:00:00.000Z');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function capturingLogger() {
  let text = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _e, done) => { text += chunk.toString(); done(); } }) });
  return { logger, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), text: () => text };
}

/** A store holding conversations last touched at chosen times (the service's clock is moved for each). */
async function seededStore(dir: string, definition: AssessmentDefinition, base = NOW) {
  const store = new LowdbStore({ dir });
  await store.open();
  const daysAgo = (days: number) => new Date(base.getTime() - days * DAY);
  let clock = base;
  const service = new ConversationService({ definition, store, resumeCodeTtlMs: 365 * DAY, now: () => clock });
  const make = async (lastTouchedDaysAgo: number, finish: boolean) => {
    clock = daysAgo(lastTouchedDaysAgo + 1);
    const started = await service.start({ channel: 'web' });
    const access = { kind: 'token' as const, token: started.resumeToken };
    let n = 0;
    const turn = (input: { kind: 'text'; text: string } | { kind: 'choice'; choice: string }) => service.turn({ conversationId: started.conversationId, access, channel: 'web', turnId: `t${++n}`, input });
    await turn({ kind: 'choice', choice: 'start' });
    await turn({ kind: 'choice', choice: 'unit:national' });
    await turn({ kind: 'text', text: 'partly, SECRET-NOTE-CONTENT' });
    if (finish) {
      for (const q of definition.questions.slice(1)) await turn({ kind: 'choice', choice: `answer:${q.id}:no` });
      await turn({ kind: 'choice', choice: 'cmd:seeResult' });
    }
    clock = daysAgo(lastTouchedDaysAgo);
    await turn({ kind: 'text', text: 'progress' });
    return { id: started.conversationId, code: started.resumeCode };
  };
  return { store, service, make };
}

describe('retention', () => {
  it('deletes unfinished conversations older than the limit, keeps finished and recent ones, and logs only a count', async () => {
    const definition = await realDefinition();
    const dir = await tempDir('govstage-retention-');
    dirs.push(dir);
    const { store, service, make } = await seededStore(dir, definition);
    const oldUnfinished = [await make(200, false), await make(91, false), await make(90.01, false)];
    const kept = [await make(89.99, false), await make(1, false), await make(0, false), await make(400, true), await make(95, true)];

    const { logger, lines, text } = capturingLogger();
    const result = await purgeStale({ store, olderThanDays: 90, now: NOW, logger });

    expect(result.count).toBe(3);
    expect([...result.purged].sort()).toEqual(oldUnfinished.map((c) => c.id).sort());
    expect(result.failed).toBe(0);
    for (const c of oldUnfinished) {
      expect(await store.get(c.id)).toBeUndefined();
      expect(existsSync(path.join(dir, 'conversations', `${c.id}.json`))).toBe(false);
      // Its resume code is gone with it.
      await expect(service.resume(c.code)).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    }
    for (const c of kept) expect(await store.get(c.id)).toBeDefined();
    expect(await readdir(path.join(dir, 'resume-codes'))).toHaveLength(kept.length);

    const info = lines().filter((l) => l.level === 30);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ purged: 3, failed: 0, olderThanDays: 90 });
    expect(text()).not.toContain('SECRET-NOTE-CONTENT');
    for (const c of oldUnfinished) expect(text()).not.toContain(c.id);

    // Nothing left to do: a second run deletes nothing and says so.
    expect((await purgeStale({ store, olderThanDays: 90, now: NOW, logger })).count).toBe(0);
    await store.close();
  });

  it('does not delete a conversation that was touched between the listing and the delete', async () => {
    const definition = await realDefinition();
    const dir = await tempDir('govstage-retention-race-');
    dirs.push(dir);
    const { store, make } = await seededStore(dir, definition);
    const stale = await make(120, false);
    // The conversation is answered again right after retention listed it.
    const realGet = store.get.bind(store);
    const spy = vi.spyOn(store, 'get').mockImplementationOnce(async (id) => {
      const record = await realGet(id);
      return record && { ...record, updatedAt: NOW.toISOString() };
    });
    const result = await purgeStale({ store, olderThanDays: 90, now: NOW });
    expect(result.count).toBe(0);
    expect(await realGet(stale.id)).toBeDefined();
    spy.mockRestore();
    await store.close();
  });

  it('refuses a nonsensical limit', async () => {
    const dir = await tempDir('govstage-retention-bad-');
    dirs.push(dir);
    const store = new LowdbStore({ dir });
    for (const days of [0, -1, Number.NaN]) await expect(purgeStale({ store, olderThanDays: days, now: NOW })).rejects.toMatchObject({ kind: 'BAD_INPUT' });
  });

  it('the schedule runs at once, then on its timer, never keeps the process alive, and stops cleanly', async () => {
    const definition = await realDefinition();
    const dir = await tempDir('govstage-retention-schedule-');
    dirs.push(dir);
    const { store, make } = await seededStore(dir, definition);
    await make(100, false);
    const { logger, lines } = capturingLogger();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const schedule = scheduleRetention({ store, olderThanDays: 90, logger, everyMs: 1000, now: () => NOW });
      expect((await schedule.first)?.count).toBe(1);
      await make(100, false);
      vi.advanceTimersByTime(1000);
      await schedule.stop();
      const counts = lines().filter((l) => l.level === 30).map((l) => l.purged);
      expect(counts).toEqual([1, 1]);
      vi.advanceTimersByTime(5000);
      await new Promise((r) => setTimeout(r, 50));
      expect(lines().filter((l) => l.level === 30)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });

  it('the server purges at start-up (RETENTION_DAYS) and still stops at once', { timeout: 60_000 }, async () => {
    const definition = await realDefinition();
    const dataDir = await tempDir('govstage-retention-server-');
    dirs.push(dataDir);
    // The server's clock is the real one.
    const { store, make } = await seededStore(dataDir, definition, new Date());
    const stale = await make(31, false);
    const fresh = await make(0, false);
    await store.close();

    const server = await startChildServer({ dataDir, env: { RETENTION_DAYS: '30' } });
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('retention:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toMatch(/"purged":1\b/);
    expect(existsSync(path.join(dataDir, 'conversations', `${stale.id}.json`))).toBe(false);
    expect(existsSync(path.join(dataDir, 'conversations', `${fresh.id}.json`))).toBe(true);
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
    const stopped = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(3000);
  });
});
