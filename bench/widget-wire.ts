/**
 * What the widget costs on the wire: every request the embedding page's one
 * script tag makes the browser send before the first question shows (the
 * loader, the bundle it loads, the stylesheet the bundle loads, the widget's
 * words and the introduction), fetched from a running server as a browser
 * offering `br, gzip` gets them, summed as the bytes of the (compressed)
 * bodies received.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../test/helpers/server.js';
import { keepAliveAgent, send } from './http.js';

export interface WireBytes {
  total: number;
  parts: { path: string; encoding: string; bytes: number }[];
}

export async function widgetWireBytes(url: string, locale = 'en'): Promise<WireBytes> {
  // The hashed names the loader and the bundle point at, as the build recorded them.
  const info = JSON.parse(await readFile(path.join(ROOT, 'dist/build-info.json'), 'utf8')) as { widget?: { loader?: string; js?: string; css?: string } };
  const { loader, js, css } = info.widget ?? {};
  if (!loader || !js || !css) throw new Error('dist/build-info.json names no widget files: run `npm run build`');
  const paths = [`/${loader}`, `/${js}`, `/${css}`, `/api/widget-words?prefer=${locale}`, `/api/introduction?locale=${locale}`];
  const agent = keepAliveAgent(4);
  try {
    const parts: WireBytes['parts'] = [];
    for (const p of paths) {
      const reply = await send(agent, url + p, { headers: { 'accept-encoding': 'br, gzip', accept: '*/*' } });
      if (reply.status !== 200) throw new Error(`GET ${p} answered ${reply.status}`);
      parts.push({ path: p, encoding: String(reply.headers['content-encoding'] ?? 'identity'), bytes: reply.wireBytes });
    }
    // The loader must point at the bundle measured, or the sum is of the wrong files.
    const loaderText = (await send(agent, `${url}/${loader}`)).body;
    if (!loaderText.includes(js)) throw new Error(`the served ${loader} does not load ${js}: dist/build-info.json is stale`);
    return { total: parts.reduce((sum, p) => sum + p.bytes, 0), parts };
  } finally {
    agent.destroy();
  }
}
