/** `hotpot fetch intervals-icu`: pull new activities from a remote source. */
import { defineCommand } from "citty";
import { fetchIntervals, formatFetchSummary, intervalsEnv, parseLookback } from "../sources/intervals.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

const intervalsIcu = defineCommand({
  meta: { name: "intervals-icu", description: "Import activities recorded since the look-back from intervals.icu (needs INTERVALS_ICU_API_KEY); safe to re-run" },
  args: {
    ...globalArgs,
    lookback: { type: "string", alias: "l", valueHint: "DAYS", description: "days to look back (the fetch_cutoff config date wins when it is later)", default: "30" },
  },
  async run({ args }) {
    const lookbackDays = parseLookback(args.lookback, "--lookback");
    const env = intervalsEnv();
    const store = storeFromArgs(args);
    try {
      const summary = await fetchIntervals(store, env, { lookbackDays, log: args.verbose ? (line) => console.error(line) : undefined });
      console.log(formatFetchSummary(summary));
    } finally {
      store.close();
    }
  },
});

export default defineCommand({
  meta: { name: "fetch", description: "Pull new activities from a remote source (intervals-icu)" },
  subCommands: { "intervals-icu": intervalsIcu },
});
