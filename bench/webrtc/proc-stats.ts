import { readFileSync } from 'node:fs';

/**
 * Process and UDP counters from /proc (Linux): they need nothing from the measured process, so
 * they work for the production server as it ships.
 */

/** `sysconf(_SC_CLK_TCK)`: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU of a process so far, µs (10 ms resolution). NaN once it is gone. */
export function processCpuMicros(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // The command name may hold spaces; the fields after its closing parenthesis do not.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process, bytes; NaN once it is gone. */
export function processRssBytes(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : Number.NaN;
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
