/** Channel topics. Every topic string the client and server use is built here. */
export const Topic = {
  lobby: 'lobby',
  room: (roomId: string) => `room:${roomId}`,
  user: (userId: string) => `user:${userId}`,
} as const;

export const TopicPattern = {
  room: 'room:*',
  user: 'user:*',
} as const;

/** The id after the prefix of a `room:<id>` or `user:<id>` topic. */
export function topicSubject(topic: string): string {
  return topic.slice(topic.indexOf(':') + 1);
}
