import { describe, expect, it } from 'vitest';
import { RenderSleep } from '../src/game/render-sleep.ts';

function loop() {
  const calls: string[] = [];
  return { calls, sleep: () => calls.push('sleep'), wake: () => calls.push('wake') };
}

describe('RenderSleep', () => {
  it('sleeps after a few identical frames, and only wakes once the match looks different', () => {
    const game = loop();
    let signature = 'still';
    const sleep = new RenderSleep(game, () => signature);
    sleep.frameDrawn('a');
    for (let i = 0; i < 3; i++) sleep.frameDrawn('b');
    expect(game.calls).toEqual([]);
    // The fourth frame in a row that looks like the one before.
    sleep.frameDrawn('b');
    expect(game.calls).toEqual(['sleep']);
    sleep.wakeIfChanged();
    expect(game.calls).toEqual(['sleep']);
    signature = 'moved';
    sleep.wakeIfChanged();
    sleep.wakeIfChanged();
    expect(game.calls).toEqual(['sleep', 'wake']);
  });

  it('counts still frames afresh after waking', () => {
    const game = loop();
    let signature = 'one';
    const sleep = new RenderSleep(game, () => signature);
    for (let i = 0; i < 4; i++) sleep.frameDrawn('x');
    signature = 'two';
    sleep.wakeIfChanged();
    for (let i = 0; i < 2; i++) sleep.frameDrawn('x');
    expect(game.calls).toEqual(['sleep', 'wake']);
    sleep.frameDrawn('x');
    expect(game.calls).toEqual(['sleep', 'wake', 'sleep']);
  });
});
