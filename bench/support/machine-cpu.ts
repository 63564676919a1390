import { readFileSync } from 'node:fs';

/** Whole-machine CPU counters from /proc/stat (Linux); undefined elsewhere. */
export interface MachineCpu {
  /** Ticks spent busy: user, nice, system, irq, softirq, steal. */
  readonly busy: number;
  /** All ticks, idle and iowait included. */
  readonly total: number;
}

export function readMachineCpu(): MachineCpu | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Busy CPU between two readings, as % of one core (200 = two cores fully busy). */
export function machineBusyPercent(before: MachineCpu, after: MachineCpu, cores: number): number {
  const total = after.total - before.total;
  if (total <= 0) return Number.NaN;
  return (100 * cores * (after.busy - before.busy)) / total;
}
