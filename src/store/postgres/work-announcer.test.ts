import { describe, expect, it } from 'vitest';
import { coalescedAnnouncer } from './work-announcer.js';

/** A send whose completion the test controls. */
function controlledSend() {
  const pending: Array<() => void> = [];
  let failNext = false;
  return {
    sends: () => pending.length,
    send: () =>
      new Promise<void>((resolve, reject) => {
        const fail = failNext;
        failNext = false;
        pending.push(() => (fail ? reject(new Error('database away')) : resolve()));
      }),
    complete: async (index: number) => {
      pending[index]!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    failNextSend: () => {
      failNext = true;
    },
  };
}

describe('coalescedAnnouncer', () => {
  it('sends at once when nothing is on its way', async () => {
    const control = controlledSend();
    const announce = coalescedAnnouncer(control.send);
    const done = announce();
    expect(control.sends()).toBe(1);
    await control.complete(0);
    await expect(done).resolves.toBeUndefined();
  });

  it('answers every call made during a send with one more send after it, not one each', async () => {
    const control = controlledSend();
    const announce = coalescedAnnouncer(control.send);
    let firstDone = false;
    let laterDone = 0;
    void announce().then(() => (firstDone = true));
    for (let i = 0; i < 5; i++) void announce().then(() => laterDone++);
    expect(control.sends()).toBe(1);
    await control.complete(0);
    expect(firstDone).toBe(true);
    // The later calls are answered only by a NOTIFY sent after the first one ended.
    expect(laterDone).toBe(0);
    expect(control.sends()).toBe(2);
    await control.complete(1);
    expect(laterDone).toBe(5);
    expect(control.sends()).toBe(2);
    // Idle again: the next call sends at once.
    void announce();
    expect(control.sends()).toBe(3);
  });

  it('goes on after a send that failed, and never rejects', async () => {
    const control = controlledSend();
    const announce = coalescedAnnouncer(control.send);
    control.failNextSend();
    const failed = announce();
    const queued = announce();
    await control.complete(0);
    await expect(failed).resolves.toBeUndefined();
    expect(control.sends()).toBe(2);
    await control.complete(1);
    await expect(queued).resolves.toBeUndefined();
  });
});
