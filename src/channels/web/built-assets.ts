/**
 * Serves the built web assets (dist/public, from scripts/build-widget.ts):
 * the precompressed brotli or gzip copy the client accepts (negotiated on
 * Accept-Encoding, with Vary), never compressing per request. Every file has
 * a stable name (widget.js, which the embed's script tag points at, admin.js,
 * group.js), so each is cached only briefly in production and then
 * revalidated by ETag: a new build reaches every page within minutes. The
 * widget is one file under its stable name rather than a loader of a
 * content-hashed bundle cached for a year: the loader cost a serial round trip
 * before the first question on every first load, and after its 5 minutes it
 * needed the same conditional request widget.js needs now.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler } from 'express';

/** How long a stable name may be used without asking again, in production (seconds). */
export const STABLE_MAX_AGE = 300;

const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(js|css)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const ENCODINGS = [
  { token: 'br', ext: '.br' },
  { token: 'gzip', ext: '.gz' },
] as const;

const isFile = (file: string) => stat(file).then((s) => s.isFile(), () => false);

export function builtAssets(dir: string, options: { production: boolean }): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    const ext = NAME.exec(name)?.[1];
    if (!ext) return next();
    const file = path.join(dir, name);
    if (!(await isFile(file))) return next();
    // Only encodings that exist for this file are offered; the client's preference (q-values) decides among them.
    const present = await Promise.all(ENCODINGS.map(async (e) => ((await isFile(file + e.ext)) ? e : undefined)));
    const offered = present.filter((e) => e !== undefined);
    const chosen = req.acceptsEncodings([...offered.map((e) => e.token), 'identity']);
    const encoding = offered.find((e) => e.token === chosen);
    res.vary('Accept-Encoding');
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', options.production ? `public, max-age=${STABLE_MAX_AGE}` : 'no-cache');
    if (encoding) res.setHeader('Content-Encoding', encoding.token);
    // send() answers conditional requests (ETag per file, so per encoding) and HEAD; it keeps the Content-Type set above.
    res.sendFile(encoding ? file + encoding.ext : file, { cacheControl: false, dotfiles: 'deny' }, (error) => {
      if (error) next(error);
    });
  };
}
