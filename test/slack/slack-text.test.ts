/**
 * Slack's text encoding: what Slack sends for what a person typed decodes
 * back to exactly what they typed, and what we send is escaped once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, fromSlackText } from '../../src/channels/slack/slack-text.js';

/** Slack's encoding of typed text: &, < and > as entities. */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A piece of what a person types, with what Slack sends for it: plain text
 * (escaped), a link (`<url>`), a bare domain Slack links (`<http://d|d>`), an
 * e-mail address (`<mailto:e|e>`).
 */
const typed: fc.Arbitrary<{ typed: string; sent: string }> = fc.oneof(
  fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom('&', '<', '>', '|', '&amp;', '&lt;50%', 'R&D', '<@U123>', '<https://x.example>', '<!here>', 'a > b & c < d'),
    )
    .map((text) => ({ typed: text, sent: escape(text) })),
  fc
    .webUrl({ withQueryParameters: true, withFragments: true })
    .filter((url) => !/[|<>\s]/.test(url))
    .map((url) => ({ typed: url, sent: `<${escape(url)}>` })),
  fc.domain().map((domain) => ({ typed: domain, sent: `<http://${domain}|${domain}>` })),
  fc
    .emailAddress()
    .filter((address) => !/[|<>\s]/.test(address))
    .map((address) => ({ typed: address, sent: `<mailto:${escape(address)}|${escape(address)}>` })),
);

describe('fromSlackText', () => {
  it('gives back exactly what was typed, whatever Slack encoded (property)', () => {
    fc.assert(
      fc.property(fc.array(typed, { maxLength: 8 }), (pieces) => {
        expect(fromSlackText(pieces.map((p) => p.sent).join(''))).toBe(pieces.map((p) => p.typed).join(''));
      }),
      { numRuns: 2000 },
    );
  });

  it('inverts escapeMrkdwn for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(fromSlackText(escapeMrkdwn(text))).toBe(text);
      }),
    );
  });

  it('decodes the message from the field', () => {
    expect(fromSlackText('partly, R&amp;D units only &lt;50% see <https://example.org/plan>')).toBe('partly, R&D units only <50% see https://example.org/plan');
    expect(fromSlackText('see <https://example.org/plan?a=1&amp;b=2>')).toBe('see https://example.org/plan?a=1&b=2');
  });

  it('keeps both the label and the address of a labelled link', () => {
    expect(fromSlackText('see <https://example.org/plan|our plan &amp; budget>')).toBe('see our plan & budget: https://example.org/plan');
    expect(fromSlackText('<mailto:pat@example.org|Pat>')).toBe('Pat: mailto:pat@example.org');
    expect(fromSlackText('<https://www.example.org|www.example.org>')).toBe('www.example.org');
  });

  it('makes mentions readable', () => {
    expect(fromSlackText('ask <@U123|pat> or <@U456>')).toBe('ask @pat or @U456');
    expect(fromSlackText('in <#C123|general> and <#C456>')).toBe('in #general and #C456');
    expect(fromSlackText('<!here> <!channel> <!everyone|everyone>')).toBe('@here @channel @everyone');
    expect(fromSlackText('<!subteam^S123|@policy-team> by <!date^1392734382^{date_num}|2014-02-18>')).toBe('@policy-team by 2014-02-18');
  });
});

describe('escapeMrkdwn', () => {
  it('escapes &, < and > once, so no text can become a link or a mention (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
    );
  });
});
