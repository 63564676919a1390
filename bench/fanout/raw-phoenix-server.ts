import type { AddressInfo } from 'node:net';
import { DEFAULT_SOCKET_PATH } from '@starcatch/phoenix/wire';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  decodeFrame,
  Event,
  encodeFrame,
  replyFrame,
  SOCKET_TOPIC,
  type V2Frame,
  webSocketUrl,
} from '../support/phoenix-frames.ts';
import type { BenchServer } from './bench-server.ts';

/** Phoenix reserves the `phx_` events: none of them is a channel's own push. */
const RESERVED_EVENT = /^phx_/;

/**
 * The baseline: a bare `ws` server that speaks just enough Phoenix V2 JSON for the fan-out
 * benchmark. It answers heartbeats, accepts every join, and on any other push on a joined topic
 * sends `[null, null, topic, event, payload]` to every socket on that topic (serialised once),
 * then replies ok to the sender. No auth, no channel processes, no error handling beyond dropping
 * frames it does not understand.
 */
export async function startRawPhoenixServer(): Promise<BenchServer> {
  const topics = new Map<string, Set<WebSocket>>();
  const joinedBy = new Map<WebSocket, Set<string>>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });

  const reply = (socket: WebSocket, frame: V2Frame, status: 'ok' | 'error'): void => {
    socket.send(replyFrame(frame[0], frame[1], frame[2], { status, response: {} }));
  };

  const leave = (socket: WebSocket, topic: string): void => {
    topics.get(topic)?.delete(socket);
    joinedBy.get(socket)?.delete(topic);
  };

  wss.on('connection', (socket) => {
    joinedBy.set(socket, new Set());
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      let frame: V2Frame;
      try {
        frame = decodeFrame(data.toString());
      } catch {
        return;
      }
      if (!Array.isArray(frame) || frame.length !== 5) return;
      const [, , topic, event, payload] = frame;
      if (topic === SOCKET_TOPIC) {
        if (event === Event.heartbeat) reply(socket, frame, 'ok');
        return;
      }
      if (event === Event.join) {
        let members = topics.get(topic);
        if (!members) {
          members = new Set();
          topics.set(topic, members);
        }
        members.add(socket);
        joinedBy.get(socket)?.add(topic);
        reply(socket, frame, 'ok');
        return;
      }
      if (event === Event.leave) {
        leave(socket, topic);
        reply(socket, frame, 'ok');
        return;
      }
      const members = topics.get(topic);
      if (!members?.has(socket) || RESERVED_EVENT.test(event)) {
        reply(socket, frame, 'error');
        return;
      }
      const encoded = encodeFrame(null, null, topic, event, payload);
      for (const member of members) member.send(encoded);
      reply(socket, frame, 'ok');
    });
    socket.on('close', () => {
      for (const topic of joinedBy.get(socket) ?? []) topics.get(topic)?.delete(socket);
      joinedBy.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: webSocketUrl(`ws://127.0.0.1:${port}${DEFAULT_SOCKET_PATH}`),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
