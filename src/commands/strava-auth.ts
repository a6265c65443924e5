/** `hotpot strava-auth`: connect a Strava account once, storing its tokens in the database. */
import { defineCommand } from "citty";
import { HotpotError } from "../errors.ts";
import { stravaAuthRoutes } from "../server/strava-routes.ts";
import { stravaEnv } from "../sources/strava.ts";
import { globalArgs, storeFromArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "strava-auth",
    description:
      "Connect a Strava account: serves /strava/auth, stores the athlete's tokens and shows the command that registers the webhook (needs STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET)",
  },
  args: {
    ...globalArgs,
    host: { type: "string", alias: "H", description: "address to listen on", default: "127.0.0.1" },
    port: { type: "string", alias: "p", description: "port to listen on", default: "8080" },
  },
  async run({ args }) {
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HotpotError("bad_argument", `--port: expected a port number from 0 to 65535, found '${args.port}'`);
    const env = stravaEnv("auth");
    const store = storeFromArgs(args);
    const app = stravaAuthRoutes(store, env);
    const server = Bun.serve({ hostname: args.host, port, fetch: (req) => app.handle(req) });
    const shown = args.host === "0.0.0.0" || args.host === "::" ? "127.0.0.1" : args.host;
    console.log(`Open http://${shown}:${server.port}/strava/auth in a browser and press Authorize.`);
    console.log(
      `Your Strava API application's "Authorization Callback Domain" must be the host name in that address (${shown}; localhost and 127.0.0.1 always work). Press Ctrl-C when done.`,
    );
    await new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
    });
    await server.stop();
    store.close();
  },
});
