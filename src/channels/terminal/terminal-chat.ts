/**
 * The terminal channel: an interactive chat, or a scripted one when replies
 * are piped in (one per line). It only translates lines to turns and
 * messages to text; the turn pipeline does the rest.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Message } from '../../core/messages.js';
import { textsFor } from '../../core/definition.js';
import { choiceIds } from '../../core/conversation/render.js';
import { negotiateLocale } from '../../core/i18n/negotiate.js';
import { personMessage } from '../../i18n/person-message.js';
import type { Locales, Words } from '../../i18n/words.js';
import { isStaleTurn, type ConversationService } from '../../service/conversation-service.js';
import { commandWords, splitCommand } from '../commands.js';
import type { GroupService } from '../../service/groups/group-service.js';
import { renderPlain } from '../plain-text.js';
import { writeReportFiles } from '../../reports/files.js';
import { askJoinChoices } from './join-dialogue.js';

export interface TerminalChatOptions {
  service: ConversationService;
  /** The locale catalogues: the terminal's own words, in the conversation's language. */
  locales: Locales;
  /** The language to start in (--locale); a resumed conversation keeps its own. */
  locale?: string;
  input: Readable;
  output: Writable;
  /** Show a prompt and do not echo lines (a person is typing). */
  interactive: boolean;
  /** Continue a saved conversation instead of starting one. */
  resumeCode?: string;
  /** Join a group round with its invitation code instead of starting an assessment of one's own. */
  join?: { code: string; groups: GroupService };
  /** Where `report` writes the Markdown, JSON and CSV downloads. */
  reportDir: string;
}

export async function runTerminalChat(options: TerminalChatOptions): Promise<{ conversationId: string; status: string }> {
  const { service, output, interactive, locales } = options;
  // Every offered locale's command words are understood ("report" and "rapport" alike).
  const commands = commandWords(locales);
  let words: Words = locales.words(options.locale ? locales.negotiate([options.locale]) : undefined);
  const print = (messages: Message[]) => {
    for (const message of messages) output.write(`${renderPlain(message, words)}\n\n`);
  };
  const printError = (error: unknown) => {
    output.write(`${words.t('chat.error', { text: personMessage(error, words) })}\n\n`);
  };

  // Read from the start (lines piped in before the iterator exists would be lost), by the join questions and the chat alike.
  const lines = createInterface({ input: options.input, terminal: false });
  const iterator = lines[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string | null> => {
    const next = await iterator.next();
    return next.done ? null : next.value;
  };

  let session: { conversationId: string; token: string; status: string };
  const resumeInto = async (code: string) => {
    const { conversationId, resumeToken } = await service.resume(code);
    const view = await service.view(conversationId, { kind: 'token', token: resumeToken });
    session = { conversationId, token: resumeToken, status: view.status };
    words = locales.words(view.locale);
    output.write(`${words.t('terminal.resumed')}\n\n`);
    print(view.current);
  };

  if (options.resumeCode) {
    await resumeInto(options.resumeCode);
  } else if (options.join) {
    const { groups, code } = options.join;
    const choices = await askJoinChoices(service.definition, await groups.lookupInvitation(code), nextLine, output, !interactive, words.locale);
    if (!choices) {
      lines.close();
      return { conversationId: '', status: 'not joined' };
    }
    const started = await groups.join({ code, choices, channel: 'terminal', ...(options.locale ? { locale: words.locale } : {}) });
    session = { conversationId: started.conversationId, token: started.resumeToken, status: started.status };
    words = locales.words(started.locale);
    output.write(`${words.t('terminal.resumeCode', { code: started.resumeCode })}\n\n`);
    print(started.messages);
  } else {
    const started = await service.start({ channel: 'terminal', ...(options.locale ? { locale: options.locale } : {}) });
    session = { conversationId: started.conversationId, token: started.resumeToken, status: started.status };
    words = locales.words(started.locale);
    output.write(`${words.t('terminal.resumeCode', { code: started.resumeCode })}\n\n`);
    print(started.messages);
  }

  const prompt = () => interactive && output.write('> ');
  prompt();
  for await (const line of { [Symbol.asyncIterator]: () => iterator }) {
    if (!interactive) output.write(`> ${line}\n`);
    const { verb, arg } = splitCommand(line, commands);
    try {
      if (verb === 'resume' && arg) {
        await resumeInto(arg);
      } else if (verb === 'report' && !arg) {
        const report = await service.report(session!.conversationId, { kind: 'token', token: session!.token });
        const files = await writeReportFiles(report, options.reportDir, textsFor(service.definition, report.assessment.locale).t('title'), locales.words(report.assessment.locale));
        output.write(`${words.t('terminal.saved')}\n${files.map((f) => `  ${f}`).join('\n')}\n\n`);
      } else if (verb === 'language' && arg) {
        // Continue in another language: every answer kept, the current step shown again in it.
        const locale = negotiateLocale(locales.offered, [arg]);
        if (!locale) output.write(`${words.t('terminal.unknownLanguage', { languages: locales.languages().map((l) => `${l.locale} (${l.name})`).join(', ') })}\n\n`);
        else {
          const reply = await service.turn({ conversationId: session!.conversationId, access: { kind: 'token', token: session!.token }, channel: 'terminal', turnId: randomUUID(), input: { kind: 'choice', choice: choiceIds.language(locale) } });
          words = locales.words(locale);
          print(reply.messages);
        }
      } else {
        const reply = await service.turn({
          conversationId: session!.conversationId,
          access: { kind: 'token', token: session!.token },
          channel: 'terminal',
          turnId: randomUUID(),
          input: { kind: 'text', text: line },
        });
        print(reply.messages);
        session!.status = reply.status;
        // The terminal holds a token, so the new conversation comes with one.
        if (!isStaleTurn(reply) && reply.switchTo?.resumeToken) session = { conversationId: reply.switchTo.conversationId, token: reply.switchTo.resumeToken, status: reply.switchTo.status };
        if (reply.messages.some((m) => m.kind === 'paused')) {
          output.write(`${words.t('terminal.later')}\n`);
          break;
        }
      }
    } catch (error) {
      printError(error);
    }
    prompt();
  }
  lines.close();
  return { conversationId: session!.conversationId, status: session!.status };
}
