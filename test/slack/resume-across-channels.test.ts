/**
 * One assessment through all four channels with resume codes: begun on the
 * web, continued in Slack with the web's code, then in Teams with the code
 * Slack's status gave, then in the terminal (`npm run chat -- --resume`)
 * with Teams' code. One server with Slack and Teams both on (the channels it
 * loops over), a fake Slack and a fake Microsoft, and the terminal as a
 * child process on the same lowdb folder.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { actionsOf, cardsOf, startTeamsWorld, TeamsUser, textOf as cardText, type TeamsWorld } from '../teams/helpers.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET, SlackUser, lastPost, questionOf, textOf, type SlackTestServer } from './helpers.js';

let fake: FakeSlack;
let world: TeamsWorld;

beforeAll(async () => {
  fake = await FakeSlack.start();
  world = await startTeamsWorld({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
});
afterAll(async () => {
  await world?.stop();
  await fake?.close();
});

async function web(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${world.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** `npm run chat` as a person runs it, replies piped in, on the server's data folder. */
async function terminal(lines: string[], args: string[]): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/channels/terminal/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: world.services.dataDir, CONTENT_DIR: ROOT, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { out, code };
}

describe('resume codes across the web, Slack, Teams and the terminal', () => {
  it('carries one assessment through all four, each code moving it on', async () => {
    expect(world.channels.map((c) => c.name).sort()).toEqual(['slack', 'teams']);
    const questions = world.services.definition.questions.map((q) => q.id);
    const slackIdle = () => Promise.all(world.channels.map((c) => c.drain()));

    // The web: begun, what is assessed, question 1 answered; a code to continue elsewhere.
    const started = await web('POST', '/api/conversations', {});
    const id = String(started.body.conversationId);
    const token = String(started.body.resumeToken);
    await web('POST', `/api/conversations/${id}/turns`, { turnId: 'w1', choice: 'start' }, token);
    await web('POST', `/api/conversations/${id}/turns`, { turnId: 'w2', choice: 'unit:national' }, token);
    await web('POST', `/api/conversations/${id}/turns`, { turnId: 'w3', text: 'yes' }, token);
    const webCode = String((await web('POST', `/api/conversations/${id}/resume-code`, undefined, token)).body.code);

    // Slack: /assess resume with the web's code, question 2 by its button, /assess status for a code.
    const slackUser = new SlackUser({ url: world.url, fake } as SlackTestServer, 'T1', 'UACROSS');
    let after = fake.lastSeq;
    expect((await slackUser.command(`resume ${webCode}`)).status).toBe(200);
    await slackIdle();
    const q2 = lastPost(fake, after);
    expect(questionOf(q2)).toBe(questions[1]);
    after = fake.lastSeq;
    await slackUser.click(q2, (b) => b.block_id === 'gov-answers');
    await slackIdle();
    expect(questionOf(lastPost(fake, after))).toBe(questions[2]);
    after = fake.lastSeq;
    await slackUser.command('status');
    await slackIdle();
    const slackCode = /`([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(textOf(lastPost(fake, after)))?.[1];
    expect(slackCode).toBeDefined();

    // Teams: resume with Slack's code, question 3 by its button, status for a code.
    const teamsUser = new TeamsUser(world);
    let before = world.connector.calls.length;
    await teamsUser.send(`resume ${slackCode}`);
    const resumed = world.connector.calls.slice(before).filter((c) => c.method === 'POST');
    expect(resumed.map((c) => cardText(cardsOf(c))).join('\n')).toContain('Question 3 of 14');
    const card = resumed.at(-1);
    const yes = card ? cardsOf(card).flatMap(actionsOf).find((a) => a.data.choice?.startsWith(`answer:${questions[2]}:`)) : undefined;
    if (!card || !yes?.data.choice) throw new Error('no answer button on the Teams card');
    before = world.connector.calls.length;
    await teamsUser.click(card, yes.data.choice);
    expect(world.connector.calls.slice(before).map((c) => cardText(cardsOf(c))).join('\n')).toContain('Question 4 of 14');
    before = world.connector.calls.length;
    await teamsUser.send('status');
    const teamsCode = /Resume code: \*\*([A-Z0-9-]+)\*\*/.exec(world.connector.calls.slice(before).map((c) => cardText(cardsOf(c))).join('\n'))?.[1];
    expect(teamsCode).toBeDefined();

    // The terminal: resumed at question 4 with Teams' code, answered there.
    const { out, code } = await terminal(['no'], ['--resume', teamsCode as string]);
    expect(code, out).toBe(0);
    expect(out).toContain('Resumed your saved assessment.');
    expect(out).toContain('(4/14)');
    expect(out).toContain('(5/14)');

    // One conversation all along: four answers, each channel's turns in its transcript.
    const record = await world.services.store.get(id);
    expect(Object.keys(record?.state.machine.context.answers ?? {})).toEqual(questions.slice(0, 4));
    expect(new Set(record?.transcript.filter((line) => line.from === 'user').map((line) => line.channel))).toEqual(new Set(['web', 'slack', 'teams', 'terminal']));
    // And each code moved it: the web's first token no longer opens it.
    expect((await web('GET', `/api/conversations/${id}`, undefined, token)).status).toBe(401);
  });
});
