import type { RoomSummary } from '@starcatch/shared';

/**
 * The lobby's room list under `room_created` and `room_updated`: a known room is replaced where it
 * stands, a new one goes to the end (the server lists rooms in the order they opened).
 */
export function upsertRoom(rooms: readonly RoomSummary[], room: RoomSummary): readonly RoomSummary[] {
  const index = rooms.findIndex((known) => known.id === room.id);
  if (index === -1) return [...rooms, room];
  return rooms.map((known, i) => (i === index ? room : known));
}

/** `room_closed {id}`. */
export function removeRoom(rooms: readonly RoomSummary[], id: string): readonly RoomSummary[] {
  return rooms.some((room) => room.id === id) ? rooms.filter((room) => room.id !== id) : rooms;
}

/** Whether a player who is not in the room yet could take a slot in it. */
export function hasFreeSlot(room: RoomSummary): boolean {
  return room.players < room.max_players;
}
