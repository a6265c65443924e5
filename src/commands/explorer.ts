/** `hotpot explorer`: explored tiles, max square and max cluster of the activities a filter and dates select. */
import { defineCommand } from "citty";
import { cellsGeoJson, explore, parseExplorerZoom, summary, type ExplorerSummary } from "../explorer-query.ts";
import { queryArgs, queryOptions } from "./_image.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

/** Widest bar of the per-year chart, in characters. */
const BAR_WIDTH = 40;

export default defineCommand({
  meta: { name: "explorer", description: "Explorer tiles (zoom 14 or 17) of the matching activities: explored, max square, max cluster, gained per year" },
  args: {
    ...globalArgs,
    zoom: { type: "string", alias: "z", description: "explorer zoom: 14 (about 1.5 km tiles) or 17 (about 200 m)", default: "14", valueHint: "14|17" },
    ...queryArgs,
    json: { type: "boolean", description: "print the numbers as JSON, as GET /api/explorer answers", default: false },
    geojson: { type: "string", description: "also write every explored tile as GeoJSON polygons to FILE", valueHint: "FILE" },
  },
  async run({ args }) {
    const zoom = parseExplorerZoom(args.zoom);
    const query = queryOptions(args);
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const result = explore(store, zoom, query);
      const numbers = summary(result);
      console.log(args.json ? JSON.stringify(numbers) : report(numbers));
      if (args.geojson !== undefined) {
        await Bun.write(args.geojson, JSON.stringify(cellsGeoJson(result)));
        console.error(`${args.geojson}: ${numbers.explored} tiles`);
      }
    } finally {
      store.close();
    }
  },
});

function report(n: ExplorerSummary): string {
  const square = n.max_square.size > 0 ? `${n.max_square.size} × ${n.max_square.size}, north-west tile ${n.zoom}/${n.max_square.x}/${n.max_square.y}` : "none";
  const lines = [
    `explored tiles (zoom ${n.zoom}): ${n.explored}`,
    `max square: ${square}`,
    `max cluster: ${n.max_cluster.size} tiles`,
  ];
  const years = Object.entries(n.by_year);
  if (years.length > 0) {
    lines.push("first explored per year:");
    const top = Math.max(...years.map(([, count]) => count));
    const width = String(top).length;
    for (const [year, count] of years) lines.push(`  ${year} ${String(count).padStart(width)} ${"█".repeat(Math.max(1, Math.round((count / top) * BAR_WIDTH)))}`);
  }
  return lines.join("\n");
}
