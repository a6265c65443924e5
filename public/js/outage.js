// A server that stops answering: the page says so, checks again with growing pauses, and
// when the server is back reloads the heat (tiles that failed meanwhile are never retried by
// the map on its own) and the count.
import * as api from "./api.js";
import { notice } from "./notices.js";

/** Pauses between checks, in ms: quick at first (a restart takes seconds), then every 15 s. */
const BACKOFF = [1000, 2000, 4000, 8000, 15000];

/** `onBack()` runs once the server answers again. */
export function setupOutage({ onBack }) {
  let down = false;
  let attempt = 0;
  let timer = null;

  let reported = false;

  /** Resolves whether the server answered; api.call reports either way, which drives the state. */
  async function check() {
    clearTimeout(timer);
    try {
      // Any answer, even an error status, means the server is there.
      await api.call("/healthz", { cache: "no-store" });
      return true;
    } catch {
      return false;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, BACKOFF[Math.min(attempt++, BACKOFF.length - 1)]);
  }

  api.onReach((ok) => {
    if (!ok) {
      if (!down) {
        down = true;
        attempt = 0;
        notice("server", "The hotpot server cannot be reached. Retrying…", { label: "Retry now", onClick: check });
      }
      schedule();
    } else if (down) {
      down = false;
      clearTimeout(timer);
      notice("server", "");
      onBack();
    }
  });

  return {
    /** A heat tile failed: if the server is gone, the outage state takes over; otherwise it is reported once. */
    async tileFailed(message) {
      if (down || reported) return;
      if (!(await check()) || reported) return;
      reported = true;
      notice("tiles", `Some heat tiles could not be loaded: ${message}`);
    },
  };
}
