/** `hotpot mask add|list|remove`: privacy circles inside which nothing is drawn. */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { addMask, DEFAULT_MASK_RADIUS_M, parseLatLng, removeMask } from "../mask.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

const add = defineCommand({
  meta: { name: "add", description: "Hide everything within a radius of a point (replaces a mask of the same name)" },
  args: {
    ...globalArgs,
    name: { type: "positional", description: "a name to list and remove it by, e.g. home", required: true },
    latlng: { type: "string", alias: "l", description: "centre in decimal degrees", valueHint: "LAT,LNG", required: true },
    radius: { type: "string", alias: "r", description: "radius in metres", default: String(DEFAULT_MASK_RADIUS_M), valueHint: "METRES" },
  },
  run({ args }) {
    const { lat, lng } = parseLatLng(args.latlng, "latlng");
    const radius = /^\s*\d+(\.\d*)?\s*$/.test(args.radius) ? Number(args.radius) : NaN;
    if (Number.isNaN(radius)) throw new HotpotError("bad_argument", `radius: expected a number of metres, found '${args.radius}'`);
    // A privacy setting may come before the first import, so this one may create the database.
    const store = storeFromArgs(args);
    try {
      const { masks, replaced } = addMask(store.masks(), { name: args.name, lat, lng, radius });
      store.setConfig("activity_masks", masks);
      console.log(`${replaced ? "replaced" : "added"} mask '${args.name}': ${describe(lat, lng, radius)}`);
    } finally {
      store.close();
    }
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List the masks" },
  args: { ...globalArgs },
  run({ args }) {
    const store = storeFromArgs(args, { mustExist: true });
    try {
      const masks = store.masks();
      if (masks.length === 0) console.log("no masks");
      for (const m of masks) console.log(`${m.name}\t${describe(m.lat, m.lng, m.radius)}`);
    } finally {
      store.close();
    }
  },
});

const remove = defineCommand({
  meta: { name: "remove", description: "Remove a mask by name" },
  args: {
    ...globalArgs,
    name: { type: "positional", description: "the mask's name", required: true },
  },
  run({ args }) {
    const store = storeFromArgs(args, { mustExist: true });
    try {
      store.setConfig("activity_masks", removeMask(store.masks(), args.name));
      console.log(`removed mask '${args.name}'`);
    } finally {
      store.close();
    }
  },
});

function describe(lat: number, lng: number, radius: number): string {
  return `${lat},${lng} radius ${radius} m`;
}

export default defineCommand({
  meta: { name: "mask", description: "Privacy masks: circles inside which nothing is drawn, at every zoom" },
  subCommands: { add, list, remove },
  // `hotpot mask` alone lists, as the Rust hotpot's does.
  default: "list",
});
