/** The words of the coordinator's overview page (public/admin.html), kept out of its logic. */
const en = {
  loading: 'Loading…',
  counts: '{started} started, {finished} finished (started: someone gave at least one answer).',
  unreadable: '{count} could not be read (see the server log).',
  minimum: 'Counts below {min} are hidden, with as many others as needed so that none can be worked out from the total.',
  tooFew: 'Only {finished} of the {min} finished assessments needed so far: the distribution and the export are shown once {min} have finished, so that no one can be singled out.',
  allHidden: '{title}: every stage has fewer than {min} assessments, so all of them are hidden (together {hidden} of {finished}).',
  fewerThan: 'fewer than {min}',
  hiddenCell: 'hidden',
  hiddenShare: 'hidden (fewer than {min} each): {count}',
  chart: 'Share of the {finished} finished assessments per stage, per theme and overall. {rows}',
  chartRow: '{title}: {parts}',
  overall: 'Overall',
  stage_early: 'Early',
  stage_intermediate: 'Intermediate',
  stage_advanced: 'Advanced',
  stage_undecided: 'Not enough answers',
  stage_hidden: 'Hidden',
  requestFailed: 'Request failed ({status})',
};

export type AdminStrings = typeof en;
const tables: Record<string, AdminStrings> = { en };
export const adminStrings = (locale: string | undefined): AdminStrings => (locale && tables[locale.slice(0, 2)]) || en;
export const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
