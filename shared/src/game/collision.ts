/**
 * Circles against axis-aligned rectangles: the only collision Starcatch needs (ships and stars are
 * circles, walls are rectangles). Only + - * / and `Math.sqrt` (exactly rounded by IEEE 754) are
 * used, so the server and every browser compute the same bits.
 */

/** An axis-aligned rectangle; `x`, `y` is its top-left corner. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A moving circle's centre and velocity. */
export interface Motion {
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** True when the circle and the rectangle overlap (touching edges do not count). */
export function circleOverlapsRect(cx: number, cy: number, radius: number, rect: Rect): boolean {
  const dx = cx - clamp(cx, rect.x, rect.x + rect.width);
  const dy = cy - clamp(cy, rect.y, rect.y + rect.height);
  return dx * dx + dy * dy < radius * radius;
}

/** True when the circle overlaps any of the rectangles. */
export function circleOverlapsAny(cx: number, cy: number, radius: number, rects: readonly Rect[]): boolean {
  for (const rect of rects) if (circleOverlapsRect(cx, cy, radius, rect)) return true;
  return false;
}

/** Scratch state of one `moveCircle` call; `dx`, `dy` is the motion left for each sub-step. */
interface Sweep {
  x: number;
  y: number;
  vx: number;
  vy: number;
  dx: number;
  dy: number;
}

/** Drops the parts of the velocity and of the remaining move that point into the surface (normal nx, ny). */
function slide(sweep: Sweep, nx: number, ny: number): void {
  const vn = sweep.vx * nx + sweep.vy * ny;
  if (vn < 0) {
    sweep.vx -= vn * nx;
    sweep.vy -= vn * ny;
  }
  const dn = sweep.dx * nx + sweep.dy * ny;
  if (dn < 0) {
    sweep.dx -= dn * nx;
    sweep.dy -= dn * ny;
  }
}

/** Pushes the circle out of one rectangle along the shortest way; returns whether it had to. */
function pushOut(sweep: Sweep, radius: number, rect: Rect): boolean {
  const px = clamp(sweep.x, rect.x, rect.x + rect.width);
  const py = clamp(sweep.y, rect.y, rect.y + rect.height);
  let nx = sweep.x - px;
  let ny = sweep.y - py;
  const distanceSquared = nx * nx + ny * ny;
  if (distanceSquared >= radius * radius) return false;
  if (distanceSquared > 0) {
    const distance = Math.sqrt(distanceSquared);
    nx /= distance;
    ny /= distance;
    // Placed from the contact point rather than nudged by the depth: against a flat face this
    // lands exactly on `edge ± radius`, which stays on the position grid.
    sweep.x = px + nx * radius;
    sweep.y = py + ny * radius;
  } else {
    // Centre inside the rectangle (only from a bad spawn or a map edit): leave by the nearest face.
    const left = sweep.x - rect.x;
    const right = rect.x + rect.width - sweep.x;
    const top = sweep.y - rect.y;
    const bottom = rect.y + rect.height - sweep.y;
    const nearest = Math.min(left, right, top, bottom);
    if (nearest === left) {
      nx = -1;
      sweep.x = rect.x - radius;
    } else if (nearest === right) {
      nx = 1;
      sweep.x = rect.x + rect.width + radius;
    } else if (nearest === top) {
      ny = -1;
      sweep.y = rect.y - radius;
    } else {
      ny = 1;
      sweep.y = rect.y + rect.height + radius;
    }
  }
  slide(sweep, nx, ny);
  return true;
}

/**
 * Passes over all walls per sub-step. One push can move a circle into a neighbouring wall (an
 * inner corner); three passes settle every corner of our maps.
 */
const RESOLVE_PASSES = 3;

/**
 * Moves a circle by its velocity for `dt` seconds through the walls. It advances in sub-steps of at
 * most half the radius, so a centre never gets past a wall's face however thin the wall and however
 * large the move (no tunnelling). On contact the velocity and the rest of the move lose their
 * component into the wall, so the circle slides along it. Cost grows with the distance moved.
 */
export function moveCircle(motion: Motion, radius: number, dt: number, walls: readonly Rect[]): Motion {
  if (!(radius > 0)) throw new RangeError(`radius must be positive, got ${radius}`);
  const totalX = motion.vx * dt;
  const totalY = motion.vy * dt;
  const distance = Math.sqrt(totalX * totalX + totalY * totalY);
  if (!Number.isFinite(distance)) return motion;
  const steps = Math.max(1, Math.ceil(distance / (radius / 2)));
  const sweep: Sweep = {
    x: motion.x,
    y: motion.y,
    vx: motion.vx,
    vy: motion.vy,
    dx: totalX / steps,
    dy: totalY / steps,
  };
  // Positions are measured from the last contact rather than summed sub-step by sub-step, so a
  // free move lands exactly on x + vx·dt instead of collecting a rounding error per sub-step.
  let baseX = sweep.x;
  let baseY = sweep.y;
  let legX = totalX;
  let legY = totalY;
  let legSteps = steps;
  let done = 0;
  for (let i = 1; i <= steps; i++) {
    done += 1;
    sweep.x = baseX + legX * (done / legSteps);
    sweep.y = baseY + legY * (done / legSteps);
    let touched = false;
    for (let pass = 0; pass < RESOLVE_PASSES; pass++) {
      let pushed = false;
      // An indexed loop: this runs per ship, per sub-step, per pass, and an array iterator here
      // was the room tick's largest allocation on the server.
      for (let w = 0; w < walls.length; w++) if (pushOut(sweep, radius, walls[w] as Rect)) pushed = true;
      if (!pushed) break;
      touched = true;
    }
    if (touched) {
      // `slide` has already bent the per-step move along the wall: the rest of the move follows it.
      legSteps = steps - i;
      baseX = sweep.x;
      baseY = sweep.y;
      legX = sweep.dx * legSteps;
      legY = sweep.dy * legSteps;
      done = 0;
    }
  }
  return { x: sweep.x, y: sweep.y, vx: sweep.vx, vy: sweep.vy };
}
