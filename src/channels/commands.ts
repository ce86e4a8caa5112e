/**
 * The typed commands chat channels offer besides the assessment's own
 * replies: read here once, so "forget me" means the same in every channel.
 * Anything else a person types is a reply for the assessment (`say`).
 */
export type PersonCommand =
  | { kind: 'start' }
  | { kind: 'status' }
  | { kind: 'report' }
  | { kind: 'help' }
  | { kind: 'forget-me' }
  | { kind: 'resume'; code: string }
  /** "resume" without a code: continue where the person is. */
  | { kind: 'continue' };

/** First word (lower case) and the rest; "forget me" and "forgetme" read as forget-me. */
export function splitCommand(text: string): { verb: string; arg: string } {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (/^forget(?:[ -]?me)?$/i.test(trimmed)) return { verb: 'forget-me', arg: '' };
  const space = trimmed.indexOf(' ');
  return space < 0 ? { verb: trimmed.toLowerCase(), arg: '' } : { verb: trimmed.slice(0, space).toLowerCase(), arg: trimmed.slice(space + 1).trim() };
}

/** The command a message is, or undefined when it is a reply for the assessment. */
export function personCommand(text: string): PersonCommand | undefined {
  const { verb, arg } = splitCommand(text);
  if (verb === 'resume') return arg ? { kind: 'resume', code: arg } : { kind: 'continue' };
  if (arg) return undefined;
  switch (verb) {
    case 'start':
    case 'status':
    case 'report':
    case 'help':
    case 'forget-me':
      return { kind: verb };
    default:
      return undefined;
  }
}
