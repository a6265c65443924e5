import { HotpotError } from "../../src/errors.ts";

/** The HotpotError `run` throws, so a test can look at its code and message; anything else fails the test. */
export function errorOf(run: () => unknown): HotpotError {
  try {
    run();
  } catch (e) {
    if (e instanceof HotpotError) return e;
    throw e;
  }
  throw new Error("expected a HotpotError");
}
