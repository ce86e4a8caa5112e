/**
 * The group-round HTTP API over the real file store: the round's
 * lifecycle, joining from the web, the coordinator's capability, the
 * picture and its exports (which parse back to the same content, carry
 * exactly the page's suppression, and do not move by one respondent), the
 * consensus, and the handed-out report page.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/channels/web/app.js';
import { parseGroupCsv } from '../../src/reports/group-csv.js';
import { parseGroupReportMarkdown, standingLabel } from '../../src/reports/group-markdown.js';
import { GroupReport } from '../../src/reports/group-report.js';
import { testServices } from '../helpers/server.js';
import { MEMBER_PROFILES } from '../helpers/groups.js';

type Services = Awaited<ReturnType<typeof testServices>>;
let services: Services;
let app: Express;
beforeAll(async () => {
  services = await testServices({ MIN_GROUP_SIZE: '3', RESUME_RATE_LIMIT_PER_MINUTE: '1000', PUBLIC_URL: 'https://govstage.example.gov' });
  app = createApp(services);
});
afterAll(async () => services.cleanup());

interface Created {
  roundId: string;
  coordinatorToken: string;
  coordinatorLink: { path: string; url?: string };
  invitation: { code: string; path: string; url?: string };
}

async function create(body: Record<string, unknown> = {}): Promise<Created> {
  const res = await request(app)
    .post('/api/groups')
    .send({ name: 'Open government review', assessing: { name: 'Ministry of Finance', unit: 'ministry' }, perspectives: [{ label: 'Central government units' }, { label: 'Civil society' }, { label: 'Academia' }], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Created;
}

let turns = 0;
/** Joins over HTTP and answers to the result; returns the conversation's id and token. */
async function join(code: string, perspective: string, replies: readonly string[], extra: Record<string, unknown> = {}) {
  const res = await request(app).post('/api/groups/join').send({ code, perspective, shareNotes: false, shareAnswers: false, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { conversationId, resumeToken } = res.body as { conversationId: string; resumeToken: string };
  for (const text of ['start', ...replies, 'see my result']) {
    const turn = await request(app).post(`/api/conversations/${conversationId}/turns`).set('Authorization', `Bearer ${resumeToken}`).send({ turnId: `ga-${++turns}`, text });
    expect(turn.status, JSON.stringify(turn.body)).toBe(200);
  }
  return { conversationId, resumeToken };
}

const as = (token: string) => ({ Authorization: `Bearer ${token}` });
const picture = async (round: Created) => {
  const res = await request(app).get(`/api/groups/${round.roundId}/picture`).set(as(round.coordinatorToken));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return GroupReport.parse(res.body);
};
const download = async (round: Created, format: 'md' | 'json' | 'csv') => {
  const res = await request(app).get(`/api/groups/${round.roundId}/report.${format}`).set(as(round.coordinatorToken)).buffer(true).parse((r, cb) => {
    let text = '';
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => (text += chunk));
    r.on('end', () => cb(null, text));
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="govstage-\d{4}-\d{2}-\d{2}-group-report\.(md|json|csv)"$/);
  return res.body as string;
};
/** The report without the moment it was made. */
const timeless = (report: GroupReport) => ({ ...report, generatedAt: '' });

describe('a round over HTTP', () => {
  it('creates a round: the coordinator link carries the token in its fragment, the invitation link the code; both absolute with PUBLIC_URL', async () => {
    const round = await create();
    expect(round.coordinatorLink.url).toBe(`https://govstage.example.gov/group.html#round=${round.roundId}&key=${round.coordinatorToken}`);
    expect(round.invitation.url).toBe(`https://govstage.example.gov/?join=${round.invitation.code}`);
    const view = await request(app).get(`/api/groups/${round.roundId}`).set(as(round.coordinatorToken));
    expect(view.status).toBe(200);
    expect(view.headers['cache-control']).toBe('no-store');
    expect(view.body).toMatchObject({ name: 'Open government review', invitation: { code: round.invitation.code }, closed: false, reportLink: { active: false } });
  });

  it('refuses bad input with 400 naming the field, a wrong token with 401, an unknown code with 404', async () => {
    expect((await request(app).post('/api/groups').send({})).body.error.message).toMatch(/^body\.name/);
    expect((await request(app).post('/api/groups').send({ name: 'x', closesAt: 'tomorrow' })).body.error.message).toMatch(/^body\.closesAt/);
    expect((await request(app).post('/api/groups').send({ name: 'x', extra: true })).status).toBe(400);
    const round = await create();
    expect((await request(app).get(`/api/groups/${round.roundId}`)).status).toBe(401);
    expect((await request(app).get(`/api/groups/${round.roundId}`).set(as('w'.repeat(43)))).status).toBe(401);
    expect((await request(app).get('/api/groups/not-a-round').set(as(round.coordinatorToken))).status).toBe(400);
    expect((await request(app).post('/api/groups/invitation').send({ code: 'ZZZZZ-ZZZZZ' })).status).toBe(404);
    const lookup = await request(app).post('/api/groups/invitation').send({ code: round.invitation.code });
    expect(lookup.body).toMatchObject({ name: 'Open government review', perspectives: [{ id: 'central-government-units' }, { id: 'civil-society' }, { id: 'academia' }], minGroupSize: 3 });
    expect((await request(app).post('/api/groups/join').send({ code: round.invitation.code, perspective: 'nobody', shareNotes: false, shareAnswers: false })).status).toBe(400);
    expect((await request(app).post('/api/groups/join').send({ code: round.invitation.code, perspective: 'academia' })).body.error.message).toMatch(/^body\.shareNotes/);
  });

  it('walks the lifecycle: join from the web, progress, close (410 to join), reopen, replace the invitation, rotate and revoke the coordinator link', async () => {
    const round = await create();
    const member = await join(round.invitation.code, 'academia', MEMBER_PROFILES.early);
    const membership = await request(app).get(`/api/conversations/${member.conversationId}/group`).set(as(member.resumeToken));
    expect(membership.body).toEqual({ roundName: 'Open government review', perspective: 'Academia', pictureShared: false });
    const individual = await request(app).post('/api/conversations').send({});
    expect((await request(app).get(`/api/conversations/${individual.body.conversationId}/group`).set(as(individual.body.resumeToken))).status).toBe(404);
    expect((await picture(round)).progress).toMatchObject({ joined: 1, finished: 1, inPicture: 0, waiting: 1 });

    expect((await request(app).post(`/api/groups/${round.roundId}/close`).set(as(round.coordinatorToken))).body.closed).toBe(true);
    expect((await request(app).post('/api/groups/join').send({ code: round.invitation.code, perspective: 'academia', shareNotes: false, shareAnswers: false })).status).toBe(410);
    expect((await request(app).post(`/api/groups/${round.roundId}/reopen`).set(as(round.coordinatorToken))).body.closed).toBe(false);
    const replaced = await request(app).post(`/api/groups/${round.roundId}/invitation`).set(as(round.coordinatorToken));
    expect(replaced.body.invitation.code).not.toBe(round.invitation.code);
    expect((await request(app).post('/api/groups/invitation').send({ code: round.invitation.code })).status).toBe(404);
    const settings = await request(app).post(`/api/groups/${round.roundId}/settings`).set(as(round.coordinatorToken)).send({ respondentsSeePicture: true, name: 'Renamed review' });
    expect(settings.body).toMatchObject({ name: 'Renamed review', respondentsSeePicture: true });
    expect((await request(app).post(`/api/groups/${round.roundId}/settings`).set(as(round.coordinatorToken)).send({})).status).toBe(400);

    const rotated = await request(app).post(`/api/groups/${round.roundId}/coordinator-link`).set(as(round.coordinatorToken));
    expect(rotated.status).toBe(200);
    expect((await request(app).get(`/api/groups/${round.roundId}`).set(as(round.coordinatorToken))).status).toBe(401);
    const fresh = rotated.body.coordinatorToken as string;
    expect((await request(app).get(`/api/groups/${round.roundId}`).set(as(fresh))).body.invitation.code).toBe(replaced.body.invitation.code);
    expect((await request(app).delete(`/api/groups/${round.roundId}/coordinator-link`).set(as(fresh))).status).toBe(204);
    expect((await request(app).get(`/api/groups/${round.roundId}/picture`).set(as(fresh))).status).toBe(401);
  });
});

describe('the picture and its exports', () => {
  let round: Created;
  beforeAll(async () => {
    round = await create();
    const notes = ['no, “our portal” | has comments & <b>more</b>', ...MEMBER_PROFILES.intermediate.slice(1)];
    await join(round.invitation.code, 'central-government-units', notes, { shareNotes: true, name: 'Lea' });
    await join(round.invitation.code, 'central-government-units', MEMBER_PROFILES.early);
    await join(round.invitation.code, 'central-government-units', MEMBER_PROFILES.early);
    await join(round.invitation.code, 'civil-society', MEMBER_PROFILES.advanced, { shareAnswers: true, name: 'Sam' });
    await join(round.invitation.code, 'academia', MEMBER_PROFILES.intermediate);
  });

  it('JSON, Markdown and CSV parse back to the same content as the picture the page shows', async () => {
    const shown = await picture(round);
    expect(shown.groups.map((g) => g.groupId)).toEqual(['all', 'central-government-units', 'civil-society']);

    const json = GroupReport.parse(JSON.parse(await download(round, 'json')));
    expect(timeless(json)).toEqual(timeless(shown));

    const csv = parseGroupCsv(await download(round, 'csv'));
    const groupOf = new Map(shown.groups.map((g) => [g.groupId, g]));
    expect(csv).toEqual(
      shown.characteristics.flatMap((c) =>
        c.spread.map((s) => ({
          characteristicId: c.characteristicId, stage: c.stage, themeId: c.themeId, label: c.label, groupId: s.groupId, group: groupOf.get(s.groupId)?.label, respondents: groupOf.get(s.groupId)?.respondents,
          met: s.met, partial: s.partial, unmet: s.unmet, unknown: s.unknown, groupAnswer: s.fromAnswers, disagreement: c.disagreement, fromAnswers: c.fromAnswers, agreed: c.agreed,
          rationale: c.consensus?.rationale ?? null, recordedAt: c.consensus?.recordedAt ?? null,
          groupOverallStage: groupOf.get(s.groupId)?.stages.overall.stage ?? null, groupOverallStatus: groupOf.get(s.groupId)?.stages.overall.status, agreedOverallStage: shown.result.agreed.overall.stage, agreedOverallStatus: shown.result.agreed.overall.status,
        })),
      ),
    );

    const md = await download(round, 'md');
    const parsed = parseGroupReportMarkdown(md, shown.labels);
    const L = shown.labels;
    expect(parsed.result).toEqual([
      ...shown.result.agreed.themes.map((t) => ({ theme: t.title, fromAnswers: shown.result.fromAnswers.themes.find((x) => x.themeId === t.themeId)?.stageLabel, agreed: t.stageLabel })),
      { theme: 'Overall', fromAnswers: shown.result.fromAnswers.overall.stageLabel, agreed: shown.result.agreed.overall.stageLabel },
    ]);
    expect(parsed.groups).toEqual(shown.groups.map((g) => ({ label: g.label, respondents: g.respondents, stages: [...g.stages.themes.map((t) => t.stageLabel), g.stages.overall.stageLabel] })));
    expect(parsed.spread).toEqual(shown.characteristics.flatMap((c) => c.spread.map((s) => ({ characteristic: c.label, group: groupOf.get(s.groupId)?.label, met: s.met, partial: s.partial, unmet: s.unmet, unknown: s.unknown, answer: standingLabel(L, s.fromAnswers) }))));
    expect(parsed.agreed).toEqual(shown.characteristics.map((c) => ({ characteristic: c.label, disagreement: c.disagreement, fromAnswers: standingLabel(L, c.fromAnswers), agreed: standingLabel(L, c.agreed, c.consensus !== null), rationale: c.consensus?.rationale ?? '' })));
    // People's words stay words: no markup.
    expect(md).toContain('“our portal” \\| has comments \\& \\<b>more\\</b>');
  });

  it('every export carries exactly the suppression of the page: no group, respondent or answer the page does not show', async () => {
    const shown = await picture(round);
    // The one academic is in no breakdown; their perspective's name is in the export only as the progress row.
    const csv = parseGroupCsv(await download(round, 'csv'));
    expect(new Set(csv.map((r) => r.groupId))).toEqual(new Set(shown.groups.map((g) => g.groupId)));
    expect(csv.some((r) => r.groupId === 'academia')).toBe(false);
    const json = JSON.parse(await download(round, 'json')) as GroupReport;
    expect(json.groups.map((g) => g.groupId)).toEqual(shown.groups.map((g) => g.groupId));
    const md = await download(round, 'md');
    expect(parseGroupReportMarkdown(md, shown.labels).groups.map((g) => g.label)).toEqual(shown.groups.map((g) => g.label));
    // Nothing in any export names a conversation.
    for (const text of [md, JSON.stringify(json), await download(round, 'csv')]) expect(text).not.toMatch(/c_[A-Za-z0-9_-]{10,}/);
  });

  it('two exports taken before and after one more respondent are the same, in every format (differencing reveals nothing)', async () => {
    const before = { json: timeless(JSON.parse(await download(round, 'json')) as GroupReport), csv: await download(round, 'csv'), md: await download(round, 'md') };
    // A respondent whose answers differ from everyone's, in a perspective already shown apart.
    await join(round.invitation.code, 'central-government-units', Array.from({ length: 14 }, () => 'partly'));
    const after = { json: timeless(JSON.parse(await download(round, 'json')) as GroupReport), csv: await download(round, 'csv'), md: await download(round, 'md') };
    expect(after.csv).toBe(before.csv);
    expect({ ...after.json, progress: null }).toEqual({ ...before.json, progress: null });
    expect(after.json.progress).toMatchObject({ finished: before.json.progress.finished + 1, waiting: before.json.progress.waiting + 1, inPicture: before.json.progress.inPicture });
    const withoutProgress = (md: string) => md.replace(/^- \d+ joined.*$/m, '').replace(/^\d+ finished but not yet.*$/m, '').replace(/\n## Who took part[\s\S]*?(?=\n## )/, '').replace(/^Report generated .*$/m, '');
    expect(withoutProgress(after.md)).toBe(withoutProgress(before.md));
  });

  it('records and removes a consensus over HTTP; the report shows the spread, the agreed answer and why', async () => {
    const res = await request(app).post(`/api/groups/${round.roundId}/consensus`).set(as(round.coordinatorToken)).send({ characteristicId: 'early-top-down', standing: 'partial', rationale: 'Budget decisions are top-down; drafting is open.' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const entry = GroupReport.parse(res.body).characteristics.find((c) => c.characteristicId === 'early-top-down');
    expect(entry?.consensus).toMatchObject({ standing: 'partial', rationale: 'Budget decisions are top-down; drafting is open.' });
    expect(entry?.agreed).toBe('partial');
    // The spread stays beside the agreed answer: the views that differed are still there.
    expect((entry?.spread[0]?.met ?? 0) + (entry?.spread[0]?.unmet ?? 0)).toBeGreaterThan(0);
    expect((await request(app).post(`/api/groups/${round.roundId}/consensus`).set(as(round.coordinatorToken)).send({ characteristicId: 'early-top-down', standing: 'maybe', rationale: 'x' })).status).toBe(400);
    expect((await request(app).post(`/api/groups/${round.roundId}/consensus`).set(as(round.coordinatorToken)).send({ characteristicId: 'early-top-down', standing: 'met', rationale: '' })).status).toBe(400);
    const md = await download(round, 'md');
    expect(md).toContain('Budget decisions are top-down; drafting is open.');
    const cleared = await request(app).delete(`/api/groups/${round.roundId}/consensus/early-top-down`).set(as(round.coordinatorToken));
    expect(GroupReport.parse(cleared.body).result.consensusCount).toBe(0);
  });

  it('hands out a read-only report page (print stylesheet, downloads) at a revocable link', async () => {
    const link = await request(app).post(`/api/groups/${round.roundId}/report-link`).set(as(round.coordinatorToken));
    expect(link.status).toBe(201);
    expect(link.body.url).toMatch(/^https:\/\/govstage\.example\.gov\/group-reports\/g_/);
    const page = await request(app).get(link.body.path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<link rel="stylesheet" href="/group.css">');
    expect(page.text).toContain('Open government review');
    expect(page.text).not.toMatch(/<script|style=/);
    expect(page.text).toContain('&lt;b&gt;more&lt;/b&gt;');
    const shown = await picture(round);
    for (const g of shown.groups) expect(page.text).toContain(`${g.label} (${g.respondents})`);
    const csv = await request(app).get(`${link.body.path}/group-report.csv`);
    expect(csv.status).toBe(200);
    expect(parseGroupCsv(csv.text)).toEqual(parseGroupCsv(await download(round, 'csv')));
    expect((await request(app).get(`${link.body.path}/secrets.txt`)).status).toBe(400);
    expect((await request(app).delete(`/api/groups/${round.roundId}/report-link`).set(as(round.coordinatorToken))).status).toBe(204);
    expect((await request(app).get(link.body.path)).status).toBe(404);
  });

  it('serves the JSON Schema of the group report at a documented URL', async () => {
    const res = await request(app).get('/api/group-report-schema.json');
    expect(res.status).toBe(200);
    expect(res.body.$schema).toMatch(/json-schema\.org/);
    expect(res.body.properties.schema.const).toBe('govstage.group-report');
    expect(res.body.properties.schemaVersion.const).toBe(1);
  });

  it('shows a respondent the picture only when the coordinator allows it', async () => {
    const member = await join(round.invitation.code, 'academia', MEMBER_PROFILES.early);
    expect((await request(app).get(`/api/conversations/${member.conversationId}/group-report`).set(as(member.resumeToken))).status).toBe(403);
    await request(app).post(`/api/groups/${round.roundId}/settings`).set(as(round.coordinatorToken)).send({ respondentsSeePicture: true });
    const res = await request(app).get(`/api/conversations/${member.conversationId}/group-report`).set(as(member.resumeToken));
    expect(res.status).toBe(200);
    expect(GroupReport.parse(res.body).round.id).toBe(round.roundId);
  });
});
