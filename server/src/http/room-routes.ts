import type { FastifyInstance } from 'fastify';
import type { RoomRegistry } from '../rooms/room-registry.ts';

/** `GET /api/v1/rooms` → `{rooms: RoomSummary[]}`, the same list the lobby join reply carries. */
export function registerRoomRoutes(app: FastifyInstance, rooms: RoomRegistry): void {
  app.get('/api/v1/rooms', async () => ({ rooms: rooms.list() }));
}
