/**
 * Joining a group round in the terminal (`npm run chat -- --join CODE`):
 * the respondent says which perspective they answer from, and only if they
 * choose their name and unit and what to share; then their own assessment
 * starts as usual. The words are the flow's (text table and reply words).
 */
import type { Writable } from 'node:stream';
import { textsFor, type AssessmentDefinition } from '../../core/definition.js';
import { normalizeText as normalize } from '../../core/replies/text.js';
import type { InvitationInfo } from '../../service/groups/group-service.js';
import type { JoinChoices } from '../../service/groups/join-round.js';

/** Reads one line from the person, or null at the end of the input. */
export type NextLine = () => Promise<string | null>;

export async function askJoinChoices(definition: AssessmentDefinition, info: InvitationInfo, next: NextLine, output: Writable, echo: boolean, locale = definition.flow.defaultLocale): Promise<JoinChoices | null> {
  // In the language asked for (--locale), else the flow's default.
  const texts = textsFor(definition, definition.flow.locales.includes(locale) ? locale : definition.flow.defaultLocale);
  const words = definition.flow.replies[texts.locale] ?? definition.flow.replies[definition.flow.defaultLocale];
  const say = (text: string) => output.write(`${text}\n`);
  const read = async (): Promise<string | null> => {
    output.write('> ');
    const line = await next();
    if (echo) output.write(`${line ?? ''}\n`);
    return line;
  };
  say(texts.t('joinIntro', { round: info.name, assessing: [info.assessing.name, info.assessing.unitLabel].filter(Boolean).join(', ') }));
  say('');
  say(texts.t('joinPerspective'));
  info.perspectives.forEach((p, i) => say(`  ${i + 1}. ${p.label}`));
  let perspective: string | undefined;
  while (!perspective) {
    const line = await read();
    if (line === null) return null;
    const typed = normalize(line);
    const n = /^\d+$/.test(typed) ? Number(typed) : NaN;
    perspective = (info.perspectives[n - 1] ?? info.perspectives.find((p) => normalize(p.label) === typed || p.id === typed))?.id;
    if (!perspective) say(texts.t('joinPerspective'));
  }
  say(texts.t('joinName'));
  const name = await read();
  if (name === null) return null;
  say(texts.t('joinUnit'));
  const unit = await read();
  if (unit === null) return null;
  const yesNo = async (question: string): Promise<boolean | null> => {
    say(texts.t(question === 'notes' ? 'joinShareNotes' : 'joinShareAnswers'));
    for (;;) {
      const line = await read();
      if (line === null) return null;
      const typed = normalize(line);
      if (words?.yes.some((w) => normalize(w) === typed)) return true;
      if (words?.no.some((w) => normalize(w) === typed)) return false;
      say(texts.t('joinYesNo'));
    }
  };
  const shareNotes = await yesNo('notes');
  if (shareNotes === null) return null;
  const shareAnswers = await yesNo('answers');
  if (shareAnswers === null) return null;
  say('');
  return { perspective, ...(name.trim() ? { name: name.trim() } : {}), ...(unit.trim() ? { unit: unit.trim() } : {}), shareNotes, shareAnswers };
}
