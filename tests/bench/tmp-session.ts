// Throwaway (not committed): one-thread session time on several databases, interleaved.
import { encodePng } from "../../src/encode.ts";
import { resolveGradient } from "../../src/palette.ts";
import { compileQuery } from "../../src/query.ts";
import { renderTileCounts } from "../../src/render.ts";
import { openStore } from "../../src/store.ts";
import { sampleSession } from "./_tiles.ts";
const dbs = process.argv.slice(2);
const palette = resolveGradient({});
const ride = compileQuery({ filter: "activity_type = ride" });
const q = (s: number[], p: number) => { const t = [...s].sort((a, b) => a - b); return t[Math.min(t.length - 1, Math.floor(p * t.length))].toFixed(1); };
const base = openStore(dbs[0], { mustExist: true, readonly: true });
const session = sampleSession(base, 2000, 1);
for (let round = 0; round < 2; round++) for (const db of dbs) {
  const store = openStore(db, { mustExist: true, readonly: true });
  for (const [label, query] of [["all", null], ["ride", ride]] as const) {
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (const t of session) {
      const t0 = performance.now();
      const c = renderTileCounts(store, t.z, t.x, t.y, { size: 512, query });
      if (c) encodePng(c, 512, 512, palette);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    console.log(`${db.split("/").pop()} ${label}: p50 ${q(times, 0.5)} p99 ${q(times, 0.99)} max ${q(times, 1)} ms; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
  }
  store.close();
}
