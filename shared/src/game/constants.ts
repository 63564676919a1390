/**
 * The numbers that define how Starcatch plays. Server simulation, client prediction and the
 * `state` codec all read them from here, so a change is one edit and both sides agree.
 * Distances are world units (the arena is 1600×1000 of them), times are seconds unless a name
 * says otherwise.
 */

/**
 * Simulation steps per second, on the server and in client prediction: the default of the server's
 * `GAME_TICK_HZ` (see `GameRates`; the client learns the room's from its `sync`).
 */
export const TICK_RATE = 30;
/** The fixed `dt` of one tick at the default rate. */
export const TICK_SECONDS = 1 / TICK_RATE;
/**
 * Snapshots per second, server → each client: the default of `SNAPSHOT_HZ`. Lower than the tick
 * rate to stay in the byte budget; docs/netcode.md has the measurements behind it.
 */
export const SNAPSHOT_RATE = 20;

/** Length of a round of play. */
export const ROUND_SECONDS = 90;
/** Pause between rounds while the result is shown. */
export const INTERMISSION_SECONDS = 5;

/** Arena size. Positions are quantised to 1/32 unit into uint16, which covers up to 2047 units. */
export const ARENA_WIDTH = 1600;
export const ARENA_HEIGHT = 1000;
/** Thickness of the outer walls (inside the arena bounds, so positions never go negative). */
export const WALL_THICKNESS = 32;

/** Ship collision radius. A whole number so that resting against a flat wall lands on the position grid. */
export const SHIP_RADIUS = 16;
/** Speed cap; with the acceleration and drag below it is reached in about 0.3 s. */
export const SHIP_MAX_SPEED = 320;
/** Thrust while a direction is held, in units/s². */
export const SHIP_ACCELERATION = 2400;
/**
 * Linear drag per second: each tick keeps `1 - SHIP_DRAG * dt` of the velocity (0.8 at 30 Hz), so a
 * released ship stops in under a second. Linear rather than exponential to stay away from
 * `Math.exp`, whose last bit may differ between JS engines.
 */
export const SHIP_DRAG = 6;
/** Below this speed a ship with no keys held stops dead instead of creeping forever. */
export const SHIP_STOP_SPEED = 2;
/**
 * The longest `dt` a single ship step simulates. Longer gaps (a stalled tab) are clamped: they call
 * for a resync, and the clamp bounds the work done by the swept collision.
 */
export const MAX_STEP_SECONDS = 1;

/** Star pickup radius: a ship touches a star when their circles overlap. */
export const STAR_RADIUS = 12;
/** Stars on the field at once while a round is played. */
export const MAX_STARS = 5;
/** Delay before a collected star is replaced. */
export const STAR_RESPAWN_SECONDS = 1.5;
/** Extra distance kept between a new star and any ship, so a star never appears already taken. */
export const STAR_SHIP_CLEARANCE = 48;
/** Extra distance kept between a new star and walls or other stars. */
export const STAR_SPAWN_MARGIN = 8;
/** Random spots tried per star per tick; if all are taken the star is tried again next tick. */
export const STAR_SPAWN_ATTEMPTS = 24;

/**
 * Timers count down by `dt` (1/30 is not exact in binary), so "reached zero" allows this much
 * rounding; without it a 90 s round could end one tick late.
 */
export const TIMER_EPSILON_SECONDS = 1e-6;

/** Position quantum: 1/32 unit. The simulation keeps positions on this grid so snapshots are lossless. */
export const POSITION_SCALE = 32;
/** Velocity quantum: 1/64 unit/s, so ±SHIP_MAX_SPEED fits an int16 with room to spare. */
export const VELOCITY_SCALE = 64;
