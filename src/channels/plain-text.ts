/**
 * Plain-text rendering of the message model, shared by the terminal chat and
 * by Slack's notification fallback text. Numbers the choices so people can
 * reply by typing them.
 */
import type { Message, ResultView } from '../core/messages.js';

export function renderResultPlain(result: ResultView): string {
  const lines: string[] = [`== ${result.texts.heading} ==`, result.overall.explanation, ''];
  for (const theme of result.themes) {
    lines.push(`* ${theme.title}: ${theme.stageLabel}`, `  ${theme.explanation}`);
    for (const quote of theme.basis) lines.push(`    - ${quote.question} -> ${quote.answer}`);
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
        for (const quote of s.because) lines.push(`     - "${quote.answer}" to: ${quote.question}`);
      }
    });
  }
  if (result.contradictions.length > 0) {
    lines.push('');
    for (const c of result.contradictions) lines.push(`! ${c.text}`);
  }
  for (const caveat of result.caveats) lines.push(`! ${caveat}`);
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
      const lines = [`[${message.themeTitle}] (${message.progress.index}/${message.progress.total})`, message.text];
      message.choices.forEach((c, i) => lines.push(`  ${i + 1}) ${c.label}${message.currentAnswer?.choiceId === c.id ? '  (current answer)' : ''}`));
      lines.push(`  ${message.commands.map((c) => c.label.toLowerCase()).join(' | ')}`);
      return lines.join('\n');
    }
    case 'progress':
      return message.text;
    case 'review': {
      const lines = [message.text];
      message.items.forEach((item, i) => lines.push(`  ${i + 1}. ${item.question}\n     -> ${item.answer}${item.note ? ` (note: ${item.note})` : ''}`));
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
