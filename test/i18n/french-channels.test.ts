/**
 * A French-speaking official, end to end, in each chat channel, with no
 * phrase of the English catalogue or flow in anything they are shown:
 * Slack (their Slack locale fr-FR, read with users.info) from the first
 * message to the result, pausing and resuming with a code, the report, the
 * App Home, the help; an English Slack user who types `/assess langue fr`
 * mid-way; Teams (the activity's locale fr-FR); the terminal with
 * `--locale fr`, paused, resumed and its report files written.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoEnglish } from '../helpers/english.js';
import { ROOT, tempDir } from '../helpers/server.js';
import type { RecordedCall } from '../slack/fake-slack.js';
import { buttonsOf, lastPost, questionOf, SlackUser, startSlackServer, textOf, type SlackTestServer } from '../slack/helpers.js';
import { actionsOf, cardsOf, startTeamsWorld, TeamsUser, textOf as cardText, type TeamsWorld } from '../teams/helpers.js';

/** Everything Slack was sent since `after`: posts, updates, ephemeral notes, responses, home views. */
function slackSeen(server: SlackTestServer, after: number): string {
  return server.fake.calls
    .filter((c) => c.seq > after && c.method !== 'users.info' && c.method !== 'conversations.open')
    .map((c) => [String(c.body.text ?? ''), textOf(c), JSON.stringify((c.body.view as { blocks?: unknown } | undefined)?.blocks ?? ''), buttonsOf(c).map((b) => b.text).join('\n')].join('\n'))
    .join('\n');
}

describe('Slack in French', () => {
  let server: SlackTestServer;
  beforeAll(async () => {
    server = await startSlackServer();
  });
  afterAll(async () => server?.close());

  it("from the Slack locale: the whole assessment, a pause and a resume with the code, the report, the App Home and the help", async () => {
    server.fake.userLocales.set('UFR', 'fr-FR');
    const user = new SlackUser(server, 'T1', 'UFR');
    const questions = server.services.definition.questions.map((q) => q.id);
    const start = server.fake.lastSeq;
    await user.dm('bonjour');
    await server.idle();
    let message = lastPost(server.fake, start);
    expect(textOf(message)).toContain('Bonjour');
    const click = async (pick: (id: string) => boolean) => {
      const after = server.fake.lastSeq;
      await user.click(message, (b) => pick(b.action_id));
      await server.idle();
      message = lastPost(server.fake, after);
    };
    await click((id) => id === 'gov:start');
    await click((id) => id === 'gov:unit:national');
    for (const [i, q] of questions.entries()) {
      expect(questionOf(message)).toBe(q);
      if (i === 5) {
        // Halfway: save, and continue later with the code.
        await click((id) => id === 'gov:cmd:pause');
        const code = /`([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(textOf(message))?.[1];
        expect(textOf(message)).toContain('Code de reprise');
        if (!code) throw new Error(`no resume code in: ${textOf(message)}`);
        const after = server.fake.lastSeq;
        await user.command(`reprendre ${code}`);
        await server.idle();
        message = lastPost(server.fake, after);
        expect(questionOf(message)).toBe(q);
      }
      await click((id) => id === `gov:answer:${q}:no`);
    }
    if (buttonsOf(message).some((b) => b.action_id === 'gov:cmd:seeResult')) await click((id) => id === 'gov:cmd:seeResult');
    expect(textOf(message)).toContain('Votre résultat');
    let after = server.fake.lastSeq;
    await user.command('rapport');
    await server.idle();
    await user.command('aide');
    await user.dm('statut');
    await server.idle();
    expect(slackSeen(server, after)).toContain('Rapport complet');
    expectNoEnglish(slackSeen(server, start), 'Slack conversation');
    // Our translation of the OECD, labelled, with the original on the next line.
    expect(slackSeen(server, start)).toContain('_(traduction non officielle)_');
    after = server.fake.lastSeq;
    await user.command('frobnicate');
    await server.idle();
    expect(slackSeen(server, after)).toContain('Je ne connais pas');
    // Asked once for this person's locale, then remembered.
    expect(server.fake.callsOf('users.info').filter((c) => c.body.user === 'UFR').length).toBe(1);
  });

  it('an English Slack user switches with /assess langue fr mid-way: every answer kept, the question again in French', async () => {
    const user = new SlackUser(server, 'T1', 'UEN');
    let after = server.fake.lastSeq;
    await user.command('start');
    await server.idle();
    let message = lastPost(server.fake, after);
    after = server.fake.lastSeq;
    await user.click(message, (b) => b.action_id === 'gov:unit:national');
    await server.idle();
    message = lastPost(server.fake, after);
    expect(textOf(message)).toContain('Question 1 of 14');
    after = server.fake.lastSeq;
    await user.click(message, (b) => b.action_id.endsWith(':yes') && b.block_id === 'gov-answers');
    await server.idle();
    after = server.fake.lastSeq;
    await user.command('langue fr');
    await server.idle();
    const switched: RecordedCall = lastPost(server.fake, after);
    expect(textOf(switched)).toContain('Nous poursuivons en français');
    expect(textOf(switched)).toContain('Question 2 sur 14');
    expectNoEnglish(slackSeen(server, after), 'Slack after the switch');
    after = server.fake.lastSeq;
    await user.command('language de');
    await server.idle();
    expect(slackSeen(server, after)).toContain('Je peux continuer en');
  });
});

describe('Teams in French', () => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld();
  });
  afterAll(async () => world?.stop());

  it("from the activity's locale: the assessment to its result, status and help", async () => {
    const user = new TeamsUser(world);
    const french = <T extends object>(activity: T) => ({ ...activity, locale: 'fr-FR' });
    const before = world.connector.calls.length;
    const post = async (activity: object) => {
      const from = world.connector.calls.length;
      await world.post(french(activity));
      return world.connector.calls.slice(from).filter((c) => c.method === 'POST').at(-1);
    };
    let card = await post(user.message('commencer'));
    const choices = () => (card ? cardsOf(card).flatMap(actionsOf) : []);
    const click = async (choice: string) => {
      const action = choices().find((a) => a.data.choice === choice);
      if (!card || !action) throw new Error(`no ${choice} on ${card ? cardText(cardsOf(card)) : 'nothing'}`);
      card = await post(user.clickActivity(card, action));
    };
    await click('unit:national');
    for (const q of world.services.definition.questions) await click(`answer:${q.id}:no`);
    if (choices().some((a) => a.data.choice === 'cmd:seeResult')) await click('cmd:seeResult');
    expect(card ? cardText(cardsOf(card)) : '').toContain('Votre résultat');
    await post(user.message('statut'));
    await post(user.message('aide'));
    await post(user.message('oubliez-moi'));
    const seen = world.connector.calls.slice(before).map((c) => `${cardText(cardsOf(c))}\n${cardsOf(c).flatMap(actionsOf).map((a) => a.title).join('\n')}`).join('\n');
    expect(seen).toContain('Supprimer toutes vos évaluations');
    expectNoEnglish(seen, 'Teams conversation');
  });
});

describe('the terminal in French', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function chat(dataDir: string, lines: string[], args: string[]): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/channels/terminal/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, CONTENT_DIR: ROOT, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
    await new Promise((resolve) => child.once('exit', resolve));
    return out;
  }

  it('--locale fr: begun, paused, resumed with the code, finished, and the report files written in French', async () => {
    const dataDir = await tempDir('govstage-terminal-fr-');
    dirs.push(dataDir);
    const first = await chat(dataDir, ['commencer', '1', 'non', 'non', 'pause'], ['--locale', 'fr', '--out', path.join(dataDir, 'rapports')]);
    expect(first).toContain('Code de reprise');
    const code = /([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(first.split('Vos réponses sont enregistrées').at(-1) ?? '')?.[1];
    if (!code) throw new Error(`no resume code in:\n${first}`);
    const second = await chat(dataDir, [...Array.from({ length: 12 }, () => 'non'), 'voir mon résultat', 'rapport'], ['--resume', code, '--out', path.join(dataDir, 'rapports')]);
    expect(second).toContain('Votre évaluation enregistrée a été reprise.');
    expect(second).toContain('Votre résultat');
    expect(second).toContain('Votre rapport est enregistré');
    expectNoEnglish(`${first}\n${second}`, 'terminal');
    const files = await readdir(path.join(dataDir, 'rapports'));
    expect(files).toHaveLength(3);
    const read = (suffix: string) => readFile(path.join(dataDir, 'rapports', files.find((f) => f.endsWith(suffix)) ?? ''), 'utf8');
    expectNoEnglish((await read('.md')).replace(/\\(.)/g, '$1'), 'Markdown file');
    expect((await read('.csv')).split('\r\n')[0]).toContain('numero,id_question');
    expect(JSON.parse(await read('.json')).assessment.locale).toBe('fr');
    const help = await chat(dataDir, [], ['--help', '--locale', 'fr']);
    expect(help).toContain('Utilisation');
  }, 60_000);
});
