export * from './api.ts';
export * from './chat.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './game/index.ts';
export * from './room.ts';
export * from './topics.ts';
export * from './user.ts';
