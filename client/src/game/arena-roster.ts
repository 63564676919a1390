/** A ship on the arena preview: who flies it, in which colour, from which spawn slot. */
export interface ArenaPilot {
  readonly id: string;
  readonly nickname: string;
  readonly color: string;
  readonly slot: number;
  readonly isYou: boolean;
}

/** What a scene needs to know of the room: the pilots, and when they change. No sockets, no stores. */
export interface ArenaRoster {
  pilots(): readonly ArenaPilot[];
  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/**
 * Seats the room's members on spawn slots for the preview. The server tells each player only their
 * own slot, so this player takes that one and the others fill the remaining slots in list order;
 * the game issue replaces this with the slots the snapshots carry.
 */
export function seatPilots(
  members: readonly { readonly id: string; readonly nickname: string; readonly color: string }[],
  youId: string,
  yourSlot: number | null,
  slotCount: number,
): ArenaPilot[] {
  const taken = new Set<number>();
  if (yourSlot !== null && members.some((member) => member.id === youId)) taken.add(yourSlot);
  let next = 0;
  const pilots: ArenaPilot[] = [];
  for (const member of members) {
    const isYou = member.id === youId;
    let slot: number;
    if (isYou && yourSlot !== null) {
      slot = yourSlot;
    } else {
      while (taken.has(next)) next++;
      if (next >= slotCount) continue;
      slot = next;
      taken.add(slot);
    }
    pilots.push({ id: member.id, nickname: member.nickname, color: member.color, slot, isYou });
  }
  return pilots;
}
