import type { User } from '@starcatch/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-token.ts';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import { createUserSocket } from '../../src/channels/user-socket.ts';
import type { PhoenixSocket, PresenceState } from '../../src/phoenix/index.ts';
import { BroadcastProbe, connectTestClient } from '../../src/phoenix/testing/channel-test.ts';

const ada: User = { id: 'u-ada', nickname: 'Ada', color: '#ff6b6b' };
const bo: User = { id: 'u-bo', nickname: 'Bo', color: '#4d96ff' };

describe('lobby channel', () => {
  let socket: PhoenixSocket<SocketAssigns>;

  beforeEach(() => {
    const tokens = new SessionTokens('a-secret-of-at-least-thirty-two-chars', 60);
    socket = createUserSocket({ tokens, maxChannels: 10, logger: console });
  });

  it('pushes the complete presence state after the join reply, including the joiner', async () => {
    const client = connectTestClient(socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    const state = (await client.assertPush('presence_state')) as PresenceState;
    expect(Object.keys(state)).toEqual([ada.id]);
    expect(state[ada.id]?.metas[0]).toMatchObject({ nickname: 'Ada', color: '#ff6b6b' });
  });

  it('shows a user with two tabs as one key with two metas, and keeps them online until the last tab closes', async () => {
    const probe = new BroadcastProbe(socket, 'lobby');
    const tab1 = connectTestClient(socket, { user: ada });
    const tab2 = connectTestClient(socket, { user: ada });
    const other = connectTestClient(socket, { user: bo });
    await tab1.subscribeAndJoin('lobby');
    await tab2.subscribeAndJoin('lobby');
    await other.subscribeAndJoin('lobby');
    const state = (await other.assertPush('presence_state')) as PresenceState;
    expect(state[ada.id]?.metas).toHaveLength(2);

    tab1.disconnect();
    await probe.assertBroadcast('presence_diff', { joins: {} });
    expect(socket.presence.list('lobby')[ada.id]?.metas).toHaveLength(1);

    tab2.disconnect();
    await probe.assertBroadcast('presence_diff', (diff) => ada.id in (diff as { leaves: object }).leaves);
    expect(socket.presence.list('lobby')[ada.id]).toBeUndefined();
  });

  it('answers an unknown event with an error reply and stays joined', async () => {
    const client = connectTestClient(socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    const ref = client.push('lobby', 'dance', {});
    await client.assertReply(ref, 'error', { reason: 'unknown event', event: 'dance' });
    expect(client.connection.topics).toEqual(['lobby']);
  });
});
