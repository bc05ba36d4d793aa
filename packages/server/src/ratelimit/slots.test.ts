import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('runs at most `max` at once, hands slots over in order, and refuses past the waiting room', async () => {
    const slots = new Slots(2, 1);
    const first = await slots.acquire();
    const second = await slots.acquire();
    expect([first, second].every(Boolean)).toBe(true);
    expect(slots.active).toBe(2);

    const order: string[] = [];
    const third = slots.acquire().then((release) => {
      order.push('third');
      return release;
    });
    expect(slots.waiting).toBe(1);
    // The waiting room is full: refused at once, nothing waits.
    expect(await slots.acquire()).toBeNull();
    expect(slots.waiting).toBe(1);

    first!();
    first!(); // a second release of the same slot changes nothing
    const thirdRelease = await third;
    expect(order).toEqual(['third']);
    expect(slots.active).toBe(2);
    expect(slots.waiting).toBe(0);

    second!();
    thirdRelease!();
    expect(slots.active).toBe(0);
    expect(await slots.acquire()).not.toBeNull();
  });
});
