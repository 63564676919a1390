import { ErrorCode } from '@starcatch/shared';

/** What the player was doing when the server said no: the same code reads differently in each. */
export type RefusalAction = 'sign_in' | 'create_room' | 'join_room' | 'connect' | 'webrtc';

/**
 * The words a player reads for the server's limits and caps, by action and code. Anything not
 * here keeps the server's own message (it is written for players too); these are ours so that a
 * refusal reads right even when it came from a proxy or an older server with other wording.
 */
const WORDS: Readonly<Record<RefusalAction, Partial<Record<ErrorCode, string>>>> = {
  sign_in: {
    [ErrorCode.rateLimited]: 'Too many sign-ins from your network; wait a minute and try again.',
  },
  create_room: {
    [ErrorCode.rateLimited]: 'You are creating rooms too fast; wait a minute.',
    [ErrorCode.tooManyRooms]: 'The server has as many rooms open as it can hold; join one of the open rooms.',
    [ErrorCode.storageUnavailable]:
      "The server's database is unavailable, so the room was not created; try again in a moment.",
  },
  join_room: {
    [ErrorCode.rateLimited]: 'You are joining rooms too fast; wait a minute.',
    [ErrorCode.tooManyRoomsJoined]: 'You are already in another room; leave it first.',
  },
  connect: {
    [ErrorCode.rateLimited]: 'Too many connection attempts from your network. Retrying…',
    [ErrorCode.tooManyConnections]: 'Too many connections from your network; close a tab. Retrying…',
  },
  webrtc: {
    [ErrorCode.tooManyPeers]: 'Too many of your tabs use a direct connection; this one plays over the WebSocket.',
    [ErrorCode.webrtcUnavailable]: 'The server has no direct connection to spare; playing over the WebSocket.',
    [ErrorCode.peerTimeout]: 'The direct connection did not answer; playing over the WebSocket.',
  },
};

/** The player's words for `reason` during `action`, else `fallback` (usually the server's message). */
export function refusalText(action: RefusalAction, reason: string, fallback: string): string {
  return WORDS[action][reason as ErrorCode] ?? fallback;
}
