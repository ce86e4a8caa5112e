/** What Linux says about a process of ours: resident memory and CPU time, from /proc. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Resident set of the process alone (VmRSS), in MB. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((kb / 1024) * 10) / 10;
}

let ticksPerSecond: { value: number; assumed: boolean } | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`); 100, Linux's value on every common platform, when getconf is missing. */
export function clockTicks(): { value: number; assumed: boolean } {
  if (ticksPerSecond) return ticksPerSecond;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isInteger(value) && value > 0 ? { value, assumed: false } : { value: 100, assumed: true };
  } catch {
    ticksPerSecond = { value: 100, assumed: true };
  }
  return ticksPerSecond;
}

/** User plus system CPU time the process has used so far, in ms (fields 14 and 15 of /proc/<pid>/stat). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return ((utime + stime) * 1000) / clockTicks().value;
}
