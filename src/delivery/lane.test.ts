import { describe, expect, it } from 'vitest';
import { Lane, Pace } from './lane.js';

function clock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

function typicalOf(ms: number): Pace {
  const pace = new Pace();
  pace.add(ms);
  return pace;
}

describe('lane waiting room', () => {
  it('lets as many wait as may be in flight while nothing is known of the destination', () => {
    const lane = new Lane(16, clock().now);
    expect(lane.waitingRoom(256, new Pace())).toBe(16);
  });

  it('lets a destination about as fast as the others keep up to the worker limit waiting', () => {
    const lane = new Lane(16, clock().now);
    lane.start()(3);
    expect(lane.waitingRoom(256, typicalOf(2))).toBe(256);
    // Under 50 ms it is never slow, even against much faster ones.
    const slowish = new Lane(16, clock().now);
    slowish.start()(40);
    expect(slowish.waitingRoom(256, typicalOf(1))).toBe(256);
  });

  it('keeps only what a much slower destination can start within 200 ms', () => {
    const lane = new Lane(16, clock().now);
    lane.start()(100);
    // 200 ms of waiting at 100 ms an attempt, 16 at a time.
    expect(lane.waitingRoom(256, typicalOf(5))).toBe(32);
    const slower = new Lane(16, clock().now);
    slower.start()(500);
    expect(slower.waitingRoom(256, typicalOf(5))).toBe(0);
  });

  it('treats an attempt in flight for over a second as a hanging destination', () => {
    const time = clock();
    const lane = new Lane(16, time.now);
    lane.start()(2);
    lane.start();
    time.advance(1500);
    expect(lane.waitingRoom(256, typicalOf(2))).toBe(0);
  });
});

describe('handing deliveries back', () => {
  it('makes them due again after a second at least, then spreads them at the lane pace', () => {
    const time = clock();
    const lane = new Lane(10, time.now);
    lane.start()(2000);
    expect(lane.handBackDelayMs(20)).toBe(1000);
    // The 20 before them take 20 × 2 s ÷ 10 slots = 4 s.
    expect(lane.handBackDelayMs(1)).toBe(5000);
  });

  it('never schedules further than a minute ahead', () => {
    const lane = new Lane(1, clock().now);
    lane.start()(10_000);
    lane.handBackDelayMs(100);
    expect(lane.handBackDelayMs(1)).toBe(60_000);
  });
});

describe('forgetting lanes', () => {
  it('forgets a lane only once it has been idle for the time given', () => {
    const time = clock();
    const lane = new Lane<string>(4, time.now);
    const finished = lane.start();
    time.advance(5000);
    expect(lane.idleFor(1000)).toBe(false);
    finished(5000);
    time.advance(999);
    expect(lane.idleFor(1000)).toBe(false);
    time.advance(1);
    expect(lane.idleFor(1000)).toBe(true);
    lane.waiting.push('job');
    expect(lane.idleFor(1000)).toBe(false);
  });
});
