/**
 * Plain-text rendering of the message model, shared by the terminal chat and
 * by Slack's and Teams' notification fallback text. Numbers the choices so
 * people can reply by typing them. `words`: the catalogue of the
 * conversation's language (its `chat` section).
 */
import type { Message, OecdTranslation, ResultView } from '../core/messages.js';
import { UNIT_QUESTION_ID } from '../core/machine/machine.js';
import type { Words } from '../i18n/words.js';

/** The OECD's words; in another language, our translation labelled as ours, then the original on a line of its own. */
export function oecdPlain(text: string, translation: OecdTranslation | null | undefined, words: Words, indent: string): string[] {
  return translation ? [`${translation.text} (${translation.label})`, `${indent}${words.t('chat.original', { text })}`] : [text];
}

export function renderResultPlain(result: ResultView, words: Words): string {
  const lines: string[] = [`== ${result.texts.heading} ==`, result.overall.explanation, ''];
  const quotes = (label: string, list: ResultView['themes'][number]['strengths']) => {
    if (list.length === 0) return;
    lines.push(`  ${label}`);
    for (const quote of list) lines.push(`    - ${words.t('chat.quote', { short: quote.short, answer: quote.answer })}`);
  };
  for (const theme of result.themes) {
    lines.push(`* ${theme.title} [${result.texts.oursLabel}]: ${theme.stageLabel}`, `  ${theme.explanation}`);
    quotes(result.texts.strengthsLabel, theme.strengths);
    quotes(result.texts.becauseLabel, theme.holdingBack);
    quotes(result.texts.pendingLabel, theme.pending);
    if (theme.milestone) {
      lines.push(`  ${result.texts.milestoneHeading} (${theme.milestone.stageLabel}):`);
      const items = theme.milestone.items ?? theme.milestone.characteristics.map((text) => ({ text, translation: null }));
      for (const c of items) {
        const [first, ...rest] = oecdPlain(c.text, c.translation, words, '      ');
        lines.push(`    - ${first}`, ...rest);
      }
    }
  }
  if (result.suggestions.length > 0) {
    lines.push('', `== ${result.texts.suggestionsHeading} ==`);
    result.suggestions.forEach((s, i) => {
      const [first, ...rest] = oecdPlain(s.text, s.translation, words, '   ');
      lines.push(`${i + 1}. [${s.stageLabel}] ${first}`, ...rest, `   ${s.reason}`);
      if (s.because.length > 0) {
        lines.push(`   ${result.texts.becauseLabel}`);
        for (const quote of s.because) lines.push(`     - ${words.t('chat.quote', { short: quote.short, answer: quote.answer })}`);
      }
    });
  }
  if (result.contradictions.length > 0) {
    lines.push('', `== ${result.texts.contradictionsHeading} ==`);
    for (const c of result.contradictions) lines.push(`! ${c.text}${c.settlement.kind === 'kept' ? ` (${c.settlement.note})` : ''}`);
  }
  if (result.caveats.length > 0) {
    lines.push('', `== ${result.texts.caveatsHeading} ==`);
    for (const caveat of result.caveats) lines.push(`! ${caveat}`);
  }
  lines.push('', result.texts.sourceLabel);
  return lines.join('\n');
}

export function renderPlain(message: Message, words: Words): string {
  switch (message.kind) {
    case 'text': {
      const choices = message.choices?.map((c, i) => `  ${i + 1}) ${c.label}`) ?? [];
      return [message.text, ...choices].join('\n');
    }
    case 'question': {
      // "(3/14)": numbers only, the same in every language.
      const lines = message.progress.index > 0 ? [`[${message.themeLabel}] (${message.progress.index}/${message.progress.total})`, message.text] : [message.text];
      message.choices.forEach((c, i) => lines.push(`  ${i + 1}) ${c.label}${message.currentAnswer?.choiceId === c.id ? `  ${words.t('chat.currentAnswer')}` : ''}`));
      lines.push(`  ${message.commands.map((c) => c.label.toLocaleLowerCase(words.locale)).join(' | ')}`);
      return lines.join('\n');
    }
    case 'progress':
      return message.text;
    case 'review': {
      const lines = [message.text];
      // Numbered as questions are ("change 3"); the opening question (what is assessed) has no number.
      let n = 0;
      for (const item of message.items) {
        const number = item.questionId === UNIT_QUESTION_ID ? '-' : `${++n}.`;
        lines.push(`  ${number} ${item.question}\n     -> ${item.answer}${item.note ? ` (${item.note})` : ''}`);
      }
      for (const c of message.contradictions) lines.push(`  ! ${c.text}`);
      lines.push(`  ${message.choices.map((c) => c.label).join(' | ')}  ${words.t('chat.changeN')}`);
      return lines.join('\n');
    }
    case 'result':
      return renderResultPlain(message.result, words);
    case 'paused':
      return message.resume ? `${message.text}\n${words.t('chat.resumeCode', { code: message.resume.code, until: message.resume.expiresAt })}${message.resume.url ? `\n${message.resume.url}` : ''}` : message.text;
    case 'error':
      return words.t('chat.error', { text: message.text });
  }
}
