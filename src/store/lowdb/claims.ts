/**
 * claimOnce for the lowdb store: one small file per claimed key under
 * claims/, named by the key's hash and created exclusively (link, never
 * replace), so of two racing claims exactly one creates it. An expired claim
 * is taken over by rewriting its file under the in-process lock; like the
 * rest of the lowdb store this is exact within one instance only.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GovError, isGovError } from '../../errors.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import { checkClaim, sha256Hex } from '../record.js';
import { DurableJsonFile, isTempFileName } from './durable-json-file.js';

const ClaimEntry = z.strictObject({ key: z.string(), expiresAt: z.number() });
type ClaimEntry = z.infer<typeof ClaimEntry>;

/** Expired claim files are swept after this many claims (and at open). */
const CLAIMS_PER_SWEEP = 500;

export class ClaimFolder {
  private claimsSinceSweep = 0;

  constructor(
    private readonly folder: string,
    private readonly locks: KeyedMutex,
    private readonly now: () => number = Date.now,
  ) {}

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    checkClaim(key, ttlMs);
    const name = sha256Hex(key);
    const claimed = await this.locks.runExclusive(`${this.folder}\u0000claim\u0000${name}`, async () => {
      const file = this.file(name);
      const entry: ClaimEntry = { key, expiresAt: this.now() + ttlMs };
      if (await file.create(entry)) return true;
      const current = await file.read().catch((error: unknown) => {
        // A damaged claim file claims nothing: take it over.
        if (isGovError(error) && error.kind === 'UNRESTORABLE') return null;
        throw error;
      });
      if (current && current.key === key && current.expiresAt > this.now()) return false;
      await file.write(entry);
      return true;
    });
    if (++this.claimsSinceSweep >= CLAIMS_PER_SWEEP) {
      this.claimsSinceSweep = 0;
      await this.sweep().catch(() => {
        // Best effort: a leftover expired claim is harmless and the next sweep retries.
      });
    }
    return claimed;
  }

  /** Removes expired claim files. */
  async sweep(): Promise<void> {
    for await (const entry of await opendir(this.folder)) {
      if (isTempFileName(entry.name) || !entry.name.endsWith('.json')) continue;
      const name = entry.name.slice(0, -'.json'.length);
      await this.locks.runExclusive(`${this.folder}\u0000claim\u0000${name}`, async () => {
        const file = this.file(name);
        const current = await file.read().catch(() => null);
        if (!current || current.expiresAt <= this.now()) await file.remove();
      });
    }
  }

  private file(name: string): DurableJsonFile<ClaimEntry> {
    return new DurableJsonFile<ClaimEntry>(join(this.folder, `${name}.json`), {
      label: 'claim',
      parse: (value) => {
        const parsed = ClaimEntry.safeParse(value);
        if (!parsed.success) throw new GovError('UNRESTORABLE', 'Stored claim is damaged');
        return parsed.data;
      },
    });
  }
}
