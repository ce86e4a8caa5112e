/**
 * The widget's own interface words. Everything about the assessment itself
 * (questions, answers, results) comes from the server, already localised.
 */
const en = {
  title: 'OECD Digital Government self-assessment',
  open: 'Open the self-assessment',
  close: 'Close',
  log: 'Conversation',
  you: 'You said:',
  reply: 'Your reply',
  send: 'Send',
  sending: 'Sending…',
  notSent: '(not sent)',
  questionOf: 'Question {index} of {total}',
  more: 'More options',
  current: 'Your current answer: {answer}',
  note: 'Note: {note}',
  change: 'Change',
  changeHidden: ' the answer to question {n}',
  contradictions: 'Answers that pull in different directions',
  overall: 'Overall stage',
  stage: 'Stage: {stage}',
  chart: 'Stage per theme. {list}',
  basis: 'Based on your answers',
  codeHeading: 'Your resume code',
  codeValid: 'Valid until {date}.',
  codeHow: 'To continue later, on this or another device, open this page, choose “Resume with a code” and enter the code.',
  codeLink: 'Or use this link:',
  codeShown: 'A resume code was shown here.',
  resumeOpen: 'Resume with a code',
  resumeLabel: 'Resume code',
  resumeGo: 'Resume',
  save: 'Get a code to continue later',
  startNew: 'Start a new assessment',
  retry: 'Try again',
  resumed: 'Your saved assessment is open again.',
  whereYouLeft: 'Here is where you left off.',
  network: 'Sorry, the assessment service could not be reached. Nothing you typed is lost: please check your connection and try again.',
  server: 'Sorry, something went wrong on our side. Your answers so far are saved: please try again.',
  lost: 'This assessment was continued somewhere else, or its access has expired. Enter a resume code to continue it, or start a new assessment.',
  badCode: 'That resume code is not valid. Check it and try again.',
  expiredCode: 'That resume code has expired. Start a new assessment, or ask for a new code where you saved it.',
  tooMany: 'Too many attempts. Please wait a minute and try again.',
  emptyReply: 'Type a reply first, or pick one of the buttons.',
  reportHeading: 'Your full report',
  reportLink: 'Get a link to the full report',
  reportOpen: 'Open the full report (new tab)',
  reportValid: 'Anyone with this link can read the report until {date}. It is printable (print to PDF).',
  download: 'Download:',
  md: 'Markdown',
  json: 'JSON',
  csv: 'CSV of answers',
};

export type Strings = typeof en;
const tables: Record<string, Strings> = { en };

export const stringsFor = (locale: string | undefined): Strings => (locale && tables[locale.slice(0, 2)]) || en;
