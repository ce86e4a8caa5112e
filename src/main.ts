/**
 * `npm start`: the web chat and the chat channels configured (Slack, Teams) on one server.
 * SIGTERM and SIGINT stop accepting connections, let the turns in flight
 * finish, then close the store.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { bootstrap, type Services } from './bootstrap.js';
import { createApp } from './channels/web/app.js';
import { loadEnvFile } from './env-file.js';
import { toGovError } from './errors.js';
import type { Channel } from './channels/channel.js';
import { configuredChannels } from './channels/configured.js';
import { scheduleRetention } from './service/retention.js';

export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<{ services: Services; server: Server; url: string; channels: Channel[]; stop: () => Promise<void> }> {
  const services = await bootstrap({ env });
  // Slack and Teams, as their variables turn them on (see configured.ts).
  const channels = await configuredChannels(services);
  const app = createApp(services, { channels });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(services.config.PORT, services.config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : services.config.PORT;
  const url = `http://${services.config.HOST}:${port}`;
  // A channel that connects out (Slack's Socket Mode) does so in the background: the web chat does not wait for it.
  for (const channel of channels) void channel.start();
  // Retention runs now and every 6 hours; its timer never keeps the process alive.
  const retention = scheduleRetention({ store: services.store, olderThanDays: services.config.RETENTION_DAYS, logger: services.logger });
  // Answers being prepared, so a stop can tell their keep-alive connections to close once they are sent.
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // The connection it used is idle now: close it rather than wait for the keep-alive timeout.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // server.close() alone waits for in-flight requests but then leaves their keep-alive
      // connections open (and serving) until the keep-alive timeout: a busy client could hold
      // the stop open indefinitely. Every answer from now on closes its connection.
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // A channel's work continues after its HTTP answer (Slack acknowledges first): let it finish before the store closes.
      await Promise.all(channels.map((channel) => channel.stop()));
      await retention.stop();
      await services.rateLimits?.close();
      await services.store.close();
    })());
  return { services, server, url, channels, stop };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isEntryPoint) {
  const fromEnvFile = loadEnvFile();
  startServer().then(
    ({ services, url, stop }) => {
      // Names only: values may be secrets.
      if (fromEnvFile) services.logger.info({ variables: fromEnvFile }, 'read .env (the environment takes precedence)');
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
