/**
 * Everything a French-speaking official reads, rendered in French, with no
 * phrase of the English catalogue or the flow's English texts in it (the
 * OECD's English originals aside, shown labelled beside our translation):
 * every message kind the core speaks, Slack's blocks and texts, Teams'
 * cards, the terminal's plain text, the report page, the Markdown, the CSV,
 * the JSON, the errors people see; and the French catalogue's typography.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { choiceIds } from '../../src/core/conversation/render.js';
import { newConversation } from '../../src/core/conversation/turn.js';
import type { AssessmentDefinition } from '../../src/core/definition.js';
import type { Message } from '../../src/core/messages.js';
import { GovError } from '../../src/errors.js';
import { personMessage } from '../../src/i18n/person-message.js';
import type { Locales, Words } from '../../src/i18n/words.js';
import { renderPlain } from '../../src/channels/plain-text.js';
import { forgetConfirmMessage, helpMessage, homeView, noResultMessage, renderMessages, reportLinkMessage, statusMessage } from '../../src/channels/slack/blocks.js';
import { forgetConfirmCard, helpCard, renderCards, reportLinkText, statusCard } from '../../src/channels/teams/cards.js';
import { buildReport, type AssessmentReport } from '../../src/reports/report.js';
import { reportHtml } from '../../src/reports/html.js';
import { reportMarkdown, parseReportMarkdown } from '../../src/reports/markdown.js';
import { answersCsv, parseAnswersCsv } from '../../src/reports/csv.js';
import { createApp } from '../../src/channels/web/app.js';
import { textsFor } from '../../src/core/definition.js';
import { englishIn, expectNoEnglish, oecdOriginals } from '../helpers/english.js';
import { ROOT, testLocales, testServices } from '../helpers/server.js';
import { Driver, NOW, realDefinition } from '../core/helpers.js';
import { createRound, joinAndAnswer } from '../helpers/groups.js';

/** Every question answered "non" (typed in French). */
const FRENCH_NO = Array.from({ length: 14 }, () => 'non');

let definition: AssessmentDefinition;
let locales: Locales;
let fr: Words;
/** Every message a French conversation produced, through every kind of step. */
const seen: Message[] = [];
let report: AssessmentReport;

/** Every string anywhere in a value (what a channel may show), as one text. */
const allText = (value: unknown): string => {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
};

/** The fields of the message model and the report that hold codes and ids, not words (stage ids, states, choice ids…). */
const CODES = new Set(['kind', 'id', 'questionId', 'characteristicId', 'themeId', 'policyId', 'partId', 'stage', 'status', 'states', 'tone', 'qualifier', 'choiceId', 'editChoiceId', 'by', 'textBy', 'titleBy', 'reasonBy', 'wordingBy', 'oecdBy', 'questionBy', 'explanationBy', 'locale', 'direction', 'from', 'to', 'heldBackBy', 'aheadIn', 'unsettled', 'questionIds', 'contradictionId', 'answerId', 'schema', 'flowId', 'rubricId', 'generatedAt', 'finishedAt', 'expiresAt', 'code', 'ref', 'step', 'conversationId', 'action_id', 'block_id', 'value', 'type', 'style', 'verb', 'choice', 'who', 'url', '$schema', 'version']);
const wordsOf = (value: unknown): string => {
  const out: string[] = [];
  const walk = (v: unknown, key = '') => {
    if (CODES.has(key)) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(value);
  return out.join('\n');
};

beforeAll(async () => {
  definition = await realDefinition();
  locales = await testLocales();
  fr = locales.words('fr');
  const d = new Driver(definition, newConversation(definition, 'fr').state);
  const keep = (...messages: Message[]) => seen.push(...messages);
  keep(...newConversation(definition, 'fr').messages);
  keep(...d.text('aide').messages);
  keep(...d.choice(choiceIds.start).messages);
  keep(...d.text('pourquoi').messages);
  keep(...d.choice(choiceIds.unit('ministry')).messages);
  keep(...d.text('pourquoi').messages, ...d.text('xyzzy plugh').messages, ...d.text('note notre portail').messages, ...d.text('progression').messages, ...d.text('oui et non').messages);
  // Every kind of answer, and contradictions: the first question's limitation held, later-stage ones held too.
  const options = ['yes', 'yes', 'yes', 'unsure', 'yes', 'partly', 'no', 'yes', 'yes', 'no', 'yes', 'partly', 'yes', 'yes'];
  definition.questions.forEach((q, i) => keep(...d.choice(choiceIds.answer(q.id, options[i] ?? 'yes')).messages));
  keep(...d.text('retour').messages, ...d.text('revoir').messages, ...d.choice(choiceIds.command('pause')).messages);
  keep(...d.choice(choiceIds.command('restart')).messages, ...d.choice(choiceIds.cancel).messages);
  keep(...d.choice(choiceIds.command('review')).messages, ...d.choice(choiceIds.command('seeResult')).messages);
  // Settle: keep the first contradiction with a note, leave the others for later.
  for (let n = 0; d.value === 'settle' || d.value === 'settleNote'; n++) {
    const settle = d.last.messages.find((m) => m.kind === 'text' && m.contradictionId);
    if (d.value === 'settle' && settle?.kind === 'text' && settle.contradictionId) {
      keep(...d.choice(n === 0 ? choiceIds.keepBoth(settle.contradictionId) : choiceIds.decideLater(settle.contradictionId)).messages);
    } else keep(...d.text('descendant pour le budget, ouvert pour les textes').messages);
  }
  expect(d.value).toBe('result');
  keep(...d.choice(choiceIds.command('review')).messages, ...d.choice(choiceIds.command('seeResult')).messages);
  keep(...d.choice('answer:ict-purpose:yes').messages);
  report = buildReport(definition, d.state, NOW);
});

describe('the English checker', () => {
  it('finds a phrase of the English catalogue or flow in French text, and lets the OECD originals through', () => {
    expect(englishIn('Bonjour. Start a new assessment. Merci.')).toContain('Start a new assessment');
    expect(englishIn(`« ${oecdOriginals()[0]} »`)).toEqual([]);
    expect(englishIn('Voici vos réponses.')).toEqual([]);
  });
});

describe('in French, nothing English', () => {
  it('every kind of message the core speaks: text, question, progress, review, paused, result', () => {
    const kinds = new Set(seen.map((m) => m.kind));
    for (const kind of ['text', 'question', 'progress', 'review', 'paused', 'result'] as const) expect(kinds, kind).toContain(kind);
    expect(seen.some((m) => m.kind === 'text' && m.contradictionId)).toBe(true);
    expectNoEnglish(wordsOf(seen), 'messages');
    // The OECD's words come as our translation, labelled, with the original kept.
    const result = seen.find((m) => m.kind === 'result');
    if (result?.kind !== 'result') throw new Error('no result');
    expect(result.result.suggestions.every((s) => s.translation?.label === 'traduction non officielle')).toBe(true);
  });

  it("Slack: the blocks of every message, the help, status, App Home, report link, no result, forget-me", () => {
    const ctx = { ref: { conversationId: 'c_0123456789ab', step: 'x' }, publicUrl: 'https://gov.example', words: fr };
    const standing = { ref: ctx.ref, status: 'active' as const, locale: 'fr', started: true, progress: { index: 3, total: 14, answered: 2 }, latestResult: null };
    const result = seen.find((m) => m.kind === 'result');
    const slack = [
      renderMessages(seen, ctx),
      helpMessage(fr, 'en, fr'),
      statusMessage({ ...standing, resume: { code: '7K2QF-M9XCD', expiresAt: '2030-01-01T00:00:00Z', url: 'https://gov.example/?resume=7K2QF-M9XCD' } }, fr),
      homeView({ standing: undefined, words: fr }),
      homeView({ standing, words: fr }),
      homeView({ standing: { ...standing, status: 'finished', latestResult: result?.kind === 'result' ? result.result : null }, publicUrl: 'https://gov.example', words: fr }),
      reportLinkMessage({ url: 'https://gov.example/r', path: '/r', expiresAt: '2030-01-01T00:00:00Z' }, fr),
      reportLinkMessage({ path: '/r', expiresAt: '2030-01-01T00:00:00Z' }, fr),
      noResultMessage(fr),
      noResultMessage(fr, { progress: { answered: 1, total: 14 }, started: true }),
      forgetConfirmMessage(true, fr),
      forgetConfirmMessage(false, fr),
    ];
    expectNoEnglish(wordsOf(slack), 'Slack');
    expect(allText(slack)).toContain('1 janvier 2030');
  });

  it('Teams: the cards of every message, the help, status, forget-me and the report link', () => {
    const ctx = { ref: { conversationId: 'c_0123456789ab', step: 'x' }, publicUrl: 'https://gov.example', words: fr };
    const teams = [
      renderCards(seen, ctx),
      helpCard(fr, 'en, fr'),
      statusCard({ status: 'active', progress: { index: 3, total: 14, answered: 2 }, latestResult: null, resume: { code: '7K2QF-M9XCD', expiresAt: '2030-01-01T00:00:00Z' } }, fr),
      forgetConfirmCard('who', fr),
      reportLinkText({ url: 'https://gov.example/r', path: '/r', expiresAt: '2030-01-01T00:00:00Z' }, fr),
    ];
    expectNoEnglish(wordsOf(teams), 'Teams');
  });

  it('the terminal: the plain text of every message (the OECD original on its own line after our translation)', () => {
    const text = seen.map((m) => renderPlain(m, fr)).join('\n\n');
    expectNoEnglish(text, 'terminal');
    const first = report.suggestions[0];
    expect(text).toContain(`${first?.translation?.text} (traduction non officielle)`);
    expect(text).toContain(`Original de l'OCDE\u00a0: ${first?.text}`);
  });

  it('the report page, the Markdown, the CSV and the JSON, and they read back', () => {
    const title = textsFor(definition, 'fr').t('title');
    const html = reportHtml(report, title, { markdown: 'r.md', json: 'r.json', csv: 'a.csv', languages: [{ locale: 'en', name: 'English', href: '?locale=en' }] }, fr);
    // The page's text, its attributes included (aria-label, the chart's), tags aside.
    const pageText = html.replace(/<[^>]+?(?:aria-label|title)="([^"]*)"[^>]*>/g, ' $1 ').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    expectNoEnglish(pageText, 'report page');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<details class="original"><summary>Le texte original de l&#39;OCDE (en anglais)</summary><p lang="en">');
    const md = reportMarkdown(report, title, fr);
    expectNoEnglish(md.replace(/\\(.)/g, '$1'), 'Markdown');
    expect(parseReportMarkdown(md, fr).answers).toHaveLength(definition.questions.length);
    expect(parseReportMarkdown(md, fr).overall).toBe(report.overall.stageLabel);
    const csv = answersCsv(report, fr);
    // The header and the word columns (question, answer, note); the others hold the JSON Schema's codes and ids, the same in every language.
    const [header, ...rows] = csv.split('\r\n').filter(Boolean);
    const parsed = parseAnswersCsv(csv, fr);
    expectNoEnglish([header, ...parsed.flatMap((a) => [a.question, a.answer, a.note])].join('\n'), 'CSV');
    expect(rows).toHaveLength(definition.questions.length);
    expect(csv.split('\r\n')[0]).toBe('numero,id_question,id_theme,id_caracteristique,stade_caracteristique,id_volet,question,id_reponse,reponse,etat,note,stade_theme,statut_stade_theme,stade_global,statut_stade_global');
    expect(parseAnswersCsv(csv, fr).map((a) => a.answer)).toEqual(report.answers.map((a) => a.answer));
    expectNoEnglish(wordsOf(report), 'JSON');
    // The JSON carries both: the OECD's text, and our translation saying whose it is.
    for (const s of report.suggestions) expect(s).toMatchObject({ textBy: 'oecd', translation: { by: 'govstage', locale: 'fr', label: 'traduction non officielle' } });
    for (const e of report.answers.flatMap((a) => a.evidences)) expect(e).toMatchObject({ oecdBy: 'oecd', translation: { by: 'govstage' } });
  });

  it('what people are told when something goes wrong', () => {
    const errors = [
      new GovError('INTERNAL', 'ENOENT /var/data/x.json'),
      new GovError('UNAVAILABLE', 'PostgreSQL at db:5432 is not available'),
      new GovError('UNRESTORABLE', 'Stored conversation "c_x" cannot be restored'),
      new GovError('BAD_INPUT', 'body.turnId: must be…'),
      new GovError('RATE_LIMITED', 'Too many clicks', { retryAfterSeconds: 12 }),
      ...(['notYours', 'busy', 'resumeCodeInvalid', 'resumeCodeExpired', 'reportNotReady', 'reportLinkInvalid', 'reportLinkExpired', 'text.control', 'adminToken'] as const).map((key) => new GovError('BAD_INPUT', 'x', undefined, { say: { key } })),
    ];
    const told = errors.map((e) => personMessage(e, fr));
    expectNoEnglish(told.join('\n'), 'errors');
    expect(told.join('\n')).not.toMatch(/ENOENT|PostgreSQL|c_x|turnId/);
    expect(told[4]).toBe('Trop de tentatives. Veuillez patienter 12 secondes, puis réessayer.');
  });
});

describe('the French catalogue', () => {
  it('writes French typography: a non-breaking space before : ; ! ? and inside « »', () => {
    const fr = parseYaml(readFileSync(path.join(ROOT, 'locales/fr.yaml'), 'utf8')) as Record<string, unknown>;
    const bad: string[] = [];
    const walk = (v: unknown, where: string) => {
      if (typeof v === 'string') {
        // Code (`…`) and URLs keep their own punctuation.
        const prose = v.replace(/`[^`]*`/g, '').replace(/https?:\/\/\S+/g, '').replace(/<[^|>]*\|/g, '');
        if (/ [:;!?»]/.test(prose) || /« /.test(prose) || /[^\s\u00a0\u202f{(][;!?»]/.test(prose) || /«[^\u00a0\u202f]/.test(prose)) bad.push(`${where}: ${v}`);
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, where ? `${where}.${k}` : k);
    };
    walk(fr, '');
    expect(bad).toEqual([]);
  });
});

describe('over HTTP', () => {
  let services: Awaited<ReturnType<typeof testServices>>;
  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => {
    await services?.cleanup();
    await withAdmin?.cleanup();
  });
  let withAdmin: Awaited<ReturnType<typeof testServices>> | undefined;
  const testServicesWithAdmin = async () => (withAdmin ??= await testServices({ ADMIN_TOKEN: 'admin-token-for-the-french-test' }));

  it('starts in French for fr-CA, errors in the Accept-Language, the report in the conversation\'s language and in English with ?locale=en', async () => {
    const app = createApp(services);
    const started = await request(app).post('/api/conversations').send({ locale: 'fr-CA' });
    expect(started.status).toBe(201);
    expect(started.body.locale).toBe('fr');
    const bad = await request(app).post('/api/resume').set('Accept-Language', 'fr-FR,fr;q=0.9').send({ code: 'ZZZZZ-ZZZZZ' });
    expect(bad.status).toBe(404);
    expect(bad.body.error.message).toBe("Ce code de reprise n'est pas valide. Vérifiez-le et réessayez.");
    const english = await request(app).post('/api/resume').send({ code: 'ZZZZZ-ZZZZZ' });
    expect(english.body.error.message).toBe('That resume code is not valid. Check it and try again.');

    const token = started.body.resumeToken as string;
    const id = started.body.conversationId as string;
    let n = 0;
    const turn = (body: Record<string, unknown>) => request(app).post(`/api/conversations/${id}/turns`).set('Authorization', `Bearer ${token}`).send({ turnId: `t${++n}`, ...body });
    await turn({ choice: 'start' });
    await turn({ choice: 'unit:national' });
    for (const q of services.definition.questions) await turn({ choice: `answer:${q.id}:no` });
    const finished = await turn({ choice: 'cmd:seeResult' });
    expect(finished.body.status).toBe('finished');
    const md = await request(app).get(`/api/conversations/${id}/report.md`).set('Authorization', `Bearer ${token}`);
    expect(md.text).toContain('## Réponses');
    expectNoEnglish(md.text.replace(/\\(.)/g, '$1'), 'Markdown download');
    const mdEn = await request(app).get(`/api/conversations/${id}/report.md?locale=en`).set('Authorization', `Bearer ${token}`);
    expect(mdEn.text).toContain('## Answers');
    const link = await request(app).post(`/api/conversations/${id}/report-link`).set('Authorization', `Bearer ${token}`);
    const page = await request(app).get(link.body.path);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain(`href="${link.body.path}?locale=en" hreflang="en" lang="en">Ce rapport en English</a>`);
    const pageEn = await request(app).get(`${link.body.path}?locale=en`);
    expect(pageEn.text).toContain('<html lang="en">');
    expect(pageEn.text).toContain(`${link.body.path}/report.md?locale=en`);
    const csvEn = await request(app).get(`${link.body.path}/answers.csv?locale=en`);
    expect(csvEn.text.split('\r\n')[0]).toContain('number,question_id');
    const json = await request(app).get(`/api/conversations/${id}/report.json`).set('Authorization', `Bearer ${token}`);
    expect(json.body.assessment.locale).toBe('fr');
    expect((await request(app).get(`/api/conversations/${id}/report.json?locale=xx-yy-zz!`).set('Authorization', `Bearer ${token}`)).status).toBe(400);
  });

  it("the coordinator's page in the browser's language, its overview's theme titles too", async () => {
    const app = createApp(await testServicesWithAdmin());
    const page = await request(app).get('/admin.html').set('Accept-Language', 'fr-CA,fr;q=0.9,en;q=0.5');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    expectNoEnglish(page.text.replace(/<script[^>]*>[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' '), "coordinator's page");
    expect(page.text).toContain('"tooFew":"Seulement {finished, number} des {min, number} évaluations terminées');
    const overview = await request(app).get('/api/admin/overview').set('Authorization', 'Bearer admin-token-for-the-french-test').set('Accept-Language', 'fr');
    expect(overview.body.themes.map((t: { title: string }) => t.title)).toEqual(services.definition.themes.map((t) => t.title.fr));
    expect((await request(app).get('/admin.html?locale=en')).text).toContain("Coordinator's overview");
  });

  it('a group round in French: its coordinator page, its report page and downloads, once members have finished', async () => {
    const app = createApp(services);
    const page = await request(app).get('/group.html').set('Accept-Language', 'fr');
    expect(page.text).toContain('<html lang="fr">');
    expectNoEnglish(page.text.replace(/<script[^>]*>[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' '), 'group page');
    const round = await createRound(services.groups, { locale: 'fr', name: 'Revue de la participation', assessing: { name: 'Ministère de la Santé', unit: 'ministry' }, perspectives: [{ label: 'Administration centrale' }] });
    const [perspective] = (await services.groups.lookupInvitation(round.invitation.code)).perspectives;
    for (let i = 0; i < 5; i++) {
      // Typed in French from the start: "commencer", fourteen "non", "voir mon résultat".
      const { say } = await joinAndAnswer(services.service, services.groups, round.invitation.code, { perspective: perspective?.id ?? '' }, ['commencer', ...FRENCH_NO], { finish: false });
      expect((await say('voir mon résultat')).status).toBe('finished');
    }
    const link = await request(app).post(`/api/groups/${round.roundId}/report-link`).set('Authorization', `Bearer ${round.coordinatorToken}`);
    expect(link.status).toBe(201);
    const report = await request(app).get(link.body.path);
    expect(report.text).toContain('<html lang="fr">');
    expect(report.text).toContain('Rapport de groupe Govstage');
    const text = report.text.replace(/<[^>]+?(?:aria-label|title)="([^"]*)"[^>]*>/g, ' $1 ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expectNoEnglish(text, 'group report page');
    const md = await request(app).get(`${link.body.path}/group-report.md`);
    expectNoEnglish(md.text.replace(/\\(.)/g, '$1'), 'group report Markdown');
  });

  it("the widget's words: only the chosen locale's widget section, with the languages offered", async () => {
    const app = createApp(services);
    const res = await request(app).get('/api/widget-words?prefer=de-DE,fr-CA,en');
    expect(res.status).toBe(200);
    expect(res.body.locale).toBe('fr');
    expect(res.body.languages).toEqual([{ locale: 'en', name: 'English' }, { locale: 'fr', name: 'Français' }]);
    expect(res.body.words.send).toEqual(['Envoyer']);
    expect(Object.keys(res.body.words).every((k) => !k.includes('.'))).toBe(true);
    expect(JSON.stringify(res.body.words)).not.toContain('Slack');
    expect((await request(app).get('/api/widget-words')).body.locale).toBe('en');
  });
});
