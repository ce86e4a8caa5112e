/**
 * Plain-text rendering of the message model, shared by the terminal chat and
 * by Slack's notification fallback text. Numbers the choices so people can
 * reply by typing them.
 */
import type { Message, ResultView } from '../core/messages.js';
import { UNIT_QUESTION_ID } from '../core/machine/machine.js';

export function renderResultPlain(result: ResultView): string {
  const lines: string[] = [`== ${result.texts.heading} ==`, result.overall.explanation, ''];
  const quotes = (label: string, list: ResultView['themes'][number]['strengths']) => {
    if (list.length === 0) return;
    lines.push(`  ${label}`);
    for (const quote of list) lines.push(`    - ${quote.short}: ${quote.answer}`);
  };
  for (const theme of result.themes) {
    lines.push(`* ${theme.title} [${result.texts.oursLabel}]: ${theme.stageLabel}`, `  ${theme.explanation}`);
    quotes(result.texts.strengthsLabel, theme.strengths);
    quotes(result.texts.becauseLabel, theme.holdingBack);
    quotes(result.texts.pendingLabel, theme.pending);
    if (theme.milestone) {
      lines.push(`  ${result.texts.milestoneHeading} (${theme.milestone.stageLabel}):`);
      for (const c of theme.milestone.characteristics) lines.push(`    - ${c}`);
    }
  }
  if (result.suggestions.length > 0) {
    lines.push('', `== ${result.texts.suggestionsHeading} ==`);
    result.suggestions.forEach((s, i) => {
      lines.push(`${i + 1}. [${s.stageLabel}] ${s.text}`, `   ${s.reason}`);
      if (s.because.length > 0) {
        lines.push(`   ${result.texts.becauseLabel}`);
        for (const quote of s.because) lines.push(`     - ${quote.short}: ${quote.answer}`);
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

export function renderPlain(message: Message): string {
  switch (message.kind) {
    case 'text': {
      const choices = message.choices?.map((c, i) => `  ${i + 1}) ${c.label}`) ?? [];
      return [message.text, ...choices].join('\n');
    }
    case 'question': {
      const lines = message.progress.index > 0 ? [`[${message.themeLabel}] (${message.progress.index}/${message.progress.total})`, message.text] : [message.text];
      message.choices.forEach((c, i) => lines.push(`  ${i + 1}) ${c.label}${message.currentAnswer?.choiceId === c.id ? '  (current answer)' : ''}`));
      lines.push(`  ${message.commands.map((c) => c.label.toLowerCase()).join(' | ')}`);
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
        lines.push(`  ${number} ${item.question}\n     -> ${item.answer}${item.note ? ` (note: ${item.note})` : ''}`);
      }
      for (const c of message.contradictions) lines.push(`  ! ${c.text}`);
      lines.push(`  ${message.choices.map((c) => c.label).join(' | ')}  (or "change N")`);
      return lines.join('\n');
    }
    case 'result':
      return renderResultPlain(message.result);
    case 'paused':
      return message.resume ? `${message.text}\nResume code: ${message.resume.code} (valid until ${message.resume.expiresAt})${message.resume.url ? `\n${message.resume.url}` : ''}` : message.text;
    case 'error':
      return `Error: ${message.text}`;
  }
}
