import { describe, expect, test } from "bun:test";
import { WorkerPool } from "../../src/import/pool.ts";

const spawn = () => new Worker(new URL("../fixtures/import/echo-worker.ts", import.meta.url));

describe("WorkerPool", () => {
  test("every worker gets init; results come back to their callers", async () => {
    const pool = new WorkerPool<string, string>(spawn, { size: 2, depth: 3, init: "w:" });
    try {
      const tasks = Array.from({ length: 20 }, (_, i) => `t${i}`);
      const results = await Promise.all(tasks.map(async (t) => (await pool.available(), pool.run(t))));
      expect(results).toEqual(tasks.map((t) => `w:${t}`));
    } finally {
      pool.terminate();
    }
  });

  test("available() holds back once size x depth tasks are in flight", async () => {
    const pool = new WorkerPool<string, string>(spawn, { size: 2, depth: 2, init: "" });
    try {
      const running = [1, 2, 3, 4].map((i) => pool.run(`t${i}`));
      let released = false;
      const wait = pool.available().then(() => (released = true));
      await Bun.sleep(0);
      expect(released).toBe(false);
      await Promise.all([...running, wait]);
      expect(released).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  test("transferred buffers move to the worker", async () => {
    const pool = new WorkerPool<Uint8Array, number>(spawn, { size: 1, depth: 1 });
    try {
      const bytes = new Uint8Array(1000);
      expect(await pool.run(bytes, [bytes.buffer])).toBe(1000);
      expect(bytes.byteLength).toBe(0);
    } finally {
      pool.terminate();
    }
  });

  test("a worker that dies fails its own tasks only, and is replaced", async () => {
    const pool = new WorkerPool<string, string>(spawn, { size: 1, depth: 4, init: "w:" });
    try {
      const crash = pool.run("crash");
      await expect(crash).rejects.toThrow(/worker stopped while handling this file.*poisoned file/);
      expect(await pool.run("after")).toBe("w:after");
    } finally {
      pool.terminate();
    }
  });
});
