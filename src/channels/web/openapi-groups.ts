/**
 * The group-round part of the OpenAPI document (openapi.ts spreads these
 * paths and names these schemas): generated from the same zod schemas that
 * validate the requests (group-schemas.ts) and shape the report.
 */
import type { z } from 'zod';
import { GroupReport, Spread, Stages, StageView, Standing } from '../../reports/group-report.js';
import * as g from './group-schemas.js';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const errorsOf = (codes: Record<string, string>) => Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content: json('Error') }]));
const PUBLIC: never[] = [];
const coordinator = [{ coordinatorToken: [] }];
const LIMITED = 'Rate limited (see Retry-After)';
const WRONG = 'Missing or wrong coordinator token, revoked access, or no such round (not told apart)';
const roundParam = { name: 'id', in: 'path', required: true, description: 'The group round id (g_…).', schema: { type: 'string', pattern: '^g_[A-Za-z0-9_-]{10,64}$' } };
const conversationParam = { name: 'id', in: 'path', required: true, description: 'The conversation id (c_…).', schema: { type: 'string', pattern: '^c_[A-Za-z0-9_-]{10,64}$' } };
const linkParams = [roundParam, { name: 'token', in: 'path', required: true, description: "The report link's secret part.", schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } }];
const downloads = { 'application/json': { schema: ref('GroupReport') }, 'text/markdown': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } };

/** Response and request schemas to name under components.schemas. */
export const GROUP_OUTPUTS: [z.ZodType, string][] = [
  [g.RoundCreatedBody, 'RoundCreated'],
  [g.RoundViewBody, 'RoundView'],
  [g.CoordinatorLinkBody, 'CoordinatorLink'],
  [g.InvitationInfoBody, 'InvitationInfo'],
  [g.MembershipBody, 'GroupMembership'],
  [GroupReport, 'GroupReport'],
  // Parts the report uses many times, named once.
  [Stages, 'GroupStages'],
  [StageView, 'GroupStage'],
  [Spread, 'GroupSpread'],
  [Standing, 'Standing'],
];
export const GROUP_INPUTS: [z.ZodType, string][] = [
  [g.CreateRoundBody, 'CreateRoundRequest'],
  [g.SettingsBody, 'RoundSettingsRequest'],
  [g.InvitationLookupBody, 'InvitationLookupRequest'],
  [g.JoinBody, 'JoinRoundRequest'],
  [g.ConsensusBody, 'ConsensusRequest'],
];

const coordinatorOp = (operationId: string, summary: string, ok: Record<string, unknown>, extra: Record<string, unknown> = {}, errors: Record<string, string> = {}) => ({
  operationId,
  tags: ['groups'],
  summary,
  security: coordinator,
  parameters: [roundParam],
  ...extra,
  responses: { ...ok, ...errorsOf({ '400': 'Bad input', '401': WRONG, '429': LIMITED, ...errors }) },
});

export function groupPaths() {
  return {
    '/api/groups': {
      post: {
        operationId: 'createGroupRound',
        tags: ['groups'],
        summary: 'Create a group round: the coordinator gets a capability link and an invitation link and code',
        security: PUBLIC,
        requestBody: { required: true, content: json('CreateRoundRequest') },
        responses: { '201': { description: 'Created: keep coordinatorToken, it is shown once', content: json('RoundCreated') }, ...errorsOf({ '400': 'Bad input', '403': 'Origin not allowed', '429': LIMITED }) },
      },
    },
    '/api/groups/invitation': {
      post: {
        operationId: 'lookUpInvitation',
        tags: ['groups'],
        summary: 'What a respondent needs to join: the round, its perspectives and the privacy rule',
        security: PUBLIC,
        requestBody: { required: true, content: json('InvitationLookupRequest') },
        responses: { '200': { description: 'The round', content: json('InvitationInfo') }, ...errorsOf({ '400': 'Bad input', '404': 'Unknown code', '410': 'The round is closed', '429': 'Too many attempts (see Retry-After)' }) },
      },
    },
    '/api/groups/join': {
      post: {
        operationId: 'joinGroupRound',
        tags: ['groups'],
        summary: "Join a round: starts the respondent's own conversation (the same as POST /api/conversations answers)",
        security: PUBLIC,
        requestBody: { required: true, content: json('JoinRoundRequest') },
        responses: { '201': { description: 'Joined: keep resumeToken, it is the bearer token of the conversation', content: json('Started') }, ...errorsOf({ '400': 'Bad input or unknown perspective', '404': 'Unknown code', '410': 'The round is closed', '429': 'Too many attempts (see Retry-After)' }) },
      },
    },
    '/api/groups/{id}': {
      get: coordinatorOp('getGroupRound', 'The round: settings, invitation link and code, report link state', { '200': { description: 'The round', content: json('RoundView') } }),
    },
    '/api/groups/{id}/settings': {
      post: coordinatorOp('changeGroupRound', 'Change the name, what is assessed, the closing date, the perspectives (those respondents joined as stay) or whether respondents see the picture', { '200': { description: 'The round', content: json('RoundView') } }, { requestBody: { required: true, content: json('RoundSettingsRequest') } }, { '409': 'A perspective respondents joined as would be removed' }),
    },
    '/api/groups/{id}/close': {
      post: coordinatorOp('closeGroupRound', 'Close joining now (those who joined can still finish)', { '200': { description: 'The round', content: json('RoundView') } }),
    },
    '/api/groups/{id}/reopen': {
      post: coordinatorOp('reopenGroupRound', 'Open joining again', { '200': { description: 'The round', content: json('RoundView') } }),
    },
    '/api/groups/{id}/invitation': {
      post: coordinatorOp('replaceInvitation', 'A new invitation code (the old one stops working; those who joined carry on)', { '200': { description: 'The round, with the new code', content: json('RoundView') } }),
    },
    '/api/groups/{id}/coordinator-link': {
      post: coordinatorOp('rotateCoordinatorLink', 'A new coordinator token and link (the old ones stop working)', { '200': { description: 'The new link', content: json('CoordinatorLink') } }),
      delete: coordinatorOp('revokeCoordinatorLink', 'End coordinator access for good (joining closes; the round and its report link stay)', { '204': { description: 'Revoked' } }),
    },
    '/api/groups/{id}/follow-up': {
      post: coordinatorOp('createFollowUpRound', 'The next round of the same group (same settings); its report shows what changed since this one', { '201': { description: 'Created', content: json('RoundCreated') } }),
    },
    '/api/groups/{id}/picture': {
      get: coordinatorOp('getGroupPicture', 'The group picture and report: progress, spread, stages, consensus (answers enter it only in groups of at least MIN_GROUP_SIZE)', { '200': { description: 'The group report', content: json('GroupReport') } }),
    },
    '/api/groups/{id}/report.{format}': {
      get: {
        ...coordinatorOp('downloadGroupReport', 'The group report as a download: Markdown, JSON or CSV (the same picture as the page)', { '200': { description: 'The report (Content-Disposition: attachment); the CSV starts with a UTF-8 byte-order mark', content: downloads } }),
        parameters: [roundParam, { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: ['md', 'json', 'csv'] } }],
      },
    },
    '/api/groups/{id}/consensus': {
      post: coordinatorOp('recordConsensus', 'Record the agreed answer to one characteristic, with a rationale (replaces an earlier one)', { '200': { description: 'The group report', content: json('GroupReport') } }, { requestBody: { required: true, content: json('ConsensusRequest') } }),
    },
    '/api/groups/{id}/consensus/{characteristicId}': {
      delete: {
        ...coordinatorOp('clearConsensus', 'Remove the agreed answer to one characteristic', { '200': { description: 'The group report', content: json('GroupReport') } }),
        parameters: [roundParam, { name: 'characteristicId', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' } }],
      },
    },
    '/api/groups/{id}/report-link': {
      post: coordinatorOp('issueGroupReportLink', 'A read-only link to the group report to hand out (replaces the previous link)', { '201': { description: 'The link', content: json('ReportLink') } }),
      delete: coordinatorOp('revokeGroupReportLink', 'Revoke the report link', { '204': { description: 'Revoked' } }),
    },
    '/api/conversations/{id}/group': {
      get: {
        operationId: 'getConversationGroup',
        tags: ['groups'],
        summary: 'The group round a conversation belongs to, and whether the respondent may see its picture',
        parameters: [conversationParam],
        responses: { '200': { description: 'The round', content: json('GroupMembership') }, ...errorsOf({ '400': 'Bad id', '401': 'Missing or wrong token, or unknown conversation', '404': 'Not part of a group round', '429': LIMITED }) },
      },
    },
    '/api/conversations/{id}/group-report': {
      get: {
        operationId: 'getGroupReportForRespondent',
        tags: ['groups'],
        summary: 'The group report, for a respondent who finished, when the coordinator lets respondents see it',
        parameters: [conversationParam],
        responses: { '200': { description: 'The group report', content: json('GroupReport') }, ...errorsOf({ '400': 'Bad id', '401': 'Missing or wrong token, or unknown conversation', '403': 'Not shared with respondents, or not finished yet', '404': 'Not part of a group round', '429': LIMITED }) },
      },
    },
    '/api/group-report-schema.json': {
      get: {
        operationId: 'getGroupReportSchema',
        tags: ['groups'],
        summary: 'JSON Schema of the JSON group report',
        security: PUBLIC,
        responses: { '200': { description: 'A JSON Schema (draft 2020-12)', content: { 'application/json': { schema: { type: 'object' } } } }, ...errorsOf({ '429': LIMITED }) },
      },
    },
    '/group-reports/{id}/{token}': {
      get: {
        operationId: 'getGroupReportPage',
        tags: ['groups'],
        summary: 'The group report page behind a handed-out link (the link itself is the credential)',
        security: PUBLIC,
        parameters: linkParams,
        responses: { '200': { description: 'The report page', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorsOf({ '400': 'Not a report link', '404': 'Unknown or revoked link', '410': 'Expired link', '429': LIMITED }) },
      },
    },
    '/group-reports/{id}/{token}/{file}': {
      get: {
        operationId: 'downloadGroupReportByLink',
        tags: ['groups'],
        summary: 'A download behind a handed-out link',
        security: PUBLIC,
        parameters: [...linkParams, { name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['group-report.md', 'group-report.json', 'group-report.csv'] } }],
        responses: { '200': { description: 'The download', content: downloads }, ...errorsOf({ '400': 'Unknown file', '404': 'Unknown or revoked link', '410': 'Expired link', '429': LIMITED }) },
      },
    },
  };
}
