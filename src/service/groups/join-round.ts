/**
 * Joining a round: what a respondent chose (perspective, optionally name
 * and unit, what to share), checked against the round, and the welcome
 * that opens their conversation. Every channel (web, terminal, Slack, and
 * later Teams) joins through GroupService.join with these.
 */
import { textsFor, type AssessmentDefinition } from '../../core/definition.js';
import type { Message } from '../../core/messages.js';
import { GovError } from '../../errors.js';
import type { GroupRoundRecord } from '../../store/group-record.js';
import type { GroupMembership } from '../../store/types.js';

export interface JoinChoices {
  perspective: string;
  name?: string | undefined;
  unit?: string | undefined;
  shareNotes: boolean;
  shareAnswers: boolean;
}

/** Longest name and unit a respondent may give. */
export const MAX_NAME = 80;

export function membershipFor(round: GroupRoundRecord, choices: JoinChoices, at: string): GroupMembership {
  if (!round.perspectives.some((p) => p.id === choices.perspective)) {
    throw new GovError('BAD_INPUT', `Choose one of the round's perspectives: ${round.perspectives.map((p) => `${p.id} (${p.label})`).join(', ')}.`, { field: 'perspective' }, { say: { key: 'choosePerspective' } });
  }
  const name = choices.name?.trim();
  const unit = choices.unit?.trim();
  for (const [field, value] of [['name', name], ['unit', unit]] as const) {
    if (value && value.length > MAX_NAME) throw new GovError('BAD_INPUT', `The ${field} can be at most ${MAX_NAME} characters.`, { field }, { say: { key: field === 'name' ? 'nameTooLong' : 'unitTooLong', values: { max: MAX_NAME } } });
  }
  return {
    roundId: round.id,
    perspective: choices.perspective,
    ...(name ? { name } : {}),
    ...(unit ? { unit } : {}),
    shareNotes: choices.shareNotes,
    shareAnswers: choices.shareAnswers,
    joinedAt: at,
  };
}

/** The round's welcome: what it is, from which perspective the person answers, and what is shared. */
export function welcomeFor(definition: AssessmentDefinition, round: GroupRoundRecord, membership: GroupMembership, minGroupSize: number, locale: string | undefined): Message[] {
  const texts = textsFor(definition, locale && definition.flow.locales.includes(locale) ? locale : round.locale);
  const perspective = round.perspectives.find((p) => p.id === membership.perspective)?.label ?? membership.perspective;
  const unitOption = definition.flow.unit.options.find((o) => o.id === round.assessing.unit);
  const assessing = round.assessing.name || (unitOption ? texts.pick(unitOption.label) : texts.unitNoun(null));
  const lines = [
    // Without a kind of organisation, the round's members are asked it, as anyone is.
    round.assessing.unit !== null && unitOption
      ? texts.t('groupWelcome', { round: round.name, perspective, assessing, unit: texts.unitNoun(round.assessing.unit) })
      : texts.t('groupWelcomeAskUnit', { round: round.name, perspective, assessing }),
    membership.shareAnswers ? texts.t('groupSharesAnswers') : texts.t('groupKeepsAnswers', { min: minGroupSize }),
    membership.shareNotes ? texts.t('groupSharesNotes') : texts.t('groupKeepsNotes'),
  ];
  return [{ kind: 'text', tone: 'help', text: lines.join('\n') }];
}
