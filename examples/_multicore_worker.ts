/**
 * One loop of `multicore_echo.ts`: a Worker that runs the tutorial's echo
 * server on the shared port (`reusePort`), counts the clients it served,
 * and stops when told.
 *
 * @module
 */
import {
  Event,
  run,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";
import { handle } from "./echo_server.ts";

const scope = self as unknown as {
  onmessage: (event: MessageEvent<{ port?: number; stop?: true }>) => void;
  postMessage(message: unknown): void;
  close(): void;
};

let stop: Event | null = null;

scope.onmessage = (event) => {
  if (event.data.stop) {
    stop?.set();
    return;
  }
  run(async () => {
    stop = new Event();
    let clients = 0;
    const server = await startServer(
      (reader: StreamReader, writer: StreamWriter) => {
        clients++;
        return handle(reader, writer);
      },
      "127.0.0.1",
      event.data.port ?? 0,
      { reusePort: true },
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    scope.postMessage({ ready: port });
    await stop.wait();
    server.close();
    await server.waitClosed();
    scope.postMessage({ clients });
    scope.close();
  });
};
