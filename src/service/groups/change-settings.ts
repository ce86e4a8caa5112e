/**
 * Changing a round's settings (pure): its name, what it assesses, its
 * closing date, whether respondents see the picture, and its perspectives,
 * of which those respondents joined as must stay (they may be renamed).
 */
import type { AssessmentDefinition } from '../../core/definition.js';
import { GovError } from '../../errors.js';
import type { GroupRoundRecord } from '../../store/group-record.js';
import { checkSettings, perspectivesFrom } from './create-round.js';

export interface SettingsChange {
  name?: string;
  assessing?: { name: string; unit: string | null };
  closesAt?: string | null;
  perspectives?: { id?: string | undefined; label: string }[];
  respondentsSeePicture?: boolean;
}

export function withSettings(definition: AssessmentDefinition, round: GroupRoundRecord, change: SettingsChange, usedPerspectives: ReadonlySet<string>, now: Date): GroupRoundRecord {
  const assessing = change.assessing ? { name: change.assessing.name.trim(), unit: change.assessing.unit } : round.assessing;
  const closesAt = change.closesAt === undefined ? round.closesAt : change.closesAt === null ? null : new Date(change.closesAt).toISOString();
  if (change.assessing || (change.closesAt !== undefined && change.closesAt !== null)) checkSettings(definition, { assessing, closesAt }, now);
  let perspectives = round.perspectives;
  if (change.perspectives) {
    perspectives = perspectivesFrom(definition, round.locale, change.perspectives);
    const dropped = [...usedPerspectives].filter((id) => !perspectives.some((p) => p.id === id));
    if (dropped.length > 0) throw new GovError('CONFLICT', `Respondents have joined as ${dropped.map((id) => round.perspectives.find((p) => p.id === id)?.label ?? id).join(', ')}: keep those perspectives (rename them if you like).`);
  }
  return {
    ...round,
    ...(change.name !== undefined ? { name: change.name.trim() } : {}),
    assessing,
    closesAt,
    perspectives,
    ...(change.respondentsSeePicture !== undefined ? { respondentsSeePicture: change.respondentsSeePicture } : {}),
  };
}
