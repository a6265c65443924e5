/**
 * A test server's TCP port as Linux sees it (/proc/net/tcp and tcp6): how
 * many processes listen on it, and whether every request sent to it has been
 * read by one of them. These are the events a test waits for before it
 * relies on them, instead of sleeping and hoping.
 */
import { readFileSync } from "node:fs";

interface TcpSocket {
  localPort: number;
  remotePort: number;
  state: "LISTEN" | "ESTABLISHED" | "other";
  /** Bytes sent and not yet acknowledged. */
  txQueue: number;
  /** Bytes received and not yet read by the program; for a listening socket, connections not yet accepted. */
  rxQueue: number;
}

/** Kernel TCP states (include/net/tcp_states.h) that the checks below tell apart. */
const STATES: Record<string, TcpSocket["state"]> = { "01": "ESTABLISHED", "0A": "LISTEN" };

/** Every TCP socket with `port` at either end. Rows look like "0: 0100007F:AC8B 00000000:0000 0A 00000000:00000000 ...". */
function socketsOn(port: number): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const row of readFileSync(file, "utf8").split("\n").slice(1)) {
      const [, local, remote, state, queues] = row.trim().split(/\s+/);
      if (!queues) continue;
      const localPort = parseInt(local.split(":")[1], 16);
      const remotePort = parseInt(remote.split(":")[1], 16);
      if (localPort !== port && remotePort !== port) continue;
      const [tx, rx] = queues.split(":").map((hex) => parseInt(hex, 16));
      sockets.push({ localPort, remotePort, state: STATES[state] ?? "other", txQueue: tx, rxQueue: rx });
    }
  }
  return sockets;
}

/** How many sockets listen on `port`: one per process sharing it (SO_REUSEPORT). */
export function listeners(port: number): number {
  return socketsOn(port).filter((s) => s.localPort === port && s.state === "LISTEN").length;
}

/**
 * Whether the `inFlight` requests a test has sent to `port`, and not yet had
 * answered, have all been read by a server process: no connection waits in
 * a listening socket's accept queue, none holds bytes that its client has
 * not got through or its server has not read, and there is an accepted
 * connection for each request (a request whose connection is not yet made
 * has none).
 */
export function requestsRead(port: number, inFlight: number): boolean {
  const sockets = socketsOn(port);
  const server = sockets.filter((s) => s.localPort === port);
  const client = sockets.filter((s) => s.remotePort === port);
  return (
    server.every((s) => s.rxQueue === 0) &&
    client.every((s) => s.txQueue === 0) &&
    server.filter((s) => s.state === "ESTABLISHED").length >= inFlight
  );
}
