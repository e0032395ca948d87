import { createServer } from 'node:http';

import { errorFields } from './logger.js';
import { HttpError, readJsonBody, requestIdOf, sendHttpError, sendJson } from './http.js';
import { OrderStore, OrderStoreFullError, validateOrder } from './orders.js';

const SERVICE_NAME = 'order-service';
const ORDER_PATH = /^\/orders\/([^/]+)$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Creates the order-service HTTP server without starting it.
 *
 * Routes: GET /healthz, POST /orders and GET /orders/:id. Every response is JSON, and every
 * request produces one `request` log line. Errors that are not client errors are also logged.
 */
export function createOrderService({ logger, store = new OrderStore() }) {
  const server = createServer((request, response) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdOf(request);
    const path = new URL(request.url, 'http://localhost').pathname;
    response.setHeader('X-Request-Id', requestId);

    // `close` fires after the response finished or after the client went away.
    response.on('close', () => {
      logger.info('request', {
        requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
        completed: response.writableFinished,
      });
    });

    route(request, response, { path, requestId, logger, store }).catch((error) => {
      handleError(error, response, { requestId, logger });
    });
  });
  applyTimeouts(server);
  return server;
}

async function route(request, response, { path, requestId, logger, store }) {
  if (path === '/healthz') {
    requireMethod(request, ['GET']);
    sendJson(response, 200, { status: 'ok', service: SERVICE_NAME, storedOrders: store.size });
    return;
  }

  if (path === '/orders') {
    requireMethod(request, ['POST']);
    const body = await readJsonBody(request);
    const { order, problems } = validateOrder(body);
    if (order === null) {
      throw new HttpError(400, 'invalid_order', 'The order is invalid.', problems);
    }
    const stored = store.add(order);
    logger.info('order stored', { requestId, orderId: stored.id, items: stored.items.length });
    sendJson(response, 201, stored, { Location: `/orders/${stored.id}` });
    return;
  }

  const match = ORDER_PATH.exec(path);
  if (match !== null) {
    requireMethod(request, ['GET']);
    const id = match[1];
    const order = UUID_PATTERN.test(id) ? store.get(id) : undefined;
    if (order === undefined) {
      throw new HttpError(404, 'order_not_found', `No order with id ${JSON.stringify(id)}.`);
    }
    sendJson(response, 200, order);
    return;
  }

  throw new HttpError(404, 'not_found', `No route for ${path}.`);
}

function requireMethod(request, allowed) {
  if (!allowed.includes(request.method)) {
    throw new HttpError(
      405,
      'method_not_allowed',
      `Method ${request.method} is not allowed here. Use ${allowed.join(' or ')}.`,
      { allow: allowed },
    );
  }
}

function handleError(error, response, { requestId, logger }) {
  let httpError = error;
  if (error instanceof OrderStoreFullError) {
    logger.error('order rejected', { requestId, ...errorFields(error) });
    httpError = new HttpError(503, 'order_store_full', `${error.message} Try again later.`);
  } else if (!(error instanceof HttpError)) {
    logger.error('request failed', { requestId, ...errorFields(error) });
    httpError = new HttpError(500, 'internal_error', 'Internal server error.');
  } else if (error.status >= 500) {
    logger.error('request failed', { requestId, ...errorFields(error) });
  }

  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendHttpError(response, httpError);
}

/**
 * Sets the server's timeouts for running behind an Application Load Balancer.
 *
 * The keep-alive timeout must exceed the load balancer's idle timeout (60 s by default), or Node
 * may close a connection that the load balancer is about to reuse, which the client sees as 502.
 */
export function applyTimeouts(server) {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
}
