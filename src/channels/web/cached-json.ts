/**
 * JSON that changes only with a deployment (the widget's words and
 * introduction), built once per key and kept with its brotli and gzip
 * copies and an ETag, so that a page view costs neither the building nor
 * the compressing, and sends a few hundred bytes instead of several
 * kilobytes (the widget's first question waits on them).
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

interface Encoded {
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
  etag: string;
}

export class CachedJson {
  private readonly entries = new Map<string, Encoded>();

  /** `maxEntries` bounds the memory: keys come from a closed set (the locales offered), so it is never reached in practice. */
  constructor(private readonly maxAgeSeconds: number, private readonly maxEntries = 64) {}

  /** Answers with the JSON of `build()` for `key`, built and compressed the first time it is asked for. */
  send(req: Request, res: Response, key: string, build: () => unknown): void {
    let entry = this.entries.get(key);
    if (!entry) {
      const identity = Buffer.from(JSON.stringify(build()));
      entry = {
        identity,
        br: brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
        gzip: gzipSync(identity, { level: 9 }),
        etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
      };
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, entry);
    }
    res.vary('Accept-Encoding');
    res.setHeader('Cache-Control', `public, max-age=${this.maxAgeSeconds}`);
    res.setHeader('ETag', entry.etag);
    res.type('application/json');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const encoding = req.acceptsEncodings(['br', 'gzip', 'identity']);
    if (encoding === 'br' || encoding === 'gzip') res.setHeader('Content-Encoding', encoding);
    res.send(encoding === 'br' ? entry.br : encoding === 'gzip' ? entry.gzip : entry.identity);
  }
}
