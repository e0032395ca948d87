/**
 * Raised when an order cannot be placed with order-service.
 *
 * `reason` is one of `not_configured` (no ORDER_SERVICE_URL), `unreachable`, `timeout` or
 * `bad_response` (a status other than 201, or a body that is not an order).
 */
export class OrderServiceError extends Error {
  constructor(reason, message, { status, cause } = {}) {
    super(message, { cause });
    this.name = 'OrderServiceError';
    this.reason = reason;
    this.status = status;
  }
}

/**
 * Creates a client for order-service's POST /orders.
 *
 * `baseUrl` is a URL or undefined. Without one, every call raises OrderServiceError with reason
 * `not_configured`. Each call, including reading the response body, must finish within
 * `timeoutMs`.
 */
export function createOrderClient({ baseUrl, timeoutMs }) {
  const ordersUrl = baseUrl === undefined ? undefined : new URL('orders', withTrailingSlash(baseUrl));

  async function placeOrder(order, { requestId }) {
    if (ordersUrl === undefined) {
      throw new OrderServiceError('not_configured', 'ORDER_SERVICE_URL is not set.');
    }

    const signal = AbortSignal.timeout(timeoutMs);
    let response;
    let text;
    try {
      response = await fetch(ordersUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-Request-Id': requestId,
        },
        body: JSON.stringify(order),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) {
        throw new OrderServiceError(
          'timeout',
          `order-service at ${ordersUrl.origin} did not respond within ${timeoutMs} ms.`,
          { cause: error },
        );
      }
      const detail = error.cause?.code ?? error.message;
      throw new OrderServiceError(
        'unreachable',
        `order-service at ${ordersUrl.origin} is unreachable (${detail}).`,
        { cause: error },
      );
    }

    if (response.status !== 201) {
      throw new OrderServiceError(
        'bad_response',
        `order-service returned status ${response.status}, expected 201.`,
        { status: response.status },
      );
    }
    let created;
    try {
      created = JSON.parse(text);
    } catch (error) {
      throw new OrderServiceError('bad_response', 'order-service returned a body that is not JSON.', {
        status: response.status,
        cause: error,
      });
    }
    if (typeof created?.id !== 'string') {
      throw new OrderServiceError('bad_response', 'order-service returned an order without an id.', {
        status: response.status,
      });
    }
    return created;
  }

  return { placeOrder, origin: ordersUrl?.origin };
}

function withTrailingSlash(url) {
  const copy = new URL(url);
  if (!copy.pathname.endsWith('/')) {
    copy.pathname += '/';
  }
  return copy;
}
