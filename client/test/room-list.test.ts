import type { RoomSummary } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { hasFreeSlot, removeRoom, upsertRoom } from '../src/state/room-list.ts';
import { currentRoom, NO_ROOM } from '../src/state/room-store.ts';

function room(id: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return { id, name: `Room ${id}`, max_players: 4, players: 0, state: 'waiting', ...overrides };
}

describe('the lobby room list', () => {
  it('adds new rooms at the end and replaces known ones in place', () => {
    let rooms = upsertRoom([], room('a'));
    rooms = upsertRoom(rooms, room('b'));
    rooms = upsertRoom(rooms, room('a', { players: 3 }));
    expect(rooms).toEqual([room('a', { players: 3 }), room('b')]);
  });

  it('removes closed rooms, and leaves the list alone for unknown ones', () => {
    const rooms = [room('a'), room('b')];
    expect(removeRoom(rooms, 'a')).toEqual([room('b')]);
    expect(removeRoom(rooms, 'zzz')).toBe(rooms);
  });

  it('knows a full room', () => {
    expect(hasFreeSlot(room('a', { players: 3 }))).toBe(true);
    expect(hasFreeSlot(room('a', { players: 4 }))).toBe(false);
  });
});

describe('currentRoom', () => {
  it('is null until joined, then the freshest copy of the room', () => {
    const joined = { ...NO_ROOM, status: 'joined' as const, roomId: 'a', summary: room('a', { players: 1 }), slot: 0 };
    expect(currentRoom({ ...NO_ROOM, status: 'joining', roomId: 'a' }, [])).toBeNull();
    expect(currentRoom(joined, [])).toEqual(room('a', { players: 1 }));
    expect(currentRoom(joined, [room('b'), room('a', { players: 2 })])).toEqual(room('a', { players: 2 }));
    expect(currentRoom({ ...joined, status: 'rejoining' }, [])).toEqual(room('a', { players: 1 }));
  });
});
