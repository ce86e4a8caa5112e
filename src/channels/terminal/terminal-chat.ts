/**
 * The terminal channel: an interactive chat, or a scripted one when replies
 * are piped in (one per line). It only translates lines to turns and
 * messages to text; the turn pipeline does the rest.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { toGovError } from '../../errors.js';
import type { Message } from '../../core/messages.js';
import { isStaleTurn, type ConversationService } from '../../service/conversation-service.js';
import type { GroupService } from '../../service/groups/group-service.js';
import { renderPlain } from '../plain-text.js';
import { writeReportFiles } from '../../reports/files.js';
import { askJoinChoices } from './join-dialogue.js';

export interface TerminalChatOptions {
  service: ConversationService;
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

const RESUME_LINE = /^\s*resume\s+(\S.*)$/i;
const REPORT_LINE = /^\s*(?:report|download)\s*$/i;

export async function runTerminalChat(options: TerminalChatOptions): Promise<{ conversationId: string; status: string }> {
  const { service, output, interactive } = options;
  const print = (messages: Message[]) => {
    for (const message of messages) output.write(`${renderPlain(message)}\n\n`);
  };
  const printError = (error: unknown) => {
    const e = toGovError(error);
    output.write(`Error: ${e.kind === 'INTERNAL' ? 'something went wrong on our side; your answers so far are saved.' : e.message}\n\n`);
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
    output.write('Resumed your saved assessment.\n\n');
    print(view.current);
  };

  if (options.resumeCode) {
    await resumeInto(options.resumeCode);
  } else if (options.join) {
    const { groups, code } = options.join;
    const choices = await askJoinChoices(service.definition, await groups.lookupInvitation(code), nextLine, output, !interactive);
    if (!choices) {
      lines.close();
      return { conversationId: '', status: 'not joined' };
    }
    const started = await groups.join({ code, choices, channel: 'terminal' });
    session = { conversationId: started.conversationId, token: started.resumeToken, status: started.status };
    output.write(`(Resume code for this assessment: ${started.resumeCode})\n\n`);
    print(started.messages);
  } else {
    const started = await service.start({ channel: 'terminal' });
    session = { conversationId: started.conversationId, token: started.resumeToken, status: started.status };
    output.write(`(Resume code for this assessment: ${started.resumeCode})\n\n`);
    print(started.messages);
  }

  const prompt = () => interactive && output.write('> ');
  prompt();
  for await (const line of { [Symbol.asyncIterator]: () => iterator }) {
    if (!interactive) output.write(`> ${line}\n`);
    const resume = RESUME_LINE.exec(line);
    try {
      if (resume?.[1]) {
        await resumeInto(resume[1]);
      } else if (REPORT_LINE.test(line)) {
        const report = await service.report(session!.conversationId, { kind: 'token', token: session!.token });
        const files = await writeReportFiles(report, options.reportDir, service.definition.flow.text[service.definition.flow.defaultLocale]?.title ?? 'Assessment');
        output.write(`Your report is saved:\n${files.map((f) => `  ${f}`).join('\n')}\n\n`);
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
          output.write('To continue later: npm run chat -- --resume <code>, or enter the code on the web page.\n');
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
