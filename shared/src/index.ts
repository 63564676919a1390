export * from './errors.ts';
export * from './events.ts';
export * from './topics.ts';
export * from './user.ts';
