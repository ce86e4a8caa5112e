/**
 * The group-round API's request and response shapes (zod): requests are
 * validated with these at the boundary, and the OpenAPI document is
 * generated from them.
 */
import { z } from 'zod';
import { GROUP_ROUND_ID } from '../../store/group-record.js';
import { StartedBody, safeText } from './schemas.js';

const Kebab = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a kebab-case id (a-z, 0-9, dashes)').max(40);
const Locale = z.string().regex(/^[a-z]{2}(?:-[A-Z]{2})?$/, 'must be a locale like en or fr-CA');
const When = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time, e.g. 2025-06-30T17:00:00Z' });

export const RoundId = z.string().regex(GROUP_ROUND_ID, 'is not a group round id');
export const CharacteristicId = Kebab;

const Assessing = z.strictObject({
  name: safeText().max(160).default('').describe('what is assessed, in your words (e.g. "Ministry of Health")'),
  unit: Kebab.nullable().default(null).describe("the kind of organisation: an option of the flow's opening question (national, ministry, subnational, other); its members skip that question"),
});
const Perspectives = z
  .array(z.strictObject({ id: Kebab.optional(), label: safeText().trim().min(1).max(80) }))
  .min(1)
  .max(12)
  .describe('the perspectives respondents answer from; without them, the actors the OECD text names');

export const CreateRoundBody = z.strictObject({
  name: safeText().trim().min(1).max(120),
  assessing: Assessing.default({ name: '', unit: null }),
  closesAt: When.nullable().default(null).describe('after this, no one can join; null: open until closed'),
  perspectives: Perspectives.optional(),
  respondentsSeePicture: z.boolean().default(false).describe('respondents may see the group picture once they finish'),
  locale: Locale.optional(),
});

export const SettingsBody = z
  .strictObject({
    name: safeText().trim().min(1).max(120).optional(),
    assessing: Assessing.optional(),
    closesAt: When.nullable().optional(),
    perspectives: Perspectives.optional(),
    respondentsSeePicture: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'send at least one setting to change' });

export const InvitationLookupBody = z.strictObject({ code: safeText().min(1).max(40) });

export const JoinBody = z.strictObject({
  code: safeText().min(1).max(40),
  perspective: Kebab,
  name: safeText().trim().max(80).optional().describe('only if the respondent wants to be named'),
  unit: safeText().trim().max(80).optional().describe("the respondent's own unit or organisation, only if they want to say"),
  shareNotes: z.boolean().describe('their notes may be shown in the group picture and report'),
  shareAnswers: z.boolean().describe('their answers may be shown one by one (with their name, if given); otherwise they count only in groups of at least MIN_GROUP_SIZE'),
  locale: Locale.optional(),
});

export const ConsensusBody = z.strictObject({
  characteristicId: CharacteristicId,
  standing: z.enum(['met', 'partial', 'unmet', 'unknown']).describe('the agreed answer, in terms of moving on: met (for an early-stage characteristic: left behind), partial, unmet, unknown (agreed not to know)'),
  rationale: safeText().trim().min(1).max(2000),
});

const LinkBody = z.object({ path: z.string(), url: z.string().optional() });

export const RoundCreatedBody = z.object({
  roundId: z.string(),
  coordinatorToken: z.string().describe('the bearer token of every coordinator call; shown once'),
  coordinatorLink: LinkBody.describe('the coordinator page, with the token in its fragment (never sent to a server)'),
  invitation: LinkBody.extend({ code: z.string() }),
});

export const RoundViewBody = z.object({
  roundId: z.string(),
  revision: z.number().int(),
  name: z.string(),
  assessing: z.object({ name: z.string(), unit: z.string().nullable() }),
  createdAt: z.string(),
  closesAt: z.string().nullable(),
  closed: z.boolean(),
  perspectives: z.array(z.object({ id: z.string(), label: z.string() })),
  respondentsSeePicture: z.boolean(),
  previousRoundId: z.string().nullable(),
  invitation: LinkBody.extend({ code: z.string() }),
  reportLink: z.object({ active: z.boolean(), expiresAt: z.string().nullable() }),
});

export const CoordinatorLinkBody = z.object({ coordinatorToken: z.string(), coordinatorLink: LinkBody });

export const InvitationInfoBody = z.object({
  name: z.string(),
  assessing: z.object({ name: z.string(), unit: z.string().nullable(), unitLabel: z.string().nullable() }),
  perspectives: z.array(z.object({ id: z.string(), label: z.string() })),
  closesAt: z.string().nullable(),
  minGroupSize: z.number().int(),
});

export const MembershipBody = z.object({ roundName: z.string(), perspective: z.string(), pictureShared: z.boolean() });

export const JoinedBody = StartedBody;
