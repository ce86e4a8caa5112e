/**
 * Slack's text encoding, both ways (https://docs.slack.dev/messaging/formatting-message-text).
 *
 * Inbound, Slack sends what a person typed with `&`, `<` and `>` as `&amp;`,
 * `&lt;` and `&gt;`, and wraps what it recognised in angle brackets: links
 * `<https://example.org/plan>` or `<https://example.org/plan|label>`, e-mail
 * addresses `<mailto:pat@example.org|pat@example.org>`, mentions `<@U123>`,
 * `<#C123|general>`, `<!here>`. `fromSlackText` turns that back into what the
 * person typed, so the stored note, its length and the report are theirs.
 *
 * Outbound, mrkdwn (and the top-level `text` of a message) needs the same
 * three characters escaped, exactly once: `escapeMrkdwn`. With `<` and `>`
 * escaped, a note cannot become a link or a mention. plain_text is not parsed
 * by Slack and is sent as written.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

const unescapeEntities = (text: string): string => text.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? '');

/** mrkdwn needs &, < and > escaped; everything else is shown as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The special mentions (`<!here>`) Slack writes as @here in its own interface. */
const BROADCASTS = new Set(['here', 'channel', 'everyone']);

/**
 * One `<…>` token, readable:
 * - a link the person typed (`<url>`, or `<http://example.org|example.org>` for a bare domain,
 *   `<mailto:pat@example.org|pat@example.org>` for an address) is what they typed;
 * - a link with a label of its own (made with Slack's link tool) is `label: url`, so the
 *   evidence keeps its address. (Not "label (url)": the reply parser reads a closing
 *   parenthesis at the end of a note as punctuation and drops it.)
 * - mentions are as Slack shows them: `@name` (or `@U123` when Slack sent no name), `#channel`, `@here`;
 *   other special tokens (`<!date^…|fallback>`, `<!subteam^S1|@team>`) are their label.
 */
function readToken(token: string): string {
  const bar = token.indexOf('|');
  const target = unescapeEntities(bar < 0 ? token : token.slice(0, bar));
  const label = bar < 0 ? undefined : unescapeEntities(token.slice(bar + 1));
  const sigil = target[0];
  if (sigil === '@' || sigil === '#') return label ? `${sigil}${label.replace(/^[@#]/, '')}` : target;
  if (sigil === '!') {
    const name = target.slice(1).split('^')[0] ?? '';
    if (BROADCASTS.has(name)) return `@${name}`;
    return label ?? `@${name}`;
  }
  if (label === undefined || label === '' || label === target) return target;
  // The label is the link without its scheme: Slack linked what the person typed.
  const scheme = target.slice(0, target.length - label.length);
  if (target.endsWith(label) && /^[a-z][a-z0-9+.-]*:(?:\/\/)?$/i.test(scheme)) return label;
  return `${label}: ${target}`;
}

/** What a person typed, from the text Slack sends for it (a message, a slash command's text). */
export function fromSlackText(text: string): string {
  return text.replace(/<([^<>]*)>|&(amp|lt|gt);/g, (_, token: string | undefined, entity: string | undefined) =>
    token !== undefined ? readToken(token) : (ENTITIES[entity ?? ''] ?? ''),
  );
}
