import type { ChannelContext } from '@starcatch/phoenix';
import type { RoomSimulations } from '../game/room-simulations.ts';
import type { AdmitResult, RoomRegistry } from '../rooms/room-registry.ts';
import type { GameLink, PlayerAssigns, RoomPresenceMeta } from '../transport/game-link.ts';
import type { PlayerLinks } from '../transport/player-links.ts';

export interface RoomHostDeps {
  readonly rooms: RoomRegistry;
  readonly games: RoomSimulations;
  readonly links: PlayerLinks;
}

/**
 * The rooms this node simulates, as seen by a seat: admission, the tab's game link and its place
 * in the simulation. The seat's channel may be a joined channel of this node or a stand-in for a
 * channel on another node; the host cannot tell them apart.
 */
export class RoomHost {
  readonly rooms: RoomRegistry;
  readonly #games: RoomSimulations;
  readonly #links: PlayerLinks;

  constructor({ rooms, games, links }: RoomHostDeps) {
    this.rooms = rooms;
    this.#games = games;
    this.#links = links;
  }

  admit(roomId: string, userId: string): AdmitResult {
    return this.rooms.admit(roomId, userId);
  }

  /** Opens the tab's link, lets the caller announce it, then puts the player in the simulation. */
  attach(
    roomId: string,
    slot: number,
    channel: ChannelContext<PlayerAssigns>,
    announce: (meta: RoomPresenceMeta) => void,
  ): GameLink {
    const { user } = channel.assigns;
    const link = this.#links.open(channel);
    announce(link.presenceMeta);
    this.#games.join(roomId, { userId: user.id, nickname: user.nickname, color: user.color, slot }, link);
    return link;
  }

  input(link: GameLink, payload: unknown): void {
    this.#links.receiveWebSocketInput(link, payload);
  }

  inputDropped(link: GameLink): void {
    this.#links.webSocketInputDropped(link);
  }

  /** The tab left: its link closes, the player leaves the simulation and frees the slot with its last tab. */
  release(roomId: string, userId: string, link: GameLink | undefined): void {
    try {
      if (link) {
        this.#links.close(link);
        this.#games.leave(link.id);
      }
    } finally {
      // The slot is freed even if the game side threw: a bug there must not leave a ghost member.
      this.rooms.release(roomId, userId);
    }
  }
}
