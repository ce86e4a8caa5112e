/**
 * Recording the consensus of a workshop: the agreed answer to one
 * characteristic (in terms of moving on), a short rationale, and the spread
 * the group saw when it agreed, so that the report can always show the
 * initial disagreement beside the agreement. Pure.
 */
import type { AssessmentDefinition } from '../../core/definition.js';
import { emptyCounts, levelOfStanding, type Standing } from '../../core/scoring/group.js';
import { GovError } from '../../errors.js';
import type { GroupRoundRecord } from '../../store/group-record.js';
import type { Member } from './load-members.js';
import { countsInPicture } from './release-blocks.js';

export interface ConsensusEntry {
  characteristicId: string;
  standing: Standing;
  rationale: string;
}

/** The entry, checked against the assessment: a characteristic it has, and a rationale that says something. */
export function checkConsensus(definition: AssessmentDefinition, entry: ConsensusEntry): ConsensusEntry {
  if (!definition.characteristics.has(entry.characteristicId)) throw new GovError('BAD_INPUT', `"${entry.characteristicId}" is not a characteristic of this assessment.`, { field: 'characteristicId' });
  const rationale = entry.rationale.trim();
  if (!rationale) throw new GovError('BAD_INPUT', 'Say briefly why the group agreed this answer.', { field: 'rationale' });
  return { ...entry, rationale };
}

/** The round with the agreed answer recorded (replacing an earlier one), against the picture as released in it. */
export function withConsensus(definition: AssessmentDefinition, round: GroupRoundRecord, entry: ConsensusEntry, members: readonly Member[], at: string): GroupRoundRecord {
  const characteristic = definition.characteristics.get(entry.characteristicId);
  if (!characteristic) throw new GovError('BAD_INPUT', `"${entry.characteristicId}" is not a characteristic of this assessment.`, { field: 'characteristicId' });
  const basis = countsInPicture(round.blocks, members, [entry.characteristicId]).get(entry.characteristicId) ?? emptyCounts();
  const level = levelOfStanding(characteristic, entry.standing);
  return { ...round, consensus: { ...round.consensus, [entry.characteristicId]: { level: level ?? 'unknown', rationale: entry.rationale, recordedAt: at, basis } } };
}

export function withoutConsensus(round: GroupRoundRecord, characteristicId: string): GroupRoundRecord {
  if (!Object.hasOwn(round.consensus, characteristicId)) return round;
  const { [characteristicId]: _removed, ...rest } = round.consensus;
  return { ...round, consensus: rest };
}
