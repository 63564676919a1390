import type { NetworkImpairment, RoomState as RoundState } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import { SoundEffects } from '../audio/sound-effects.ts';
import { browserStorage } from '../audio/sound-preference.ts';
import type { GameSceneDeps } from '../game/game-scene.ts';
import type { ChatStore } from '../state/chat-store.ts';
import type { LobbyStore } from '../state/lobby-store.ts';
import { currentRoom, type RoomState, type RoomStore } from '../state/room-store.ts';
import type { SessionStore } from '../state/session-store.ts';
import { createArenaView } from './arena-view.ts';
import { createChatPanel } from './chat-panel.ts';
import { h } from './dom.ts';
import { createMemberList } from './member-list.ts';
import type { Screen } from './screen.ts';
import { createSoundToggle } from './sound-toggle.ts';

export interface RoomScreenDeps {
  readonly roomId: string;
  readonly session: SessionStore;
  readonly lobby: LobbyStore;
  readonly room: RoomStore;
  readonly chat: ChatStore;
  readonly actions: Actions;
  /** What the game scene reads; without it the arena shows the still preview. */
  readonly game?: GameSceneDeps;
  /** The tab's simulated bad network (the F3 overlay's panel). */
  readonly impairment?: NetworkImpairment;
}

const ROUND_LABEL: Record<RoundState, string> = {
  waiting: 'Waiting for players',
  playing: 'Round in play',
  intermission: 'Intermission',
};

/** How long "Link copied" stays on the invite button. */
const COPIED_FEEDBACK_MS = 1600;

/** A room: the arena, the crew, the room chat, and a way back to the lobby. */
export function createRoomScreen({
  roomId,
  session,
  lobby,
  room,
  chat,
  actions,
  game,
  impairment,
}: RoomScreenDeps): Screen {
  const youId = session.getState().user?.id ?? '';
  const title = h('h1', { className: 'room-head__title' }, 'Entering room…');
  const badge = h('span', { className: 'state-badge' });
  const seats = h('span', { className: 'room-head__seats' });
  const leave = h(
    'button',
    { className: 'button button--ghost button--leave', attrs: { type: 'button' } },
    'Leave room',
  );
  leave.addEventListener('click', () => {
    void actions.leaveRoom();
  });
  const invite = h('button', { className: 'button button--ghost', attrs: { type: 'button' } }, 'Copy invite link');
  let copiedTimer: ReturnType<typeof setTimeout> | undefined;
  invite.addEventListener('click', () => {
    void copyText(window.location.href).then((copied) => {
      invite.textContent = copied ? 'Link copied' : 'Copy failed';
      clearTimeout(copiedTimer);
      copiedTimer = setTimeout(() => {
        invite.textContent = 'Copy invite link';
      }, COPIED_FEEDBACK_MS);
    });
  });

  const sounds = new SoundEffects({ storage: browserStorage() });
  const soundToggle = createSoundToggle(sounds);
  const arena = createArenaView({ room, youId, game: game && { ...game, sounds }, ...(impairment && { impairment }) });
  const members = createMemberList(room, youId);
  const roomChat = createChatPanel({
    chat,
    scope: 'room',
    title: 'Room chat',
    placeholder: 'Message your crew…',
    youId,
    colorOf: (userId) =>
      room.getState().members.find((member) => member.id === userId)?.color ??
      lobby.getState().online.find((user) => user.id === userId)?.color ??
      null,
    subscribeColors: (listener) =>
      room.subscribe((next, previous) => {
        if (next.members !== previous.members) listener();
      }),
    actions,
  });

  const element = h(
    'section',
    { className: 'screen screen--room', attrs: { 'aria-labelledby': 'room-title' } },
    h(
      'header',
      { className: 'room-head' },
      h(
        'div',
        { className: 'room-head__text' },
        title,
        h(
          'p',
          { className: 'room-head__meta' },
          badge,
          seats,
          h('span', { className: 'room-head__code' }, `#${roomId}`),
        ),
      ),
      h('div', { className: 'room-head__actions' }, soundToggle.element, invite, leave),
    ),
    h(
      'div',
      { className: 'room-grid' },
      arena.element,
      h('div', { className: 'room-side' }, members.element, roomChat.element),
    ),
  );
  title.id = 'room-title';

  function render(): void {
    const state: RoomState = room.getState();
    const summary = currentRoom(state, lobby.getState().rooms);
    title.textContent = summary?.name ?? 'Entering room…';
    element.dataset.status = state.status;
    if (summary) {
      badge.hidden = false;
      badge.className = `state-badge state-badge--${summary.state}`;
      badge.textContent = ROUND_LABEL[summary.state];
      seats.textContent = `${summary.players}/${summary.max_players} players`;
    } else {
      badge.hidden = true;
      seats.textContent = '';
    }
  }

  render();
  const unsubscribeRoom = room.subscribe(render);
  const unsubscribeLobby = lobby.subscribe((next, previous) => {
    if (next.rooms !== previous.rooms) render();
  });
  return {
    element,
    dispose() {
      clearTimeout(copiedTimer);
      unsubscribeRoom();
      unsubscribeLobby();
      arena.dispose();
      soundToggle.dispose();
      sounds.dispose();
      members.dispose();
      roomChat.dispose();
    },
  };
}

/** Copies with the Clipboard API, which only secure contexts have; elsewhere the address bar still works. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
