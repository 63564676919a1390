import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { median } from './measure.ts';
import type { ReportTable } from './report-table.ts';

/**
 * "No regressions": each suite's headline figures of this run against the last run that has the
 * suite (the newest earlier JSON in bench/results/ run with the same settings) and against the
 * committed baseline (bench/baseline.json, refreshed with `--save-baseline`). A figure worse than
 * its reference by more than the run-to-run noise is called out.
 *
 * Noise, per figure: the larger of (a) its stated tolerance, derived from repeated runs on the
 * bench machine (see each definition and bench/README.md), and (b) the spread (max − min) of the
 * figure over the repeated rounds of this run and of the reference run, where the suite repeats
 * it (fan-out rounds, abuse rounds, cluster fan-out rounds).
 */

export type Better = 'higher' | 'lower';

export interface Figure {
  /** Stable across runs: the reference's figure is found by it. */
  readonly key: string;
  readonly unit: string;
  readonly better: Better;
  readonly value: number;
  /** The figure in each repeated round of the same run, when the suite repeats it. */
  readonly rounds?: readonly number[];
}

/** A stated tolerance: the larger of `relative` × |reference| and `absolute` (in the figure's unit). */
interface Tolerance {
  readonly relative: number;
  readonly absolute: number;
}

interface Defined extends Figure {
  readonly tolerance: Tolerance;
}

export type Verdict = 'WORSE' | 'better' | '≈' | 'new' | '–';

export interface FigureComparison {
  readonly key: string;
  readonly unit: string;
  readonly better: Better;
  readonly value: number;
  readonly last: number | undefined;
  readonly baseline: number | undefined;
  /** ± in the figure's unit, against the last run (the baseline's is computed the same way). */
  readonly noise: number;
  readonly noiseSource: 'stated' | 'rounds';
  /** The same against the baseline (its value and rounds differ from the last run's). */
  readonly baselineNoise: number;
  readonly vsLast: Verdict;
  readonly vsBaseline: Verdict;
}

export interface SuiteComparison {
  readonly suite: string;
  /** The settings figures are only comparable under (quick or full, and so on). */
  readonly scope: string;
  readonly lastRun: string | undefined;
  readonly baselineRun: string | undefined;
  /**
   * The most other work (whole-machine CPU not used by the suite's processes, % of one core) any
   * window of this run, the last run and the baseline saw; undefined where the suite does not measure it.
   */
  readonly otherCpu: { readonly run?: number; readonly last?: number; readonly baseline?: number };
  readonly figures: readonly FigureComparison[];
  /** Why there is nothing to compare, when there is not. */
  readonly note?: string;
}

interface BaselineFile {
  readonly note: string;
  readonly suites: Record<
    string,
    {
      readonly startedAt: string;
      readonly savedAt: string;
      readonly scope: string;
      readonly machine: unknown;
      readonly otherCpuPercent?: number;
      readonly figures: Figure[];
    }
  >;
}

type Options = Readonly<Record<string, unknown>>;
type Extractor = (data: unknown, options: Options) => Defined[];

/** Looks up `path` (dot-separated, numbers index arrays) in parsed JSON; undefined when absent. */
function at(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
function num(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
const lower = (
  key: string,
  unit: string,
  value: number,
  tolerance: Tolerance,
  rounds?: readonly number[],
): Defined => ({ key, unit, better: 'lower', value, tolerance, ...(rounds && rounds.length > 1 ? { rounds } : {}) });
const higher = (
  key: string,
  unit: string,
  value: number,
  tolerance: Tolerance,
  rounds?: readonly number[],
): Defined => ({ key, unit, better: 'higher', value, tolerance, ...(rounds && rounds.length > 1 ? { rounds } : {}) });

/**
 * The headline figures of each suite, with the direction that is better and a stated tolerance:
 * about the largest run-to-run difference seen over repeated runs on the 2-core bench machine
 * (2026-12-03, no other test run sharing it; bench/README.md lists them), rounded up. Only the
 * micro-benchmarks were repeated in full runs as well; for the other suites the quick runs' spread
 * stands for both (full runs measure longer windows, so that is the looser of the two).
 */
const HEADLINES: Readonly<Record<string, Extractor>> = {
  // Quick: 10 runs, (max − min) ÷ max 21–55 % (decodeSnapshot the worst: a quick run times only
  // 8–110 ms of each, so JIT and GC move it); full: 3 runs, 2–7 %.
  micro: (data, options) =>
    list(data).map((m) =>
      higher(String(at(m, 'name')), 'ops/s', num(at(m, 'opsPerSec')), rel(options.quick === true ? 0.6 : 0.1)),
    ),

  // 3 quick repeats: ratio spread 9–10 %, µs/deliv 4–8 %, p99 24–64 % (9 vs 22 ms at 1 msg/s). Rounds add their own.
  fanout: (data) =>
    list(at(data, 'comparisons')).flatMap((c) => {
      const scenario = String(at(c, 'scenario'));
      const ours = list(at(data, 'runs')).filter((r) => at(r, 'scenario') === scenario && at(r, 'server') === 'ours');
      const perRound = (field: string): number[] => ours.map((r) => num(at(r, field)));
      return [
        lower(
          `${scenario}: CPU/deliv ours÷raw`,
          '×',
          num(at(c, 'cpuPerDeliveryRatio')),
          rel(0.12),
          list(at(c, 'cpuPerDeliveryRatioPerRound')).map((r) => num(at(r, 'ratio'))),
        ),
        lower(
          `${scenario}: ours µs/deliv`,
          'µs',
          median(perRound('serverCpuMicrosPerDelivery')),
          rel(0.1),
          perRound('serverCpuMicrosPerDelivery'),
        ),
        lower(
          `${scenario}: ours p99`,
          'ms',
          median(perRound('latencyP99Ms')),
          { relative: 0.75, absolute: 2 },
          perRound('latencyP99Ms'),
        ),
      ];
    }),

  // 3 quick repeats: 96 players each time; floor p99 and p99 at 96 spread 10–11 ms, µs/msg 8 %, peers/s 7 %.
  webrtc: (data) => {
    const step = (players: number): unknown => list(at(data, 'steps')).find((s) => at(s, 'players') === players);
    return [
      higher('max players passing', 'players', num(at(data, 'maxPlayers')), abs(0)),
      lower('floor p99 (16 players)', 'ms', num(at(data, 'floorP99Ms')), abs(15)),
      lower('p99 at 96 players', 'ms', num(at(step(96), 'rttP99Ms')), abs(15)),
      lower('server µs/msg at 96 players', 'µs', num(at(step(96), 'cpuMicrosPerMessage')), rel(0.12)),
      higher('peers connected per second', 'peers/s', num(at(data, 'peersPerSecond')), rel(0.12)),
    ];
  },

  // 3 quick repeats (2,000 sockets): RSS/conn spread 22 %, heap 0.03 %, RSS as running −3.3 to 3.4 KB, join p99 16 %.
  // Later quick runs put RSS/conn at 5.6–8.4 KB with heap per connection unchanged to 0.1 % (a few
  // MB of RSS the allocator keeps or returns decide it at 2,000 sockets), so quick runs allow 50 %.
  connections: (data, options) => [
    lower(
      'RSS per connection (after GC)',
      'KB',
      num(at(data, 'memory.rssKbPerConnection')),
      rel(options.quick === true ? 0.5 : 0.3),
    ),
    lower('heap per connection', 'KB', num(at(data, 'memory.heapKbPerConnection')), rel(0.03)),
    lower('RSS per connection as running', 'KB', num(at(data, 'memory.rssAsRunningKbPerConnection')), abs(8)),
    lower('join p99', 'ms', num(at(data, 'joinP99Ms')), { relative: 0.3, absolute: 5 }),
    higher('sockets alive at the end', 'sockets', num(at(data, 'alive')), abs(0)),
    // Library ÷ raw ratios: ±25 % until repeats measure their spread (both sides move together).
    ...list(at(data, 'library.figures')).map((f) =>
      lower(`library ÷ raw: ${String(at(f, 'name'))}`, '×', num(at(f, 'ratio')), rel(0.25)),
    ),
  ],

  // 3 quick repeats: Δp99 spread 3.4 ms (WebRTC) and 2.3 ms (WebSocket); fan-out 2÷1 ratios 26–29 %;
  // CPU per player 12 % (WORKERS=1) and 4 % (WORKERS=2).
  cluster: (data) => {
    const phase = (transport: string): unknown =>
      list(at(data, 'latency.phases')).find((p) => at(p, 'transport') === transport);
    return [
      lower('WebRTC Δp99 remote − host', 'ms', num(at(phase('webrtc'), 'p99DeltaMs')), abs(5)),
      lower('WebSocket Δp99 remote − host', 'ms', num(at(phase('websocket'), 'p99DeltaMs')), abs(5)),
      ...list(at(data, 'fanout.comparisons')).map((c) =>
        lower(
          `${String(at(c, 'scenario'))}: CPU/deliv 2 nodes÷1`,
          '×',
          num(at(c, 'serverRatio')),
          rel(0.35),
          list(at(c, 'perRound')).map((r) => num(at(r, 'server'))),
        ),
      ),
      ...list(at(data, 'workers')).map((w) =>
        lower(`WORKERS=${num(at(w, 'workers'))} CPU per player`, 'ms/s', num(at(w, 'serverCpuMsPerPlayer')), rel(0.15)),
      ),
    ];
  },

  // 3 quick repeats: p99 quiet and abused spread 1.3–1.4 ms, abused − quiet 1.3 ms, server CPU 1.5 % of a core.
  abuse: (data) => {
    const runs = (condition: string): unknown[] =>
      list(at(data, 'runs')).filter((r) => at(r, 'condition') === condition);
    const field = (condition: string, name: string): number[] => runs(condition).map((r) => num(at(r, name)));
    return [
      lower('players p99, quiet', 'ms', num(at(data, 'quiet.p99Ms')), abs(5), field('quiet', 'p99Ms')),
      lower('players p99, abused', 'ms', num(at(data, 'abused.p99Ms')), abs(5), field('abused', 'p99Ms')),
      lower(
        'players p99, abused − quiet',
        'ms',
        num(at(data, 'p99DeltaMs')),
        abs(5),
        list(at(data, 'p99DeltaPerRoundMs')).map(num),
      ),
      lower(
        'server CPU while abused',
        '% core',
        median(field('abused', 'serverCpuPercent')),
        abs(3),
        field('abused', 'serverCpuPercent'),
      ),
    ];
  },
};

/**
 * The most other work on the machine in any window of a suite's run (% of one core), where the
 * suite measures it: a run that shared the machine is not a fair reference, nor a fair result.
 */
const CONTENTION: Readonly<Record<string, (data: unknown) => number>> = {
  fanout: (data) => maxOf(list(at(data, 'runs')).map((r) => num(at(r, 'otherCpuPercent')))),
  webrtc: (data) => maxOf(list(at(data, 'steps')).map((r) => num(at(r, 'otherCpuPercent')))),
  connections: (data) => num(at(data, 'otherCpuRampPercent')),
  cluster: (data) =>
    maxOf(
      [...list(at(data, 'latency.phases')), ...list(at(data, 'fanout.runs')), ...list(at(data, 'workers'))].map((r) =>
        num(at(r, 'otherCpuPercent')),
      ),
    ),
  abuse: (data) => maxOf(list(at(data, 'runs')).map((r) => num(at(r, 'otherCpuPercent')))),
};
/** Above this much other work (% of one core) a run is marked as having shared the machine. */
const SHARED_OTHER_CPU_PERCENT = 30;

function maxOf(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? Math.max(...finite) : Number.NaN;
}

function contentionOf(suite: string, report: Record<string, unknown>): number | undefined {
  const measure = CONTENTION[suite];
  if (!measure || report[suite] === undefined) return undefined;
  const value = measure(report[suite]);
  return Number.isFinite(value) ? value : undefined;
}

function rel(relative: number): Tolerance {
  return { relative, absolute: 0 };
}
function abs(absolute: number): Tolerance {
  return { relative: 0, absolute };
}

/** The settings a suite's figures depend on: only runs with the same scope are compared. */
export function scopeOf(suite: string, options: Options): string {
  const parts = [options.quick === true ? 'quick' : 'full'];
  if (suite === 'fanout') parts.push(`${String(options.workers ?? 2)} workers`);
  if (suite === 'connections' && options.quick !== true) parts.push(`${String(options.sockets ?? 20000)} sockets`);
  // The default pace (8) keeps the scope of the runs made before the option existed.
  const inFlight = String(options['rtc-in-flight'] ?? '8');
  if (suite === 'webrtc' && inFlight !== '8') parts.push(`${inFlight} in flight`);
  return parts.join(', ');
}

/** Suites of `report` (a results JSON object) with their figures; undefined for a suite without definitions. */
export function figuresOf(suite: string, report: Record<string, unknown>): Defined[] | undefined {
  const extract = HEADLINES[suite];
  if (!extract || report[suite] === undefined) return undefined;
  return extract(report[suite], (report.options ?? {}) as Options);
}

interface Reference {
  readonly run: string;
  readonly figures: readonly Figure[];
  readonly otherCpuPercent: number | undefined;
}

/** The newest results file before `current` with `suite` run in the same scope. */
function lastRun(resultsDir: URL, currentFile: string, suite: string, scope: string): Reference | undefined {
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((name) => name.endsWith('.json') && name !== currentFile);
  } catch {
    return undefined;
  }
  // Timestamped names sort in time order; at most the 200 newest are read.
  for (const name of names.sort().reverse().slice(0, 200)) {
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(readFileSync(new URL(name, resultsDir), 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (report[suite] === undefined || scopeOf(suite, (report.options ?? {}) as Options) !== scope) continue;
    const figures = figuresOf(suite, report);
    if (figures)
      return { run: String(report.startedAt ?? name), figures, otherCpuPercent: contentionOf(suite, report) };
  }
  return undefined;
}

function readBaseline(file: URL): BaselineFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
  } catch {
    return undefined;
  }
}

function range(values: readonly number[] | undefined): number {
  const finite = (values ?? []).filter(Number.isFinite);
  return finite.length > 1 ? Math.max(...finite) - Math.min(...finite) : 0;
}

function noiseOf(figure: Defined, reference: Figure | undefined): { noise: number; source: 'stated' | 'rounds' } {
  const stated = Math.max(
    figure.tolerance.relative * Math.abs(reference?.value ?? figure.value),
    figure.tolerance.absolute,
  );
  const rounds = Math.max(range(figure.rounds), range(reference?.rounds));
  return rounds > stated ? { noise: rounds, source: 'rounds' } : { noise: stated, source: 'stated' };
}

function verdict(figure: Defined, reference: Figure | undefined, noise: number): Verdict {
  if (!reference) return 'new';
  if (!Number.isFinite(figure.value) || !Number.isFinite(reference.value)) return '–';
  const worse = figure.better === 'lower' ? figure.value - reference.value : reference.value - figure.value;
  if (worse > noise) return 'WORSE';
  if (-worse > noise) return 'better';
  return '≈';
}

/** Compares every suite of `report` that ran against its last run and the baseline. */
export function compareWithLast(
  report: Record<string, unknown>,
  suites: readonly string[],
  resultsDir: URL,
  currentFile: string,
  baselineFile: URL,
): SuiteComparison[] {
  const baseline = readBaseline(baselineFile);
  const options = (report.options ?? {}) as Options;
  const comparisons: SuiteComparison[] = [];
  for (const suite of suites) {
    if (report[suite] === undefined) continue;
    const scope = scopeOf(suite, options);
    const figures = figuresOf(suite, report);
    if (!figures) {
      comparisons.push({
        suite,
        scope,
        lastRun: undefined,
        baselineRun: undefined,
        otherCpu: {},
        figures: [],
        note: 'no headline figures are defined for this suite yet (bench/support/vs-last.ts)',
      });
      continue;
    }
    const last = lastRun(resultsDir, currentFile, suite, scope);
    const saved = baseline?.suites[suite];
    const base = saved && saved.scope === scope ? saved : undefined;
    comparisons.push({
      suite,
      scope,
      lastRun: last?.run,
      baselineRun: base?.startedAt,
      otherCpu: {
        ...defined('run', contentionOf(suite, report)),
        ...defined('last', last?.otherCpuPercent),
        ...defined('baseline', base?.otherCpuPercent),
      },
      figures: figures.map((figure) => {
        const lastFigure = last?.figures.find((f) => f.key === figure.key);
        const baseFigure = base?.figures.find((f) => f.key === figure.key);
        const { noise, source } = noiseOf(figure, lastFigure ?? baseFigure);
        const baseNoise = noiseOf(figure, baseFigure).noise;
        return {
          key: figure.key,
          unit: figure.unit,
          better: figure.better,
          value: figure.value,
          last: lastFigure?.value,
          baseline: baseFigure?.value,
          noise,
          noiseSource: source,
          baselineNoise: baseNoise,
          vsLast: verdict(figure, lastFigure, noise),
          vsBaseline: verdict(figure, baseFigure, baseNoise),
        };
      }),
    });
  }
  return comparisons;
}

/** Writes this run's figures of every suite that ran into the baseline file, keeping the other suites'. */
export function saveBaseline(report: Record<string, unknown>, suites: readonly string[], baselineFile: URL): string[] {
  const previous = readBaseline(baselineFile);
  const file: BaselineFile = {
    note:
      'Headline figures per suite, compared by `node bench/run.ts` ("vs last" table); refresh a suite with ' +
      '`node bench/run.ts [--quick] [--only SUITE] --save-baseline` on the bench machine and commit the file.',
    suites: { ...(previous?.suites ?? {}) },
  };
  const saved: string[] = [];
  const options = (report.options ?? {}) as Options;
  for (const suite of suites) {
    const figures = figuresOf(suite, report);
    if (!figures) continue;
    file.suites[suite] = {
      startedAt: String(report.startedAt),
      savedAt: new Date().toISOString(),
      scope: scopeOf(suite, options),
      machine: report.machine,
      ...defined('otherCpuPercent', contentionOf(suite, report)),
      figures: figures.map(({ tolerance: _tolerance, ...figure }) => figure),
    };
    saved.push(suite);
  }
  writeFileSync(baselineFile, `${JSON.stringify(file, null, 2)}\n`);
  return saved;
}

function defined<K extends string>(key: K, value: number | undefined): { [k in K]?: number } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]?: number });
}

const short = (value: number | undefined): string => {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
const delta = (value: number, reference: number | undefined): string => {
  if (reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference)) return '';
  const d = value - reference;
  const percent = reference !== 0 ? ` (${d >= 0 ? '+' : ''}${((100 * d) / Math.abs(reference)).toFixed(1)} %)` : '';
  return `${d >= 0 ? '+' : ''}${short(d)}${percent}`;
};

/** One table per suite: this run, the last run and the baseline, with the noise and a verdict each. */
export function vsLastTables(comparisons: readonly SuiteComparison[]): ReportTable[] {
  return comparisons.map((c) => ({
    title: `${c.suite} vs last (${c.scope}): last run ${c.lastRun ?? 'none'}; baseline ${c.baselineRun ?? 'none'}`,
    notes: c.note
      ? [c.note]
      : [
          'noise: ± the larger of the stated tolerance (from repeated runs) and the spread of this run’s and the',
          'reference’s rounds; WORSE = worse than the reference by more than that.',
          ...contentionNote(c.otherCpu),
        ],
    header: [
      'figure',
      'better',
      'this',
      'last',
      'Δ vs last',
      'baseline',
      'Δ vs baseline',
      'noise ± last / base',
      'vs last',
      'vs base',
    ],
    rows: c.figures.map((f) => [
      f.key,
      f.better,
      `${short(f.value)} ${f.unit}`,
      short(f.last),
      delta(f.value, f.last),
      short(f.baseline),
      delta(f.value, f.baseline),
      `${short(f.noise)}${f.baseline === undefined ? '' : ` / ${short(f.baselineNoise)}`} (${f.noiseSource})`,
      f.vsLast,
      f.vsBaseline,
    ]),
  }));
}

/** Says how much other work each run had, and which of them shared the machine. */
function contentionNote(other: SuiteComparison['otherCpu']): string[] {
  const parts = (['run', 'last', 'baseline'] as const)
    .filter((which) => other[which] !== undefined)
    .map((which) => {
      const value = other[which] as number;
      const name = which === 'run' ? 'this run' : which === 'last' ? 'last run' : 'baseline';
      return `${name} ${value.toFixed(0)} %${value > SHARED_OTHER_CPU_PERCENT ? ' (SHARED machine)' : ''}`;
    });
  if (parts.length === 0) return [];
  return [
    `Other work on the machine, most in any window (% of a core): ${parts.join(', ')}. Above ${SHARED_OTHER_CPU_PERCENT} %, a verdict says more about the machine than the code.`,
  ];
}

/** One line per reference: the figures worse than it by more than the noise, or that none are. */
export function vsLastSummary(comparisons: readonly SuiteComparison[]): string[] {
  const shared = (value: number | undefined): boolean => value !== undefined && value > SHARED_OTHER_CPU_PERCENT;
  const worse = (pick: (f: FigureComparison) => Verdict, reference: 'last' | 'baseline'): string[] =>
    comparisons.flatMap((c) => {
      const caveat =
        shared(c.otherCpu.run) || shared(c.otherCpu[reference]) ? ' (a shared machine in one of the two runs)' : '';
      return c.figures.filter((f) => pick(f) === 'WORSE').map((f) => `${c.suite}: ${f.key}${caveat}`);
    });
  const lastWorse = worse((f) => f.vsLast, 'last');
  const baseWorse = worse((f) => f.vsBaseline, 'baseline');
  const compared = comparisons.some((c) => c.lastRun !== undefined);
  const based = comparisons.some((c) => c.baselineRun !== undefined);
  return [
    !compared
      ? 'vs last: no earlier run with these suites and settings in bench/results/.'
      : lastWorse.length > 0
        ? `vs last: ${lastWorse.length} figure(s) WORSE than the last run by more than the noise: ${lastWorse.join('; ')}`
        : 'vs last: no figure worse than the last run by more than the noise.',
    !based
      ? 'vs baseline: no baseline for these suites and settings (bench/baseline.json; --save-baseline writes it).'
      : baseWorse.length > 0
        ? `vs baseline: ${baseWorse.length} figure(s) WORSE than the baseline by more than the noise: ${baseWorse.join('; ')}`
        : 'vs baseline: no figure worse than the baseline by more than the noise.',
  ];
}
