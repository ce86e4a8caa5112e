/**
 * A new group round: its settings checked, its defaults filled in (the
 * perspectives the OECD text names as actors), and its secrets made. The
 * coordinator's token and the invitation code are returned once; the
 * record holds only their hashes (and the code sealed under the token).
 */
import { textsFor, type AssessmentDefinition } from '../../core/definition.js';
import { GovError } from '../../errors.js';
import { GROUP_ROUND_RECORD_VERSION, type GroupRoundRecord, type Perspective } from '../../store/group-record.js';

/** The coordinator and channel of a round made in a chat channel (Slack). */
export type ChatCoordinator = NonNullable<GroupRoundRecord['chat']>;
import { hashInvitationCode, hashToken, newInvitationCode, newRoundId, newToken, sealInvitation } from './round-secrets.js';

/** The OECD's actors (Principle 2's "multi-actor context"), the default perspectives of a round. */
export const DEFAULT_PERSPECTIVES = ['central', 'subnational', 'civil-society', 'private-sector', 'academia'] as const;
export const MAX_PERSPECTIVES = 12;

export interface RoundSettings {
  name: string;
  assessing: { name: string; unit: string | null };
  closesAt: string | null;
  /** Labels (ids are made from them when not given). */
  perspectives?: { id?: string | undefined; label: string }[] | undefined;
  respondentsSeePicture: boolean;
}

const slug = (label: string) =>
  label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');

/** Perspectives with ids: given ones kept, others made from the label; unique ids and labels. */
export function perspectivesFrom(definition: AssessmentDefinition, locale: string, given: RoundSettings['perspectives']): Perspective[] {
  const texts = textsFor(definition, locale);
  if (given === undefined) return DEFAULT_PERSPECTIVES.map((id) => ({ id, label: texts.t(`perspective.${id}`) }));
  if (given.length === 0 || given.length > MAX_PERSPECTIVES) throw new GovError('BAD_INPUT', `A round needs 1 to ${MAX_PERSPECTIVES} perspectives.`, { field: 'perspectives' });
  const out: Perspective[] = [];
  for (const p of given) {
    const label = p.label.trim();
    const base = p.id ?? (slug(label) || 'perspective');
    let id = base;
    for (let n = 2; out.some((o) => o.id === id); n++) id = `${base.slice(0, 36)}-${n}`;
    if (out.some((o) => o.label.toLowerCase() === label.toLowerCase())) throw new GovError('BAD_INPUT', `The perspective "${label}" is listed twice.`, { field: 'perspectives' });
    out.push({ id, label });
  }
  return out;
}

export function checkSettings(definition: AssessmentDefinition, settings: Pick<RoundSettings, 'assessing' | 'closesAt'>, now: Date): void {
  if (settings.assessing.unit !== null && !definition.flow.unit.options.some((o) => o.id === settings.assessing.unit)) {
    throw new GovError('BAD_INPUT', `"${settings.assessing.unit}" is not a kind of organisation this assessment knows (${definition.flow.unit.options.map((o) => o.id).join(', ')}).`, { field: 'assessing.unit' });
  }
  if (settings.closesAt !== null && Date.parse(settings.closesAt) <= now.getTime()) throw new GovError('BAD_INPUT', 'The closing date must be in the future.', { field: 'closesAt' });
}

export function newRound(params: { definition: AssessmentDefinition; settings: RoundSettings; locale: string | undefined; now: Date; previousRoundId?: string | undefined; chat?: ChatCoordinator | undefined }): {
  round: GroupRoundRecord;
  coordinatorToken: string;
  invitationCode: string;
} {
  const { definition, settings, now } = params;
  const locale = params.locale && definition.flow.locales.includes(params.locale) ? params.locale : definition.flow.defaultLocale;
  checkSettings(definition, settings, now);
  const at = now.toISOString();
  const id = newRoundId();
  const coordinatorToken = newToken();
  const invitationCode = newInvitationCode();
  const round: GroupRoundRecord = {
    recordVersion: GROUP_ROUND_RECORD_VERSION,
    id,
    revision: 0,
    createdAt: at,
    updatedAt: at,
    locale,
    flow: { id: definition.flow.id, version: definition.flow.version },
    name: settings.name.trim(),
    assessing: { name: settings.assessing.name.trim(), unit: settings.assessing.unit },
    closesAt: settings.closesAt === null ? null : new Date(settings.closesAt).toISOString(),
    perspectives: perspectivesFrom(definition, locale, settings.perspectives),
    respondentsSeePicture: settings.respondentsSeePicture,
    coordinator: { hash: hashToken(coordinatorToken), createdAt: at, revokedAt: null },
    invitation: { hash: hashInvitationCode(invitationCode), createdAt: at, sealed: sealInvitation(invitationCode, coordinatorToken, id) },
    blocks: [],
    consensus: {},
    ...(params.previousRoundId ? { previousRoundId: params.previousRoundId } : {}),
    ...(params.chat ? { chat: params.chat } : {}),
  };
  return { round, coordinatorToken, invitationCode };
}
