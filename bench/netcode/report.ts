import { describeNetworkConditions } from '@starcatch/shared';
import { fmt, type ReportTable } from '../support/report-table.ts';
import { DATA_CHANNEL_OVERHEAD_BYTES } from './rate-costs.ts';
import { CONDITIONS, type NetcodeCell, type NetcodeResult, SNAPSHOT_RATES, TRANSPORTS } from './suite.ts';

const TRANSPORT_NAMES = { webrtc: 'DataChannel', websocket: 'WebSocket' } as const;

/** The issue's table (conditions × transport and snapshot rate), a detail table, and the rates' cost. */
export function netcodeTables(result: NetcodeResult): ReportTable[] {
  const columns = SNAPSHOT_RATES.flatMap((snapshotHz) => TRANSPORTS.map((transport) => ({ snapshotHz, transport })));
  const cellOf = (row: number, column: { snapshotHz: number; transport: string }): NetcodeCell | undefined =>
    result.cells.find(
      (cell) =>
        cell.conditions === CONDITIONS[row] &&
        cell.snapshotHz === column.snapshotHz &&
        cell.transport === column.transport,
    );
  const summary = (cell: NetcodeCell | undefined): string =>
    !cell || cell.error
      ? 'failed'
      : `${fmt(cell.inputAckP50Ms, 0)} / ${fmt(cell.viewDelayP50Ms, 0)} / ${fmt(cell.correctionP95Units, 1)} / ` +
        `${fmt(cell.remoteJumpMaxUnits, 1)} / ${fmt(cell.remoteJerkP95 / 1000, 0)}k / ${fmt(cell.bytesInPerSec + cell.bytesOutPerSec, 0)}`;
  return [
    {
      title: 'Netcode under simulated networks (two headless bots running client/src/game, 30 Hz ticks)',
      notes: [
        'Each cell: input→ack p50 ms / remote view delay p50 ms / correction p95 units / remote jump max units /',
        'remote jerk p95 (u/s³) / bytes/s per player (down + up; WebSocket counts Phoenix frames, DataChannel messages).',
        'Rows: round trip ± jitter, loss per direction, simulated in each bot (client/src/net/impaired-link.ts model).',
      ],
      header: ['conditions', ...columns.map((c) => `${TRANSPORT_NAMES[c.transport]} @${c.snapshotHz} Hz`)],
      rows: CONDITIONS.map((conditions, row) => [
        describeNetworkConditions(conditions),
        ...columns.map((column) => summary(cellOf(row, column))),
      ]),
    },
    {
      title: 'Netcode detail per cell',
      notes: [
        'view delay: key press in one bot → the other drawing that ship move (samples in brackets).',
        'redund: earlier inputs repeated in each INPUT; the rows with 0 are the same cells with input redundancy off.',
      ],
      header: [
        'conditions',
        'path',
        'snap Hz',
        'redund',
        'net rtt',
        'in→ack',
        'view p50',
        'view max',
        'interp ms',
        'dry/min',
        'corr/min',
        'corr p95',
        'corr max',
        'jump max',
        'jerk p95',
        'missing %',
        'B/s down',
        'B/s up',
        'srv CPU %',
        'other CPU %',
      ],
      rows: [...result.cells, ...result.withoutRedundancy].map((cell) => [
        describeNetworkConditions(cell.conditions),
        TRANSPORT_NAMES[cell.transport],
        String(cell.snapshotHz),
        String(cell.inputRedundancy),
        fmt(cell.networkRttMs, 0),
        fmt(cell.inputAckP50Ms, 0),
        `${fmt(cell.viewDelayP50Ms, 0)} (${cell.viewDelaySamples})`,
        fmt(cell.viewDelayMaxMs, 0),
        fmt(cell.interpolationDelayMs, 0),
        fmt(cell.dryRunsPerMinute, 1),
        fmt(cell.correctionsPerMinute, 1),
        fmt(cell.correctionP95Units, 1),
        fmt(cell.correctionMaxUnits, 1),
        fmt(cell.remoteJumpMaxUnits, 1),
        `${fmt(cell.remoteJerkP95 / 1000, 0)}k`,
        fmt(cell.snapshotsMissingPercent, 1),
        fmt(cell.bytesInPerSec, 0),
        fmt(cell.bytesOutPerSec, 0),
        cell.error ? `error: ${cell.error.slice(0, 60)}` : fmt(cell.serverCpuPercent, 1),
        fmt(cell.otherCpuPercent, 0),
      ]),
    },
    {
      title: 'Tick and snapshot rates: CPU and bytes per room of 8',
      notes: [
        'sim: the simulation alone (step, snapshot encoding and copies) per second of play, in-process. server: the',
        'production server with 8 unimpaired bots in one room, whole process CPU (% of one core), and bytes/s per player',
        `as the bots counted them. Payload alone: snapshots and 15-byte inputs; on a DataChannel each message also costs`,
        `~${DATA_CHANNEL_OVERHEAD_BYTES} B of DTLS/SCTP/UDP/IP ("wire").`,
      ],
      header: [
        'tick/snap Hz',
        'sim µs/room-s',
        'DC srv CPU %',
        'DC B/s down+up',
        'WS srv CPU %',
        'WS B/s down+up',
        'bench CPU %',
        'payload down',
        'payload up',
        'DC wire down',
        'DC wire up',
      ],
      rows: result.rateCosts.map((cost) => {
        const on = (transport: 'webrtc' | 'websocket') => cost.server.find((run) => run.transport === transport);
        const cpu = (transport: 'webrtc' | 'websocket'): string => {
          const run = on(transport);
          return run?.error ? `error: ${run.error.slice(0, 40)}` : fmt(run?.serverCpuPercent, 1);
        };
        const traffic = (transport: 'webrtc' | 'websocket'): string => {
          const run = on(transport);
          return run ? `${fmt(run.bytesInPerSec, 0)}+${fmt(run.bytesOutPerSec, 0)}` : '–';
        };
        return [
          `${cost.rates.tickHz}/${cost.rates.snapshotHz}`,
          fmt(cost.cpuMicrosPerRoomSecond, 0),
          cpu('webrtc'),
          traffic('webrtc'),
          cpu('websocket'),
          traffic('websocket'),
          fmt(Math.max(...cost.server.map((run) => run.benchCpuPercent)), 0),
          fmt(cost.downBytesPerSec, 0),
          fmt(cost.upBytesPerSec, 0),
          fmt(cost.downWireBytesPerSec, 0),
          fmt(cost.upWireBytesPerSec, 0),
        ];
      }),
    },
  ];
}

/** One line per finding worth reading first. */
export function netcodeSummary(result: NetcodeResult): string[] {
  const failed = result.cells.filter((cell) => cell.error);
  const lines = failed.map((cell) => `netcode cell failed (${cell.transport}, ${cell.snapshotHz} Hz): ${cell.error}`);
  const worst = [...result.cells]
    .filter((cell) => !cell.error)
    .sort((a, b) => b.remoteJumpMaxUnits - a.remoteJumpMaxUnits)[0];
  if (worst) {
    lines.push(
      `netcode: largest remote jump ${fmt(worst.remoteJumpMaxUnits, 1)} units (${TRANSPORT_NAMES[worst.transport]} @${worst.snapshotHz} Hz, ${describeNetworkConditions(worst.conditions)})`,
    );
  }
  return lines;
}
