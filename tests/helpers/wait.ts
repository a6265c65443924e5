/**
 * Waiting in a test for something to happen rather than for a fixed time: a
 * fixed sleep is too short on a busy machine (a flaky test) and longer than
 * needed everywhere else (a slow one).
 */

export interface WaitOptions {
  /** What is awaited, for the error on timeout: "the peer process listening on 127.0.0.1:8080". */
  what: string;
  /** Give up after this long. Generous, since the machine may be busy; a passing test waits only as long as the event takes. */
  timeoutMs?: number;
  /** How often `condition` is asked: often enough to add little to a test, seldom enough to leave the thing awaited the CPU. */
  everyMs?: number;
}

/** Resolves once `condition` holds; throws an error naming `what` if it does not within `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, { what, timeoutMs = 10_000, everyMs = 10 }: WaitOptions): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    await Bun.sleep(everyMs);
  }
}
