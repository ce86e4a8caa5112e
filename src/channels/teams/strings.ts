/**
 * Teams' own interface words (help, status, confirmations, errors).
 * Everything about the assessment itself (questions, answers, results)
 * comes from the core, already localised.
 */
const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

const en = {
  questionOf: 'Question {index} of {total}',
  answered: '{answered} of {total} answered',
  currentAnswer: 'Current answer: **{label}**',
  currentNote: 'Note: {note}',
  change: 'Change',
  reviewNote: 'Note: {note}',
  overall: 'Overall stage: {stage}',
  themeStage: '{title}: {stage}',
  suggestion: '{index}. [{stage}] {text}',
  resumeHeading: 'Resume code: **{code}**',
  resumeValid: 'Valid until {until} UTC.',
  resumeWhere: 'It works here (type `resume {code}`), on the web (Resume with a code), in Slack (`/assess resume {code}`) and in the terminal (`npm run chat -- --resume {code}`).',
  resumeOnWeb: 'Continue on the web',
  continueNow: 'Continue now',
  youChose: '✔ You chose: **{label}**',
  outdated: 'This card is out of date: the conversation had moved on, so its buttons were removed.',
  continuing: 'Continuing.',
  fullReport: 'Full report on the web',
  reportLink: 'Your full report (with exports and, for a re-assessment, what changed): {url}. Anyone with this link can open it until {until}; asking for a new link turns this one off.',
  reportPath: 'Your full report is at {path} on the Govstage server (valid until {until}).',
  noAssessment: 'You have no assessment yet. Type **start** to begin.',
  noResult: 'There is no result yet. You have answered {answered} of {total} questions. Type **start** to continue.',
  statusFinished: 'Your assessment is finished: overall stage **{stage}**.',
  statusAt: 'You are at question {index} of {total} ({answered} answered).',
  statusAnswered: 'You have answered {answered} of {total} questions.',
  statusLatest: 'Latest result: **{stage}**.',
  codeInvalid: 'That resume code is not valid. Check it (it looks like 7K2QF-M9XCD) and try again.',
  codeExpired: 'That resume code has expired. Ask for a new one where you saved it, or type **start** to begin a new assessment.',
  gone: 'That assessment no longer exists or is not yours (it may have been deleted). Type **start** to begin your own.',
  forgetAsk: 'Delete all your Govstage assessments, with their answers and notes? This cannot be undone. Messages in this Teams chat are kept by Teams; delete them in Teams if you wish.',
  forgetYes: 'Yes, delete everything',
  forgetNo: 'No, keep them',
  forgetNothing: 'You have no Govstage assessments stored. Nothing to delete.',
  forgetDone: 'Done: {count} deleted from Govstage. Type **start** whenever you want to begin again.',
  forgetOne: 'one assessment was',
  forgetMany: '{count} assessments were',
  forgetKept: 'Nothing was deleted.',
  notYours: 'This card was shown to someone else; type forget-me to get your own.',
  tooLong: 'That message is too long for me (at most {limit} characters). Put a long note in a document and send its link with "note".',
  failed: 'Something went wrong on our side, so your last action may not have been taken into account. Please try again in a moment.',
  welcomeBack: 'Welcome back to Govstage.',
  channelWelcome: 'Hello! I am Govstage, the OECD Digital Government self-assessment (Principle 2: engagement and participation). Mention me with **start** to begin your own assessment in a thread here, or write to me in a personal chat: your answers are yours alone either way.',
  help: [
    '**Govstage**: the OECD Digital Government self-assessment (Principle 2: engagement and participation).',
    '- **start**: start, or continue where you left off',
    '- **resume CODE**: continue here an assessment begun on the web, in Slack or in the terminal',
    '- **status**: where you are, and a resume code for the web, Slack or the terminal',
    '- **report**: show your latest result',
    '- **forget-me**: delete all your assessments',
    '- **help**: this help',
    'Answer with the buttons or by typing (yes, partly, 2, not sure, why, back, restart…). In a channel, mention me first.',
  ].join('\n'),
} as const;

export type TeamsText = keyof typeof en;

export function t(key: TeamsText, values: Record<string, string | number> = {}): string {
  return fill(en[key], values);
}
