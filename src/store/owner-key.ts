/**
 * The one encoding of an owner that both stores index by. Unambiguous
 * ("ab"+"c" and "a"+"bc" differ) and led by the kind, so a Slack team and
 * a Teams tenant with the same ids can never collide. The Slack encoding is
 * the one stored since the first release: changing it would orphan every
 * indexed conversation, so new owner kinds only add cases.
 */
import type { Owner } from './types.js';

export function ownerKey(owner: Owner): string {
  switch (owner.kind) {
    case 'slack':
      return JSON.stringify([owner.kind, owner.teamId, owner.userId]);
    case 'teams':
      return JSON.stringify([owner.kind, owner.tenantId, owner.userId]);
  }
}

export function sameOwner(a: Owner | null, b: Owner | null): boolean {
  if (a === null || b === null) return a === b;
  return ownerKey(a) === ownerKey(b);
}
