/**
 * The kinds of message nodes send each other on the node bus. Requests expect an answer; the
 * others are one-way. `room.*` go to a room's host, `seat.*` back to the node of the tab's socket;
 * `rtc.*` carry WebRTC signaling to the node that holds the peer and its pushes back.
 */
export const ClusterMessage = {
  /** Request: admit a tab of another node to a room hosted here. */
  roomSit: 'room.sit',
  /** The admitted tab's channel is joined: start its game traffic. */
  roomStart: 'room.start',
  /** Binary: a WebSocket `input` of a tab on another node. */
  roomInput: 'room.input',
  roomInputDropped: 'room.input_dropped',
  roomLeave: 'room.leave',
  /** A push for the tab's room channel (game events, notices). */
  seatPush: 'seat.push',
  /** Binary: a snapshot for the tab's room channel. */
  seatSnapshot: 'seat.snapshot',
  /** The tab's presence meta changed (its game traffic switched path). */
  seatPresence: 'seat.presence',
  /** The host no longer simulates the room: find its new host. */
  seatMoved: 'seat.moved',
  /** Requests: WebRTC signaling for a peer hosted on the receiving node. */
  rtcOffer: 'rtc.offer',
  rtcIce: 'rtc.ice',
  rtcClose: 'rtc.close',
  /** The user channel ended, or its peer moved to another node: close the peer. */
  rtcEnd: 'rtc.end',
  /** A signaling push (answer, candidate, state) for the user channel's client. */
  rtcPush: 'rtc.push',
  /** Disconnect every socket with this id (operator kick), on every node. */
  disconnect: 'socket.disconnect',
} as const;
