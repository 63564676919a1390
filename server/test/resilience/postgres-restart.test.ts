/**
 * PostgreSQL restarted during play (`pg_ctl restart -m fast`, which ends every session with
 * "terminating connection due to administrator command") under a real server process: the process
 * stays up, every player keeps getting snapshots at the usual pace, no socket closes, chat sends in
 * the gap are answered `storage_unavailable` (never a timeout, never `storage_failed`) and chat
 * resumes once PostgreSQL is back, with no restart of the server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPath, ChatEvent, Direction, ErrorCode, Topic } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, ClientSockets, join as joinChannel, push, watchSocket } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { findPostgresBin, type PostgresServer, startPostgresServer } from '../support/postgres-server.ts';
import { ensureGone, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const postgresBin = findPostgresBin();
const PLAYERS = 3;
/** A snapshot goes out every 50 ms (20 Hz); a restart must not stall them. */
const SNAPSHOT_GAP_LIMIT_MS = 400;
const CHAT_BACK_TIMEOUT_MS = 15_000;

describe.skipIf(!postgresBin)('PostgreSQL restarted during play, under a real server process', () => {
  const sockets = new ClientSockets();
  let postgres: PostgresServer;
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    postgres = await startPostgresServer(postgresBin ?? '');
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-pg-restart-'));
    server = await startServerProcess({
      dataDir,
      env: { DATABASE_URL: postgres.url, ROUND_SECONDS: '60', INTERMISSION_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    await sockets.disconnectAll();
    await ensureGone(server);
    postgres?.dispose();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('the server stays up, players keep their snapshots and sockets, and chat resumes', async () => {
    const host = await GameBot.connect(server, sockets, 'Host');
    const lobby = host.socket.channel(Topic.lobby);
    await joinChannel(lobby);
    const created = await push(lobby, 'room:create', { name: 'Restart', max_players: 4 });
    expect(created.status).toBe('ok');
    const roomId = (created.response as { room: { id: string } }).room.id;
    const bots: GameBot[] = [];
    for (let i = 0; i < PLAYERS; i++) {
      const bot = await GameBot.connect(server, sockets, `P${i}`);
      await bot.joinRoom(roomId);
      bots.push(bot);
    }
    const watched = [host, ...bots].map((bot) => watchSocket(bot.socket));
    for (const bot of bots) {
      expect(await push(bot.room as Channel, ChatEvent.send, { body: `${bot.user.nickname} before` })).toMatchObject({
        status: 'ok',
      });
    }

    // Everyone plays at 30 Hz and chats every 150 ms, through the restart.
    let playing = true;
    const play = (async () => {
      while (playing) {
        for (const bot of bots) bot.sendInput(Direction.right, 'websocket');
        await sleep(1000 / 30);
      }
    })();
    const outcomes: { bot: string; at: number; status: string; reason?: string }[] = [];
    const chat = bots.map(async (bot) => {
      let n = 0;
      while (playing) {
        const sentAt = performance.now();
        const reply = await push(bot.room as Channel, ChatEvent.send, { body: `${bot.user.nickname} ${++n}` });
        const reason = (reply.response as { reason?: string } | undefined)?.reason;
        outcomes.push({ bot: bot.user.nickname, at: sentAt, status: reply.status, ...(reason && { reason }) });
        await sleep(150);
      }
    });
    await sleep(400);

    const restartAt = performance.now();
    await postgres.restart('fast');
    const restartMs = performance.now() - restartAt;
    const backAt = performance.now();

    // Chat resumes for every player: an ok answer to a message sent after PostgreSQL is back.
    await waitFor(
      () =>
        bots.every((bot) => outcomes.some((o) => o.bot === bot.user.nickname && o.at >= backAt && o.status === 'ok')),
      {
        what: 'chat to resume for every player',
        timeoutMs: CHAT_BACK_TIMEOUT_MS,
      },
    );
    const resumedMs = Math.max(
      ...bots.map(
        (bot) =>
          (outcomes.find((o) => o.bot === bot.user.nickname && o.at >= backAt && o.status === 'ok')?.at ?? 0) - backAt,
      ),
    );
    await sleep(300);
    const until = performance.now();
    playing = false;
    await Promise.all([play, ...chat]);
    const refusals = outcomes.filter((o) => o.status !== 'ok');

    // A send in the gap is refused as an outage, at once: never a timeout, never storage_failed.
    for (const refusal of refusals)
      expect(refusal).toMatchObject({ status: 'error', reason: ErrorCode.storageUnavailable });
    expect(outcomes.filter((o) => o.at < restartAt && o.status === 'ok').length).toBeGreaterThan(0);
    const gaps = bots.map((bot) => longestGap(bot, restartAt, until));
    for (const gap of gaps) expect(gap).toBeLessThan(SNAPSHOT_GAP_LIMIT_MS);
    for (const events of watched) expect(events.closeCodes).toEqual([]);
    await waitFor(() => bots.every((bot) => bot.lastSnapshot?.ackSeq === bot.seq), {
      what: 'the last inputs acknowledged',
    });

    // Still the same process, healthy, and it reads the database again.
    expect(await Promise.race([server.exited.then(() => 'exited'), sleep(0).then(() => 'running')])).toBe('running');
    expect((await fetch(`${server.httpUrl}${ApiPath.leaderboard}`)).status).toBe(200);
    expect(server.entries.filter((entry) => Number(entry.level) >= 60)).toEqual([]);
    expect(server.entries.some((entry) => String(entry.msg).includes('PostgreSQL connection lost while idle'))).toBe(
      true,
    );

    console.info(
      `pg_ctl restart -m fast took ${restartMs.toFixed(0)} ms; chat back for every player ${resumedMs.toFixed(0)} ms after it ` +
        `(${outcomes.length} sends, ${refusals.length} answered storage_unavailable); longest snapshot gap per player ` +
        `${gaps.map((gap) => gap.toFixed(0)).join(' / ')} ms; 0 sockets closed`,
    );
  }, 60_000);
});

/** The longest gap between two snapshots the bot received within [since, until]. */
function longestGap(bot: GameBot, since: number, until: number): number {
  const times = bot.snapshots.map((snapshot) => snapshot.at).filter((at) => at >= since && at <= until);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return longest;
}
