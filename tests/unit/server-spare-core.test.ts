import { describe, expect, test } from "bun:test";
import { machineIdleMs, SpareCore } from "../../src/server/spare-core.ts";

describe("SpareCore", () => {
  /** A machine whose cores together idle `rate` ms per ms, from time 0. */
  function machine(rate: number) {
    let now = 0;
    let idle = 0;
    return {
      advance(ms: number, idleRate = rate) {
        now += ms;
        idle += ms * idleRate;
      },
      now: () => now,
      idle: () => idle,
    };
  }

  test("a core idle half the time or more is spare; a busy machine is not", () => {
    const m = machine(1.2);
    const spare = new SpareCore(m.idle, 0);
    // The first answer, before a window has passed, is yes.
    expect(spare.available(0)).toBe(true);
    m.advance(100);
    expect(spare.available(m.now())).toBe(true);
    m.advance(100, 0.1);
    expect(spare.available(m.now())).toBe(false);
    // Within a window the last judgement stands.
    m.advance(50, 2);
    expect(spare.available(m.now())).toBe(false);
    m.advance(60, 2);
    expect(spare.available(m.now())).toBe(true);
    m.advance(100, 0.5);
    expect(spare.available(m.now())).toBe(true);
  });

  test("the helper's own drawing counts as idle: without it, that core would have been", () => {
    const m = machine(0);
    const spare = new SpareCore(m.idle, 0);
    m.advance(100);
    spare.helped(40);
    expect(spare.available(m.now())).toBe(false);
    m.advance(100);
    spare.helped(30);
    spare.helped(30);
    expect(spare.available(m.now())).toBe(true);
    // Counted once: the next window starts from nothing.
    m.advance(100);
    expect(spare.available(m.now())).toBe(false);
  });

  test("reads this machine's idle time, which only grows", async () => {
    const first = machineIdleMs();
    expect(first).toBeGreaterThan(0);
    // Time has to pass for the counter to move; how far it moves depends on the machine's load, so only its direction is checked.
    await Bun.sleep(30);
    expect(machineIdleMs()).toBeGreaterThanOrEqual(first);
  });
});
