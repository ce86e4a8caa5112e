/** Helpers for the operations tests: free ports, waiting for a server, process trees. */
import { execFileSync } from 'node:child_process';

export { freePort } from '../helpers/server.js';

/** Polls GET url until it answers 2xx, or throws after `ms` (or when `gone()` says the process died). */
export async function waitForOk(url: string, ms: number, gone: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    const why = gone();
    if (why !== undefined) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The direct children of a process: pid and command line. */
export function childrenOf(pid: number): { pid: number; args: string }[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] as string }));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
}
