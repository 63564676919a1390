/** Event names on the channels: part of the public interface, defined once. */
export const PresenceEvent = {
  state: 'presence_state',
  diff: 'presence_diff',
} as const;
