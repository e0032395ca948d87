import { createServer } from 'node:http';

import { PRODUCTS } from './catalog.js';
import { errorFields } from './logger.js';
import { HttpError, readJsonBody, requestIdOf, sendHttpError, sendJson } from './http.js';
import { createOrderClient, OrderServiceError } from './order-client.js';
import { buildOrder } from './orders.js';

const SERVICE_NAME = 'backend';

/**
 * Creates the backend HTTP server without starting it.
 *
 * Routes: GET /healthz, GET /api/products and POST /api/orders, which forwards a validated order
 * to order-service. `config` is the object that readConfig returns. Every request produces one
 * `request` log line, and every server-side error one `error` line.
 */
export function createBackend({ config, logger }) {
  const orderClient = createOrderClient({
    baseUrl: config.orderServiceUrl,
    timeoutMs: config.orderServiceTimeoutMs,
  });
  const context = { config, logger, orderClient };

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

    route(request, response, { ...context, path, requestId }).catch((error) => {
      handleError(error, response, { logger, requestId });
    });
  });
  applyTimeouts(server);
  return server;
}

async function route(request, response, { config, logger, orderClient, path, requestId }) {
  switch (path) {
    case '/healthz':
      requireMethod(request, ['GET']);
      // A liveness check that does not call order-service, so that an order-service outage does
      // not make ECS replace healthy backend tasks.
      sendJson(response, 200, {
        status: 'ok',
        service: SERVICE_NAME,
        orderServiceConfigured: config.orderServiceUrl !== undefined,
        mongodbConfigured: config.mongodbUri !== undefined,
      });
      return;

    case '/api/products':
      requireMethod(request, ['GET']);
      sendJson(response, 200, { products: PRODUCTS }, { 'Cache-Control': 'public, max-age=60' });
      return;

    case '/api/orders': {
      requireMethod(request, ['POST']);
      const body = await readJsonBody(request);
      const { order, problems } = buildOrder(body);
      if (order === null) {
        throw new HttpError(400, 'invalid_order', 'The order is invalid.', problems);
      }
      const created = await orderClient.placeOrder(order, { requestId });
      logger.info('order placed', { requestId, orderId: created.id, totalCents: created.totalCents });
      sendJson(response, 201, created);
      return;
    }

    default:
      throw new HttpError(404, 'not_found', `No route for ${path}.`);
  }
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

function handleError(error, response, { logger, requestId }) {
  let httpError = error;
  if (error instanceof OrderServiceError) {
    logger.error('order-service call failed', {
      requestId,
      reason: error.reason,
      upstreamStatus: error.status,
      ...errorFields(error),
    });
    httpError = toHttpError(error);
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

// Maps a failed order-service call to the response for the customer. The messages leave out
// internal host names, which stay in the error log.
function toHttpError(error) {
  switch (error.reason) {
    case 'not_configured':
      return new HttpError(
        503,
        'order_service_not_configured',
        'Orders cannot be placed because ORDER_SERVICE_URL is not set on the backend.',
      );
    case 'timeout':
      return new HttpError(
        503,
        'order_service_timeout',
        'The order service did not respond in time. The order may not have been placed. Try again later.',
      );
    case 'unreachable':
      return new HttpError(
        503,
        'order_service_unavailable',
        'The order service is unreachable. Try again later.',
      );
    default:
      return new HttpError(
        502,
        'order_service_error',
        'The order service returned an invalid response. Try again later.',
      );
  }
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
