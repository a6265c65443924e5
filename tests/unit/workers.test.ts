import { describe, expect, test } from "bun:test";
import { HotpotError } from "../../src/errors.ts";
import { WorkerPool } from "../../src/workers.ts";

const spawn = () => new Worker(new URL("../fixtures/workers/echo-worker.ts", import.meta.url));

/** A pool of echo workers, terminated after `use`. */
async function withPool<T>(options: { size: number; depth: number; init?: string }, use: (pool: WorkerPool<unknown, unknown>) => Promise<T>): Promise<T> {
  const pool = new WorkerPool<unknown, unknown>(spawn, { ...options, name: "echo worker" });
  try {
    return await use(pool);
  } finally {
    pool.terminate();
  }
}

describe("WorkerPool", () => {
  test("every worker gets init; answers out of order reach their own callers", () =>
    withPool({ size: 2, depth: 5, init: "w:" }, async (pool) => {
      // Later tasks answer sooner, so replies arrive in another order than the tasks went out.
      const tasks = Array.from({ length: 10 }, (_, i) => ({ delay: 30 - 3 * i, text: `t${i}` }));
      const results = await Promise.all(tasks.map((t) => pool.run(t)));
      expect(results).toEqual(tasks.map((t) => `w:${t.text}`));
    }));

  test("available() holds back once size x depth tasks are in flight", () =>
    withPool({ size: 1, depth: 4, init: "" }, async (pool) => {
      const running = [1, 2, 3, 4].map(() => pool.run("held"));
      expect(pool.pending).toBe(4);
      let released = false;
      const wait = pool.available().then(() => (released = true));
      await Bun.sleep(0);
      expect(released).toBe(false);
      // run() itself is not held back: this one releases the four.
      expect(await pool.run("open")).toBe(4);
      await wait;
      expect(released).toBe(true);
      expect(await Promise.all(running)).toEqual(["held", "held", "held", "held"]);
      expect(pool.pending).toBe(0);
    }));

  test("a transfer list moves buffers both ways", () =>
    withPool({ size: 1, depth: 1 }, async (pool) => {
      const bytes = new Uint8Array(1000);
      expect(await pool.run(bytes, [bytes.buffer])).toBe(1000);
      expect(bytes.byteLength).toBe(0);
      const sent = (await pool.run("send buffer")) as ArrayBuffer;
      expect(sent.byteLength).toBe(1000);
      expect(await pool.run("was it moved?")).toBe(true);
    }));

  test("a task that throws fails alone, keeping its error code; the worker goes on", () =>
    withPool({ size: 1, depth: 2, init: "w:" }, async (pool) => {
      const [broken, next] = [pool.run("throw"), pool.run("next")];
      const error = await broken.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HotpotError);
      expect(error).toMatchObject({ code: "bad_file", message: "this task is broken" });
      expect(await next).toBe("w:next");
    }));

  test.each([
    ["dies of an uncaught error", "crash", /echo worker stopped while handling this task \(with 1 others\): poisoned task/],
    ["exits", "exit", /echo worker stopped while handling this task \(with 1 others\): exited with code 7/],
  ])("a worker that %s fails its own tasks only, and is replaced with init", (_, how, message) =>
    withPool({ size: 2, depth: 4, init: "w:" }, async (pool) => {
      // The least busy worker gets each task, the first on a tie: the first worker gets the first and third.
      const failure = (e: unknown) => (e instanceof Error ? e.message : "resolved");
      const doomed = pool.run(how).then(failure, failure);
      const survivor = pool.run({ delay: 50, text: "other worker" });
      const alsoHeld = pool.run("hang").then(failure, failure);
      expect(await doomed).toMatch(message);
      expect(await alsoHeld).toMatch(message);
      expect(await survivor).toBe("w:other worker");
      expect(await pool.run("after")).toBe("w:after");
      expect(pool.pending).toBe(0);
    }));

  test("terminate fails the tasks in flight, and later ones", async () => {
    const pool = new WorkerPool<unknown, unknown>(spawn, { size: 1, depth: 1, name: "echo worker" });
    const hanging = pool.run("hang");
    pool.terminate();
    await expect(hanging).rejects.toThrow(/echo worker: stopped before answering/);
    await expect(pool.run("again")).rejects.toThrow(/echo worker: the pool was terminated/);
  });

  test("an init that throws fails every task with its error, without respawning", () =>
    withPool({ size: 1, depth: 1, init: "bad init" }, async (pool) => {
      for (const task of ["a", "b"]) {
        const error = await pool.run(task).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "not_found", message: "no such database" });
      }
    }));
});
