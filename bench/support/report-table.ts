import type { Latency } from './measure.ts';

/** What every suite's report is made of: tables for `run.ts` to print, and the number formats. */

/** A table for the runner to print: a title, notes under it, a header and rows of cells. */
export interface ReportTable {
  readonly title: string;
  readonly notes: readonly string[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** `value` with exactly `digits` decimals and thousands separators; `–` for none, NaN or ∞. */
export const fmt = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value)
    ? '–'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** As `fmt`, with a `+` before a positive value (a difference). */
export const signed = (value: number, digits: number): string =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${fmt(value, digits)}` : '–';

/** The headers of `latencyCells`. */
export const LATENCY_HEADER = ['p50 ms', 'p99 ms', 'max ms'] as const;

/** The cells p50 ms, p99 ms, max ms. */
export const latencyCells = (latency: Latency): string[] => [
  fmt(latency.p50Ms, 1),
  fmt(latency.p99Ms, 1),
  fmt(latency.maxMs, 0),
];

/** The headers of `deliveryCells`. */
export const DELIVERY_HEADER = ['acked %', 'snap/s', 'missed %'] as const;

/** The cells acked %, snapshots/s, missed % of a game-traffic window. */
export const deliveryCells = (window: {
  readonly ackedPercent: number;
  readonly snapshotsPerSec: number;
  readonly missedPercent: number;
}): string[] => [fmt(window.ackedPercent, 2), fmt(window.snapshotsPerSec, 1), fmt(window.missedPercent, 2)];

/** The headers of `fanoutCells`. */
export const FANOUT_HEADER = ['offered %', 'deliv/s', 'loss %', 'p50 ms', 'p99 ms', 'srv CPU %'] as const;

/** The cells offered %, deliv/s, loss %, p50 ms, p99 ms, srv CPU % of a fan-out run. */
export const fanoutCells = (run: {
  readonly offeredPercent: number;
  readonly deliveredPerSec: number;
  readonly lossPercent: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly serverCpuPercent: number;
}): string[] => [
  fmt(run.offeredPercent, 1),
  fmt(run.deliveredPerSec, 0),
  fmt(run.lossPercent, 2),
  fmt(run.latencyP50Ms, 2),
  fmt(run.latencyP99Ms, 2),
  fmt(run.serverCpuPercent, 1),
];
