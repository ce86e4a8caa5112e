/**
 * Which finished respondents enter the group picture now, and how they are
 * counted: the privacy rule of a group round (README, "Running a group
 * assessment"). Pure.
 *
 * A respondent who did not choose to show their answers enters the
 * picture only in a block of at least `minGroupSize` such respondents, and
 * the block's counts are kept as they were then (ReleasedBlock). Every
 * number shown is a sum of whole blocks (and of the answers people chose to
 * show), so comparing any two pictures, exports or breakdowns, taken at any
 * two times, reveals at most what a whole block said together, never one
 * person. A perspective is shown apart once a block of its own forms;
 * finished respondents of perspectives too small for one are pooled into
 * a block of the merged perspectives once there are enough of them.
 */
import { addCounts, countOf, emptyCounts, type LevelCounts } from '../../core/scoring/group.js';
import type { Perspective, ReleasedBlock } from '../../store/group-record.js';
import type { Member } from './load-members.js';

/** Finished respondents whose answers count only with others', not yet in any block, in the order they finished. */
export function waitingMembers(members: readonly Member[], blocks: readonly ReleasedBlock[]): Member[] {
  const released = new Set(blocks.flatMap((b) => b.members));
  return members
    .filter((m) => m.status === 'finished' && !m.membership.shareAnswers && !released.has(m.id))
    .sort((a, b) => ((a.finishedAt ?? '') < (b.finishedAt ?? '') ? -1 : (a.finishedAt ?? '') > (b.finishedAt ?? '') ? 1 : a.id < b.id ? -1 : 1));
}

/** The counts of several respondents, per characteristic id. */
export function countsOfMembers(members: readonly Member[], characteristicIds: readonly string[]): Record<string, LevelCounts> {
  const out: Record<string, LevelCounts> = {};
  for (const id of characteristicIds) {
    let counts = emptyCounts();
    for (const m of members) counts = addCounts(counts, countOf(m.views.get(id) ?? { level: null, answered: false }));
    out[id] = counts;
  }
  return out;
}

/**
 * The blocks to release now: every perspective with at least `minGroupSize`
 * waiting respondents gets one block of all of them; the respondents left
 * waiting in the other perspectives form one merged block once there are at
 * least `minGroupSize` of them together.
 */
export function planRelease(params: {
  members: readonly Member[];
  blocks: readonly ReleasedBlock[];
  perspectives: readonly Perspective[];
  minGroupSize: number;
  characteristicIds: readonly string[];
  at: string;
}): ReleasedBlock[] {
  const k = Math.max(1, params.minGroupSize);
  const waiting = waitingMembers(params.members, params.blocks);
  const block = (perspective: string | null, members: Member[]): ReleasedBlock => ({
    releasedAt: params.at,
    perspective,
    perspectives: params.perspectives.map((p) => p.id).filter((id) => members.some((m) => m.membership.perspective === id)),
    members: members.map((m) => m.id),
    counts: countsOfMembers(members, params.characteristicIds),
  });
  const out: ReleasedBlock[] = [];
  const rest: Member[] = [];
  const known = new Set(params.perspectives.map((p) => p.id));
  for (const perspective of params.perspectives) {
    const own = waiting.filter((m) => m.membership.perspective === perspective.id);
    if (own.length >= k) out.push(block(perspective.id, own));
    else rest.push(...own);
  }
  // A perspective the round no longer lists (it was renamed away) can only be counted among the merged.
  rest.push(...waiting.filter((m) => !known.has(m.membership.perspective)));
  if (rest.length >= k) out.push(block(null, rest.sort((a, b) => waiting.indexOf(a) - waiting.indexOf(b))));
  return out;
}

/** Everyone in the picture, counted: every released block and the finished respondents who show their answers. */
export function countsInPicture(blocks: readonly ReleasedBlock[], members: readonly Member[], characteristicIds: readonly string[]): Map<string, LevelCounts> {
  const sharers = members.filter((m) => m.status === 'finished' && m.membership.shareAnswers);
  const shown = countsOfMembers(sharers, characteristicIds);
  const out = new Map<string, LevelCounts>();
  for (const id of characteristicIds) {
    let counts = shown[id] ?? emptyCounts();
    for (const b of blocks) {
      const stored = b.counts[id];
      if (stored) counts = addCounts(counts, stored);
    }
    out.set(id, counts);
  }
  return out;
}
