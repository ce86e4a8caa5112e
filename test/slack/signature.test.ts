/**
 * The pure pieces of the Slack boundary: signature verification (with an
 * injected clock), the dedupe set, body parsing, command splitting and the
 * counter of refused requests.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_SIGNATURE_AGE_SECONDS, signSlackRequest, verifySlackSignature } from '../../src/channels/slack/signature.js';
import { parseSlackBody } from '../../src/channels/slack/http-receiver.js';
import { commandWords, splitCommand } from '../../src/channels/commands.js';
import { testLocales } from '../helpers/server.js';
import { normalizeApiUrl } from '../../src/channels/slack/slack-api.js';
import { RefusalCounter } from '../../src/channels/slack/refusals.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fassess&text=status';
const ts = '1531420618';
const at = (seconds: number) => seconds * 1000;

describe('verifySlackSignature', () => {
  const signature = signSlackRequest(secret, ts, body);

  it('computes v0= HMAC-SHA256 of "v0:{timestamp}:{body}", as Slack documents', () => {
    const expected = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    expect(signature).toBe(expected);
    expect(signSlackRequest(secret, ts, Buffer.from(body))).toBe(expected);
  });

  it('accepts a correct signature within five minutes, either way', () => {
    for (const offset of [0, 1, MAX_SIGNATURE_AGE_SECONDS, -MAX_SIGNATURE_AGE_SECONDS]) {
      expect(verifySlackSignature({ signingSecret: secret, body, timestamp: ts, signature, now: at(Number(ts) + offset) })).toEqual({ ok: true });
    }
  });

  it('refuses a request older (or newer) than five minutes, even correctly signed', () => {
    for (const offset of [MAX_SIGNATURE_AGE_SECONDS + 1, -(MAX_SIGNATURE_AGE_SECONDS + 1), 86_400]) {
      expect(verifySlackSignature({ signingSecret: secret, body, timestamp: ts, signature, now: at(Number(ts) + offset) })).toEqual({ ok: false, reason: 'stale' });
    }
  });

  it('refuses another secret, a changed body, a changed timestamp and a malformed signature', () => {
    const now = at(Number(ts));
    expect(verifySlackSignature({ signingSecret: 'another-secret', body, timestamp: ts, signature, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ signingSecret: secret, body: `${body}&x=1`, timestamp: ts, signature, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: String(Number(ts) + 1), signature, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: ts, signature: 'v0=abc', now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: ts, signature: signature.toUpperCase(), now })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses missing headers and a timestamp that is not a number', () => {
    const now = at(Number(ts));
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: undefined, signature, now })).toEqual({ ok: false, reason: 'missing-headers' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: ts, signature: undefined, now })).toEqual({ ok: false, reason: 'missing-headers' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: '15314e6', signature, now })).toEqual({ ok: false, reason: 'bad-timestamp' });
    expect(verifySlackSignature({ signingSecret: secret, body, timestamp: '-1', signature, now })).toEqual({ ok: false, reason: 'bad-timestamp' });
  });
});

describe('parseSlackBody', () => {
  it('reads JSON events, form slash commands and form payload= interactivity', () => {
    expect(parseSlackBody('{"type":"event_callback","event_id":"Ev1"}', 'application/json')).toEqual({ type: 'event_callback', event_id: 'Ev1' });
    expect(parseSlackBody('command=%2Fassess&text=resume+AB12', 'application/x-www-form-urlencoded')).toEqual({ command: '/assess', text: 'resume AB12' });
    expect(parseSlackBody(`payload=${encodeURIComponent('{"type":"block_actions"}')}`, 'application/x-www-form-urlencoded; charset=utf-8')).toEqual({ type: 'block_actions' });
  });

  it('refuses what is not an object or not parseable', () => {
    expect(() => parseSlackBody('[1]', 'application/json')).toThrow();
    expect(() => parseSlackBody('{', 'application/json')).toThrow();
    expect(() => parseSlackBody('payload=%7B', 'application/x-www-form-urlencoded')).toThrow();
    expect(() => parseSlackBody('x', 'text/plain')).toThrow();
  });
});

describe('splitCommand', () => {
  it('splits the subcommand from its argument and reads forget-me variants, in every offered language', async () => {
    const words = commandWords(await testLocales());
    const split = (text: string) => {
      const { verb, arg } = splitCommand(text, words);
      return { verb, arg };
    };
    expect(split('  Resume  abcde-12345 ')).toEqual({ verb: 'resume', arg: 'abcde-12345' });
    expect(split('status')).toEqual({ verb: 'status', arg: '' });
    expect(split('')).toEqual({ verb: undefined, arg: '' });
    expect(split('frobnicate now')).toEqual({ verb: undefined, arg: '' });
    for (const text of ['forget-me', 'forget me', 'Forget Me', 'forgetme', 'forget', 'oubliez-moi', 'Oubliez moi']) expect(split(text)).toEqual({ verb: 'forget-me', arg: '' });
    expect(split('reprendre ABCDE-12345')).toEqual({ verb: 'resume', arg: 'ABCDE-12345' });
    expect(split('Démarrer')).toEqual({ verb: 'start', arg: '' });
    expect(split('demarrer')).toEqual({ verb: 'start', arg: '' });
    expect(split('langue fr-CA')).toEqual({ verb: 'language', arg: 'fr-CA' });
    expect(split('language en')).toEqual({ verb: 'language', arg: 'en' });
  });
});

describe('SLACK_API_URL', () => {
  it('gets the trailing slash the WebClient needs', () => {
    expect(normalizeApiUrl('http://127.0.0.1:9999/api')).toBe('http://127.0.0.1:9999/api/');
    expect(normalizeApiUrl('https://slack.com/api/')).toBe('https://slack.com/api/');
  });
});

describe('RefusalCounter', () => {
  it('limits an address past its refusals until the window ends, and says which refusal to log', () => {
    let now = 120_000;
    const counter = new RefusalCounter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => counter.count('a').log)).toEqual([true, false, false]);
    expect(counter.retryAfterSeconds('a')).toBe(60);
    expect(counter.retryAfterSeconds('b')).toBe(0);
    now += 45_000;
    expect(counter.retryAfterSeconds('a')).toBe(15);
    now += 15_000;
    expect(counter.retryAfterSeconds('a')).toBe(0);
    expect(counter.count('a').log).toBe(true);
  });

  it('keeps at most maxAddresses per window; the others are not limited, and logged once together', () => {
    const counter = new RefusalCounter(1, 60_000, () => 0, 2);
    expect(counter.count('a').log).toBe(true);
    expect(counter.count('b').log).toBe(true);
    expect(counter.count('c').log).toBe(true);
    expect(counter.count('d').log).toBe(false);
    expect(counter.count('d').log).toBe(false);
    expect(counter.retryAfterSeconds('d')).toBe(0);
    expect(counter.retryAfterSeconds('a')).toBeGreaterThan(0);
  });
});
