import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process and UDP figures from /proc (Linux). They need nothing from the measured process, so they
 * work on the production server as it ships, and even when it has no descriptor left to answer.
 */

/** What Linux says about one process. */
export interface ProcStats {
  /** User + system CPU time, µs, cumulative. */
  readonly cpuMicros: number;
  /** Resident set size now, and its peak (VmHWM), bytes. */
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** Open file descriptors (every socket is one). */
  readonly openFds: number;
}

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The process's figures, or undefined when it has gone (or /proc is missing). */
export function readProcStats(pid: number): ProcStats | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime) sit at 11 and 12 once pid and comm are cut off.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      cpuMicros: (ticks * 1e6) / CLOCK_TICKS_PER_SECOND,
      rssBytes: statusKib(status, 'VmRSS') * 1024,
      peakRssBytes: statusKib(status, 'VmHWM') * 1024,
      openFds: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return undefined;
  }
}

function statusKib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** CPU used between two readings as % of one core over `ms`. */
export function cpuPercent(before: ProcStats | undefined, after: ProcStats | undefined, ms: number): number {
  if (!before || !after || ms <= 0) return Number.NaN;
  return (after.cpuMicros - before.cpuMicros) / (ms * 10);
}

/** The soft `Max open files` limit of a process (from /proc/<pid>/limits); NaN when unreadable. */
export function readOpenFilesLimit(pid: number): number {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** UDP datagrams dropped because a socket's receive buffer was full (this network namespace). */
export function udpReceiveBufferErrors(): number {
  let text: string;
  try {
    text = readFileSync('/proc/net/snmp', 'utf8');
  } catch {
    return Number.NaN;
  }
  const [header, values] = text.split('\n').filter((line) => line.startsWith('Udp:'));
  if (!header || !values) return Number.NaN;
  const at = header.split(/\s+/).indexOf('RcvbufErrors');
  return at < 0 ? Number.NaN : Number(values.split(/\s+/)[at]);
}

/** The kernel's default and largest UDP receive buffers, bytes. */
export function receiveBufferSizes(): { readonly defaultBytes: number; readonly maxBytes: number } {
  const read = (name: string): number => {
    try {
      return Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
    } catch {
      return Number.NaN;
    }
  };
  return { defaultBytes: read('rmem_default'), maxBytes: read('rmem_max') };
}
