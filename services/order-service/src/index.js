// Entry point: reads the configuration, starts the server and stops it on SIGTERM or SIGINT.
import { createOrderService } from './app.js';
import { readConfig } from './config.js';
import { createLogger, errorFields } from './logger.js';

// ECS waits 30 s by default (stopTimeout) between SIGTERM and SIGKILL, so open requests get
// less than that to finish.
const SHUTDOWN_GRACE_MS = 10_000;

const logger = createLogger({ service: 'order-service' });

let config;
try {
  config = readConfig();
} catch (error) {
  logger.error('invalid configuration', errorFields(error));
  process.exit(1);
}

const server = createOrderService({ logger });

server.on('error', (error) => {
  logger.error('server error', { port: config.port, ...errorFields(error) });
  process.exit(1);
});

server.listen(config.port, config.host, () => {
  logger.info('listening', { port: server.address().port, host: config.host ?? 'all interfaces' });
});

// Node running as PID 1 in a container has no default handler for these signals.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    server.close(() => {
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('open connections at shutdown deadline, exiting', { graceMs: SHUTDOWN_GRACE_MS });
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  });
}
