import type { LeaderboardEntry } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import type { ChatStore } from '../state/chat-store.ts';
import type { LobbyState, LobbyStore } from '../state/lobby-store.ts';
import type { RoomStore } from '../state/room-store.ts';
import type { SessionStore } from '../state/session-store.ts';
import { createChatPanel } from './chat-panel.ts';
import { h, paintPlayerColor, starMark } from './dom.ts';
import { createLeaderboardPanel } from './leaderboard-panel.ts';
import { createOnlinePanel } from './online-panel.ts';
import { createRefusalNotice } from './refusal-notice.ts';
import { createRoomListPanel } from './room-list-panel.ts';
import type { Screen } from './screen.ts';

export interface LobbyScreenDeps {
  readonly session: SessionStore;
  readonly lobby: LobbyStore;
  readonly room: RoomStore;
  readonly chat: ChatStore;
  readonly actions: Actions;
  readonly loadLeaderboard: (limit: number) => Promise<LeaderboardEntry[]>;
}

/** The lobby: a greeting with Quick play, the rooms, who is online, the leaderboard and the lobby chat. */
export function createLobbyScreen({ session, lobby, room, chat, actions, loadLeaderboard }: LobbyScreenDeps): Screen {
  const you = session.getState().user;
  const youId = you?.id ?? '';
  const nickname = h('span', { className: 'welcome__name' }, you?.nickname ?? '');
  if (you) paintPlayerColor(nickname, you.color);
  const status = h('p', { className: 'welcome__status' });

  const quickPlay = h(
    'button',
    { className: 'button button--primary button--quick', attrs: { type: 'button' } },
    starMark(),
    h('span', null, 'Quick play'),
  );
  quickPlay.addEventListener('click', () => {
    quickPlay.disabled = true;
    actions
      .quickPlay()
      .catch(() => {})
      .finally(() => {
        quickPlay.disabled = false;
      });
  });

  const notice = createRefusalNotice(room);
  const rooms = createRoomListPanel({ lobby, actions });
  const online = createOnlinePanel(lobby, you?.id);
  const leaderboard = createLeaderboardPanel({ lobby, load: loadLeaderboard, youId });
  const lobbyChat = createChatPanel({
    chat,
    scope: 'lobby',
    title: 'Lobby chat',
    placeholder: 'Say hi to everyone…',
    youId,
    colorOf: (userId) => lobby.getState().online.find((user) => user.id === userId)?.color ?? null,
    subscribeColors: (listener) =>
      lobby.subscribe((next, previous) => {
        if (next.online !== previous.online) listener();
      }),
    actions,
  });

  const element = h(
    'section',
    { className: 'screen screen--lobby' },
    h(
      'header',
      { className: 'welcome' },
      h(
        'div',
        { className: 'welcome__text' },
        h('h1', { className: 'welcome__title' }, 'Welcome aboard, ', nickname),
        status,
      ),
      quickPlay,
    ),
    notice.element,
    h(
      'div',
      { className: 'lobby-grid' },
      h('div', { className: 'lobby-side' }, rooms.element, leaderboard.element),
      h('div', { className: 'lobby-side' }, online.element, lobbyChat.element),
    ),
  );

  function render(state: LobbyState): void {
    status.textContent = statusLine(state);
  }
  render(lobby.getState());
  const unsubscribe = lobby.subscribe(render);

  return {
    element,
    dispose() {
      unsubscribe();
      notice.dispose();
      rooms.dispose();
      online.dispose();
      leaderboard.dispose();
      lobbyChat.dispose();
    },
  };
}

function statusLine(state: LobbyState): string {
  if (state.status !== 'joined') return 'Docking with the lobby…';
  const others = state.online.length - 1;
  const pilots =
    others <= 0
      ? 'You are the only pilot here right now.'
      : others === 1
        ? 'One other pilot is online.'
        : `${others} other pilots are online.`;
  const open = state.rooms.length;
  if (open === 0) return pilots;
  return `${pilots} ${open === 1 ? 'One room is open.' : `${open} rooms are open.`}`;
}
