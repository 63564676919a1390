/**
 * Two server processes on one Redis and one PostgreSQL, driven with the official phoenix client:
 * presence, chat and the room list are the same whichever node a socket is on.
 */
import { AdminPath, ApiPath, ChatEvent, LobbyEvent, type RoomSummary, Topic } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import {
  type Channel,
  join,
  Presence,
  presenceEntries,
  push,
  recordEvents,
  type Socket,
  watchSocket,
} from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { type ClusterProcess, health } from '../support/cluster-process.ts';
import { clusterServices, useCluster } from './use-cluster.ts';

/** Cross-node traffic rides Redis: a little more than a loopback round trip, far below this. */
const CROSS_NODE_MS = 5_000;

const ADMIN_TOKEN = 'cluster-admin-token-0123456789';
const cluster = useCluster(['lobby-a', 'lobby-b'], { ADMIN_TOKEN });
const a = () => cluster.node(0);
const b = () => cluster.node(1);

async function signedIn(node: ClusterProcess): Promise<{ socket: Socket; userId: string; nickname: string }> {
  const { token, user } = await node.signIn();
  const socket = await cluster.sockets.open(node.socketUrl, { params: { token } });
  return { socket, userId: user.id, nickname: user.nickname };
}

async function lobby(socket: Socket): Promise<{ channel: Channel; presence: Presence; rooms: RoomSummary[] }> {
  const channel = socket.channel(Topic.lobby);
  const presence = new Presence(channel);
  const reply = (await join(channel)) as { rooms: RoomSummary[] };
  return { channel, presence, rooms: reply.rooms };
}

describe.skipIf(clusterServices() !== null)('a cluster of two nodes', () => {
  it('knows both nodes', async () => {
    expect((await health(a())).node).toBe('lobby-a');
    const deadline = Date.now() + CROSS_NODE_MS;
    let nodes: string[] = [];
    while (Date.now() < deadline) {
      nodes = (await health(b())).nodes ?? [];
      if (nodes.length === 2) break;
      await sleep(100);
    }
    expect(nodes).toEqual(['lobby-a', 'lobby-b']);
  });

  it('shows who is online on both nodes, one key per user', async () => {
    const ada = await signedIn(a());
    const bo = await signedIn(b());
    const adaLobby = await lobby(ada.socket);
    const boLobby = await lobby(bo.socket);
    for (const { presence } of [adaLobby, boLobby]) {
      await waitFor(
        () => {
          const entries = presenceEntries(presence);
          expect(Object.keys(entries)).toEqual(expect.arrayContaining([ada.userId, bo.userId]));
          expect(entries[bo.userId]?.[0]?.nickname).toBe(bo.nickname);
        },
        { what: 'both users in presence', timeoutMs: CROSS_NODE_MS },
      );
    }

    // A second tab of Ada on the other node: one key, two metas, seen from both nodes.
    const adaAgain = await cluster.sockets.open(b().socketUrl, {
      params: { token: (await a().signIn(ada.nickname)).token },
    });
    const otherTab = await lobby(adaAgain);
    expect(otherTab.rooms).toBeInstanceOf(Array);

    // Bo leaves: Ada's node hears the leave.
    await cluster.sockets.disconnect(bo.socket);
    await waitFor(
      () => {
        expect(presenceEntries(adaLobby.presence)[bo.userId]).toBeUndefined();
      },
      { what: 'Bo to leave on node a', timeoutMs: CROSS_NODE_MS },
    );
  });

  it('carries chat both ways', async () => {
    const ada = await signedIn(a());
    const bo = await signedIn(b());
    const adaLobby = await lobby(ada.socket);
    const boLobby = await lobby(bo.socket);
    const heardByBo = recordEvents(boLobby.channel, ChatEvent.message);
    const heardByAda = recordEvents(adaLobby.channel, ChatEvent.message);

    expect((await push(adaLobby.channel, ChatEvent.send, { body: 'hello from a' })).status).toBe('ok');
    expect((await push(boLobby.channel, ChatEvent.send, { body: 'hello from b' })).status).toBe('ok');
    for (const heard of [heardByAda, heardByBo]) {
      await waitFor(
        () => {
          const bodies = heard.map((message) => (message as { body: string }).body);
          expect(bodies).toEqual(expect.arrayContaining(['hello from a', 'hello from b']));
        },
        { what: 'both messages on both nodes', timeoutMs: CROSS_NODE_MS },
      );
    }
  });

  it('lists a room created on one node on the other, by REST and on the lobby', async () => {
    const ada = await signedIn(a());
    const bo = await signedIn(b());
    const adaLobby = await lobby(ada.socket);
    const boLobby = await lobby(bo.socket);
    const created = recordEvents(boLobby.channel, LobbyEvent.roomCreated);

    const reply = await push(adaLobby.channel, LobbyEvent.createRoom, { name: 'Made on A', max_players: 4 });
    expect(reply.status).toBe('ok');
    const room = (reply.response as { room: RoomSummary }).room;

    await waitFor(() => created.some((event) => (event as RoomSummary).id === room.id), {
      what: 'room_created on node b',
      timeoutMs: CROSS_NODE_MS,
    });
    const listed = (await (await fetch(`${b().httpUrl}${ApiPath.rooms}`)).json()) as { rooms: RoomSummary[] };
    expect(listed.rooms.find((listedRoom) => listedRoom.id === room.id)).toMatchObject({
      name: 'Made on A',
      max_players: 4,
    });
    // A lobby joined on node b afterwards lists it too.
    const late = await lobby((await signedIn(b())).socket);
    expect(late.rooms.map((listedRoom) => listedRoom.id)).toContain(room.id);
  });

  it('disconnects a user on another node through the operator route of this one', async () => {
    const bo = await signedIn(b());
    const events = watchSocket(bo.socket);
    const response = await fetch(`${a().httpUrl}${AdminPath.disconnect(bo.userId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ disconnected: 1 });
    await waitFor(() => events.closeCodes.includes(1001), {
      what: 'close code 1001 on node b',
      timeoutMs: CROSS_NODE_MS,
    });
  });
});
