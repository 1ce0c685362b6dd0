/** The gateway's notion of "now", injected so tests can move time (expiry, token lifetimes). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export function fixedClock(start: Date | string): Clock & { set(d: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (d) => {
      current = new Date(d);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/**
 * A clock that runs with real time from a chosen offset: for tests whose jobs the queue schedules
 * by the database's own clock, where a frozen clock would put retries in the past or the future.
 */
export function runningClock(offsetMs = 0): Clock & { set(d: Date | string): void; advance(ms: number): void } {
  let offset = offsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    set: (d) => {
      offset = new Date(d).getTime() - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}
