/**
 * tokenMatches compares in constant time: it hashes the presented token and
 * compares the hashes with crypto.timingSafeEqual (never ===), and any odd
 * input is a plain "no", never an exception.
 */
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { hashToken, newToken, tokenMatches } = await import('../../src/service/secrets.js');
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

afterEach(() => timingSafeEqual.mockClear());

describe('tokenMatches', () => {
  it('says yes to the right token, by a constant-time comparison of the hashes', () => {
    const token = newToken();
    expect(tokenMatches(token, hashToken(token))).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(32);
    expect(b.length).toBe(32);
  });

  it('says no to a wrong token, also through timingSafeEqual (no early exit on the first differing byte)', () => {
    const token = newToken();
    const hash = hashToken(token);
    for (const wrong of [newToken(), `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, token.toUpperCase(), `${token} `]) {
      expect(tokenMatches(wrong, hash)).toBe(false);
    }
    expect(timingSafeEqual).toHaveBeenCalledTimes(4);
  });

  it('says no, without throwing, to a stored hash of the wrong length or not hex', () => {
    const token = newToken();
    for (const stored of ['', 'abc', hashToken(token).slice(0, 62), `${hashToken(token)}00`, 'z'.repeat(64), '🙂'.repeat(32)]) {
      expect(() => tokenMatches(token, stored)).not.toThrow();
      expect(tokenMatches(token, stored)).toBe(false);
    }
  });

  it('says no to empty and odd presented tokens', () => {
    const hash = hashToken(newToken());
    for (const presented of ['', ' ', '\u0000', '🙂', 'x'.repeat(10_000)]) expect(tokenMatches(presented, hash)).toBe(false);
  });
});
