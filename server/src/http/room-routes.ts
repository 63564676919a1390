import { ApiPath } from '@starcatch/shared';
import type { FastifyInstance } from 'fastify';
import type { RoomAccess } from '../channels/room-seat.ts';

/** `GET /api/v1/rooms` → `{rooms: RoomSummary[]}`, the same list the lobby join reply carries. */
export function registerRoomRoutes(app: FastifyInstance, rooms: Pick<RoomAccess, 'list'>): void {
  app.get(ApiPath.rooms, async () => ({ rooms: await rooms.list() }));
}
