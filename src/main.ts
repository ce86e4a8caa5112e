/**
 * `npm start`: the web chat (and, when configured, Slack) on one server.
 * SIGTERM and SIGINT stop accepting connections, let the turns in flight
 * finish, then close the store.
 */
import type { Server } from 'node:http';
import { bootstrap, type Services } from './bootstrap.js';
import { createApp } from './channels/web/app.js';
import { toGovError } from './errors.js';

export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<{ services: Services; server: Server; url: string; stop: () => Promise<void> }> {
  const services = await bootstrap({ env });
  const app = createApp(services);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(services.config.PORT, services.config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : services.config.PORT;
  const url = `http://${services.config.HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await services.store.close();
    })());
  return { services, server, url, stop };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isEntryPoint) {
  startServer().then(
    ({ services, url, stop }) => {
      services.logger.info({ url, store: services.store.kind, flow: services.definition.flow.id }, `Govstage is listening on ${url}`);
      const shutdown = (signal: string) => {
        services.logger.info({ signal }, 'shutting down: finishing turns in flight');
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            services.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    },
    (error: unknown) => {
      const e = toGovError(error);
      process.stderr.write(`Govstage could not start: ${e.message}\n`);
      process.exit(1);
    },
  );
}
