/**
 * Child-process entry that serves a synthetic broad web (see
 * broad-web-server-process.ts), so that the server's event loop is not the
 * crawler's: its clock then times requests as they arrive.
 *
 * Protocol over the fork IPC channel: argv[2] is the JSON of
 * `{ web, server }`; the child sends `{ ports }` once listening, answers
 * `"report"` with `{ report }`, `"close"` by closing and exiting, and exits
 * when the parent goes away.
 */
import { BroadWeb, type BroadWebOptions } from './broad-web.js';
import { startBroadWebServer, type BroadWebServerOptions } from './broad-web-server.js';

const options = JSON.parse(process.argv[2] ?? '{}') as { web: BroadWebOptions; server: BroadWebServerOptions };
const server = await startBroadWebServer(new BroadWeb(options.web), options.server);

async function shutdown(): Promise<void> {
  await server.close().catch(() => undefined);
  process.exit(0);
}

process.on('message', (message) => {
  if (message === 'report') process.send?.({ report: server.report() });
  if (message === 'close') void shutdown();
});
process.on('disconnect', () => void shutdown());
process.send?.({ ports: server.ports });
