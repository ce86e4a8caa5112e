/**
 * What the widget costs on the wire: every request the embedding page's one
 * script tag makes the browser send before the first question shows (the
 * widget itself, stylesheet inside, and its words, which bring the
 * introduction), fetched from a running server as a browser offering
 * `br, gzip` gets them, summed as the bytes of the (compressed) bodies
 * received.
 */
import { keepAliveAgent, send } from './http.js';

export interface WireBytes {
  total: number;
  parts: { path: string; encoding: string; bytes: number }[];
}

/** The widget names nothing else to load before the first question; if it did, the sum would miss it. */
const OTHER_ASSET = /widget\.[0-9a-f]{10}\.(js|css)|widget\.css/;

export async function widgetWireBytes(url: string, locale = 'en'): Promise<WireBytes> {
  const paths = ['/widget.js', `/api/widget-words?prefer=${locale}`];
  const agent = keepAliveAgent(4);
  try {
    const parts: WireBytes['parts'] = [];
    for (const p of paths) {
      const reply = await send(agent, url + p, { headers: { 'accept-encoding': 'br, gzip', accept: '*/*' } });
      if (reply.status !== 200) throw new Error(`GET ${p} answered ${reply.status}`);
      parts.push({ path: p, encoding: String(reply.headers['content-encoding'] ?? 'identity'), bytes: reply.wireBytes });
    }
    const widget = (await send(agent, `${url}/widget.js`)).body;
    const other = OTHER_ASSET.exec(widget)?.[0];
    if (other) throw new Error(`the served widget.js loads ${other}, which this sum leaves out`);
    return { total: parts.reduce((sum, p) => sum + p.bytes, 0), parts };
  } finally {
    agent.destroy();
  }
}
