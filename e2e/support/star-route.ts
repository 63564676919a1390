import {
  ARENA_MAP,
  type ArenaMap,
  isFreeSpot,
  type Point,
  SHIP_RADIUS,
  STAR_RADIUS,
  type StarJson,
} from '@starcatch/shared';

/** Side of a planning cell in world units: several cells fit in the narrowest gap of the map. */
const CELL = 20;
/**
 * Room kept between the ship and the walls on a planned path. The keys only steer in eight
 * directions and the ship's position is read a snapshot late, so it wanders off a line a little.
 */
const WALL_MARGIN = 8;
/** A cell this close to a star's centre counts as reaching it (pickup is ship + star radius, 28). */
const REACH = SHIP_RADIUS + STAR_RADIUS - 6;
/** How finely a straight leg is checked against the walls. */
const SIGHT_STEP = 4;
/** How far (in cells) to look for a free cell when the ship rests against a wall. */
const START_SEARCH_CELLS = 3;

/** Where to steer next and the star the route leads to. */
export interface StarRoute {
  readonly star: StarJson;
  /** The farthest point of the route reachable in a straight line: steer towards it. */
  readonly aim: Point;
  /** Length of the route in world units. */
  readonly length: number;
}

interface Grid {
  readonly columns: number;
  readonly rows: number;
  readonly free: readonly boolean[];
}

const grids = new WeakMap<ArenaMap, Grid>();

function gridFor(map: ArenaMap): Grid {
  const known = grids.get(map);
  if (known) return known;
  const columns = Math.floor(map.width / CELL);
  const rows = Math.floor(map.height / CELL);
  const free: boolean[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      free.push(isFreeSpot(map, centreX(column), centreY(row), SHIP_RADIUS + WALL_MARGIN));
    }
  }
  const grid = { columns, rows, free };
  grids.set(map, grid);
  return grid;
}

function centreX(column: number): number {
  return column * CELL + CELL / 2;
}

function centreY(row: number): number {
  return row * CELL + CELL / 2;
}

function cellCentre(grid: Grid, cell: number): Point {
  return { x: centreX(cell % grid.columns), y: centreY(Math.floor(cell / grid.columns)) };
}

/** The free cell nearest to `point`, looking a few cells around it; null when boxed in. */
function nearestFreeCell(grid: Grid, point: Point): number | null {
  const column = Math.floor(point.x / CELL);
  const row = Math.floor(point.y / CELL);
  let best: number | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let dy = -START_SEARCH_CELLS; dy <= START_SEARCH_CELLS; dy++) {
    for (let dx = -START_SEARCH_CELLS; dx <= START_SEARCH_CELLS; dx++) {
      const c = column + dx;
      const r = row + dy;
      if (c < 0 || r < 0 || c >= grid.columns || r >= grid.rows) continue;
      const cell = r * grid.columns + c;
      if (!grid.free[cell]) continue;
      const centre = cellCentre(grid, cell);
      const distance = Math.hypot(centre.x - point.x, centre.y - point.y);
      if (distance < bestDistance) {
        best = cell;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/** Breadth-first distances (in cells, four neighbours) from `start`, and each cell's predecessor. */
function explore(grid: Grid, start: number): { steps: Int32Array; previous: Int32Array } {
  const steps = new Int32Array(grid.free.length).fill(-1);
  const previous = new Int32Array(grid.free.length).fill(-1);
  const queue = [start];
  steps[start] = 0;
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head] as number;
    const column = cell % grid.columns;
    const neighbours = [
      column > 0 ? cell - 1 : -1,
      column < grid.columns - 1 ? cell + 1 : -1,
      cell - grid.columns,
      cell + grid.columns,
    ];
    for (const next of neighbours) {
      if (next < 0 || next >= grid.free.length || !grid.free[next] || steps[next] !== -1) continue;
      steps[next] = (steps[cell] as number) + 1;
      previous[next] = cell;
      queue.push(next);
    }
  }
  return { steps, previous };
}

/** True when a ship can travel straight from `from` to `to` with the margin clear of every wall. */
function clearLine(from: Point, to: Point, map: ArenaMap = ARENA_MAP): boolean {
  const distance = Math.hypot(to.x - from.x, to.y - from.y);
  const samples = Math.max(1, Math.ceil(distance / SIGHT_STEP));
  for (let i = 1; i <= samples; i++) {
    const t = i / samples;
    const x = from.x + (to.x - from.x) * t;
    const y = from.y + (to.y - from.y) * t;
    if (!isFreeSpot(map, x, y, SHIP_RADIUS + WALL_MARGIN / 2)) return false;
  }
  return true;
}

/**
 * The shortest grid route from the ship to any of the stars, and where to steer along it: the
 * farthest point of the route in plain sight (so the ship cuts corners instead of following cells).
 * Null when no star can be reached.
 */
export function routeToNearestStar(
  ship: Point,
  stars: readonly StarJson[],
  map: ArenaMap = ARENA_MAP,
): StarRoute | null {
  const grid = gridFor(map);
  const start = nearestFreeCell(grid, ship);
  if (start === null) return null;
  const { steps, previous } = explore(grid, start);

  let best: { star: StarJson; cell: number; steps: number } | null = null;
  for (const star of stars) {
    // Any free cell within reach of the star will do; the nearest one by route wins.
    for (let cell = 0; cell < grid.free.length; cell++) {
      const count = steps[cell] as number;
      if (count < 0 || (best !== null && count >= best.steps)) continue;
      const centre = cellCentre(grid, cell);
      if (Math.hypot(centre.x - star.x, centre.y - star.y) > REACH) continue;
      best = { star, cell, steps: count };
    }
  }
  if (best === null) return null;

  const path: Point[] = [];
  for (let cell = best.cell; cell !== -1; cell = previous[cell] as number) path.unshift(cellCentre(grid, cell));
  path.push(best.star);
  let aim = path[Math.min(1, path.length - 1)] as Point;
  for (let i = path.length - 1; i >= 1; i--) {
    const point = path[i] as Point;
    if (clearLine(ship, point, map)) {
      aim = point;
      break;
    }
  }
  return { star: best.star, aim, length: best.steps * CELL };
}
