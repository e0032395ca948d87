import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { createBackend } from '../src/app.js';
import { PRODUCTS } from '../src/catalog.js';
import { readConfig } from '../src/config.js';
import { createOrderService } from '../../order-service/src/app.js';
import { createMemoryLogger, listenOnLoopback, postJson, waitFor } from './helpers.js';

const ORDER_REQUEST = {
  customerEmail: 'ada@example.com',
  items: [
    { productId: 'mug-classic', quantity: 2 },
    { productId: 'notebook-a5', quantity: 1 },
  ],
};

/** Starts a backend on loopback with `env` as its environment and collects its log entries. */
async function startBackend(env = {}) {
  const { logger, entries } = createMemoryLogger('backend');
  const server = createBackend({ config: readConfig(env), logger });
  const backend = await listenOnLoopback(server);
  return { ...backend, logs: entries };
}

/**
 * Starts a stand-in for order-service on loopback. `handle(request, body, response)` responds
 * to each request. Every request's method, URL, headers and parsed body is kept in `received`.
 */
async function startFakeOrderService(handle) {
  const received = [];
  const server = createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) {
      text += chunk;
    }
    const body = text === '' ? undefined : JSON.parse(text);
    received.push({ method: request.method, url: request.url, headers: request.headers, body });
    handle(request, body, response);
  });
  const fake = await listenOnLoopback(server);
  return { ...fake, received };
}

function respondCreated(request, body, response) {
  const order = { id: 'order-1', status: 'received', createdAt: '2026-01-01T00:00:00.000Z', ...body };
  response.writeHead(201, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(order));
}

async function freeLoopbackPort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

describe('backend routes', () => {
  let backend;

  before(async () => {
    backend = await startBackend();
  });

  after(() => backend.close());

  test('GET /healthz reports unset settings', async () => {
    const response = await fetch(`${backend.baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await response.json(), {
      status: 'ok',
      service: 'backend',
      orderServiceConfigured: false,
      mongodbConfigured: false,
    });
  });

  test('GET /api/products returns the catalog', async () => {
    const response = await fetch(`${backend.baseUrl}/api/products`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=60');
    const { products } = await response.json();
    assert.deepEqual(products, PRODUCTS);
  });

  test('POST /api/orders returns 503 without ORDER_SERVICE_URL', async () => {
    const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST, {
      'X-Request-Id': 'no-order-service',
    });
    assert.equal(response.status, 503);
    const { error } = await response.json();
    assert.equal(error.code, 'order_service_not_configured');
    assert.match(error.message, /ORDER_SERVICE_URL is not set/);

    const errorLine = backend.logs.find(
      (entry) => entry.level === 'error' && entry.requestId === 'no-order-service',
    );
    assert.equal(errorLine.msg, 'order-service call failed');
    assert.equal(errorLine.reason, 'not_configured');
  });

  test('POST /api/orders validates before calling order-service', async () => {
    const response = await postJson(`${backend.baseUrl}/api/orders`, {
      customerEmail: 'ada@example.com',
      items: [{ productId: 'no-such-product', quantity: 1 }],
    });
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.code, 'invalid_order');
    assert.deepEqual(error.details, ['items[0].productId: "no-such-product" is not in the catalog.']);
  });

  test('POST /api/orders rejects invalid JSON', async () => {
    const response = await fetch(`${backend.baseUrl}/api/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, 'invalid_json');
  });

  test('POST /api/orders rejects form data', async () => {
    const response = await fetch(`${backend.baseUrl}/api/orders`, {
      method: 'POST',
      body: new URLSearchParams({ customerEmail: 'ada@example.com' }),
    });
    assert.equal(response.status, 415);
    assert.equal((await response.json()).error.code, 'unsupported_media_type');
  });

  test('POST /api/orders rejects a body over 16 KiB', async () => {
    const response = await postJson(`${backend.baseUrl}/api/orders`, {
      ...ORDER_REQUEST,
      note: 'x'.repeat(17 * 1024),
    });
    assert.equal(response.status, 413);
  });

  test('wrong method returns 405 with Allow', async () => {
    const response = await fetch(`${backend.baseUrl}/api/products`, { method: 'DELETE' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET');
  });

  test('unknown path returns 404 JSON', async () => {
    const response = await fetch(`${backend.baseUrl}/api/nothing-here`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'not_found');
  });

  test('logs one JSON line per request', async () => {
    const response = await fetch(`${backend.baseUrl}/api/products?page=2`, {
      headers: { 'X-Request-Id': 'products-log-check' },
    });
    await response.arrayBuffer();
    await waitFor(() => backend.logs.some((entry) => entry.requestId === 'products-log-check'));

    const lines = backend.logs.filter((entry) => entry.requestId === 'products-log-check');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].msg, 'request');
    assert.equal(lines[0].service, 'backend');
    assert.equal(lines[0].method, 'GET');
    assert.equal(lines[0].path, '/api/products');
    assert.equal(lines[0].status, 200);
    assert.equal(typeof lines[0].durationMs, 'number');
  });
});

describe('backend forwarding to a fake order-service', () => {
  test('forwards the priced order and returns 201', async () => {
    const fake = await startFakeOrderService(respondCreated);
    const backend = await startBackend({ ORDER_SERVICE_URL: fake.baseUrl });
    try {
      const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST, {
        'X-Request-Id': 'forward-check',
      });
      assert.equal(response.status, 201);
      const created = await response.json();
      assert.equal(created.id, 'order-1');
      assert.equal(created.totalCents, 3400);

      assert.equal(fake.received.length, 1);
      const [forwarded] = fake.received;
      assert.equal(forwarded.method, 'POST');
      assert.equal(forwarded.url, '/orders');
      assert.equal(forwarded.headers['content-type'], 'application/json');
      assert.equal(forwarded.headers['x-request-id'], 'forward-check');
      assert.deepEqual(forwarded.body, {
        customerEmail: 'ada@example.com',
        currency: 'USD',
        items: [
          { productId: 'mug-classic', name: 'Classic mug', quantity: 2, unitPriceCents: 1250 },
          { productId: 'notebook-a5', name: 'A5 notebook', quantity: 1, unitPriceCents: 900 },
        ],
        totalCents: 3400,
      });

      const placed = backend.logs.find((entry) => entry.msg === 'order placed');
      assert.equal(placed.orderId, 'order-1');
      assert.equal(placed.requestId, 'forward-check');
    } finally {
      await backend.close();
      await fake.close();
    }
  });

  test('keeps the base path of ORDER_SERVICE_URL', async () => {
    const fake = await startFakeOrderService(respondCreated);
    const backend = await startBackend({ ORDER_SERVICE_URL: `${fake.baseUrl}/internal` });
    try {
      const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST);
      assert.equal(response.status, 201);
      assert.equal(fake.received[0].url, '/internal/orders');
    } finally {
      await backend.close();
      await fake.close();
    }
  });

  test('does not call order-service for an invalid order', async () => {
    const fake = await startFakeOrderService(respondCreated);
    const backend = await startBackend({ ORDER_SERVICE_URL: fake.baseUrl });
    try {
      const response = await postJson(`${backend.baseUrl}/api/orders`, { items: [] });
      assert.equal(response.status, 400);
      assert.equal(fake.received.length, 0);
    } finally {
      await backend.close();
      await fake.close();
    }
  });

  test('returns 503 when order-service is unreachable', async () => {
    const port = await freeLoopbackPort();
    const backend = await startBackend({ ORDER_SERVICE_URL: `http://127.0.0.1:${port}` });
    try {
      const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST);
      assert.equal(response.status, 503);
      assert.equal((await response.json()).error.code, 'order_service_unavailable');

      const errorLine = backend.logs.find((entry) => entry.level === 'error');
      assert.equal(errorLine.reason, 'unreachable');
      assert.match(errorLine.error, /ECONNREFUSED/);
    } finally {
      await backend.close();
    }
  });

  test('returns 503 when order-service times out', async () => {
    // The fake accepts the request and never responds.
    const fake = await startFakeOrderService(() => {});
    const backend = await startBackend({
      ORDER_SERVICE_URL: fake.baseUrl,
      ORDER_SERVICE_TIMEOUT_MS: '200',
    });
    try {
      const startedAt = Date.now();
      const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST);
      const elapsedMs = Date.now() - startedAt;
      assert.equal(response.status, 503);
      assert.equal((await response.json()).error.code, 'order_service_timeout');
      assert.ok(elapsedMs >= 150, `responded after ${elapsedMs} ms, before the timeout`);
      assert.ok(elapsedMs < 3_000, `responded after ${elapsedMs} ms`);

      const errorLine = backend.logs.find((entry) => entry.level === 'error');
      assert.equal(errorLine.reason, 'timeout');
      assert.match(errorLine.error, /within 200 ms/);
    } finally {
      await backend.close();
      await fake.close();
    }
  });

  const badResponses = [
    ['a 500', (request, body, response) => {
      response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end('{"error":{"code":"internal_error"}}');
    }, 500],
    ['a 400', (request, body, response) => {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end('{"error":{"code":"invalid_order"}}');
    }, 400],
    ['a 201 that is not JSON', (request, body, response) => {
      response.writeHead(201, { 'Content-Type': 'text/plain' });
      response.end('created');
    }, 201],
    ['a 201 without an id', (request, body, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json' });
      response.end('{"status":"received"}');
    }, 201],
  ];
  for (const [name, handle, upstreamStatus] of badResponses) {
    test(`returns 502 for ${name} from order-service`, async () => {
      const fake = await startFakeOrderService(handle);
      const backend = await startBackend({ ORDER_SERVICE_URL: fake.baseUrl });
      try {
        const response = await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST);
        assert.equal(response.status, 502);
        assert.equal((await response.json()).error.code, 'order_service_error');

        const errorLine = backend.logs.find((entry) => entry.level === 'error');
        assert.equal(errorLine.reason, 'bad_response');
        assert.equal(errorLine.upstreamStatus, upstreamStatus);
      } finally {
        await backend.close();
        await fake.close();
      }
    });
  }
});

describe('backend with the real order-service', () => {
  test('places every catalog product and order-service stores it', async () => {
    const orderService = await listenOnLoopback(
      createOrderService({ logger: createMemoryLogger('order-service').logger }),
    );
    const backend = await startBackend({ ORDER_SERVICE_URL: orderService.baseUrl });
    try {
      const items = PRODUCTS.map((product) => ({ productId: product.id, quantity: 100 }));
      const response = await postJson(`${backend.baseUrl}/api/orders`, {
        customerEmail: 'grace@example.com',
        items,
      });
      assert.equal(response.status, 201);
      const created = await response.json();
      const expectedTotal = PRODUCTS.reduce((total, product) => total + 100 * product.priceCents, 0);
      assert.equal(created.totalCents, expectedTotal);
      assert.equal(created.items.length, PRODUCTS.length);

      const stored = await fetch(`${orderService.baseUrl}/orders/${created.id}`);
      assert.equal(stored.status, 200);
      assert.deepEqual(await stored.json(), created);
    } finally {
      await backend.close();
      await orderService.close();
    }
  });
});

describe('MONGODB_URI handling', () => {
  test('is reported as set and never appears in responses or logs', async () => {
    const secret = 'mongodb+srv://shop-user:Pa55-not-real@cluster0.example.net/shop';
    const fake = await startFakeOrderService(respondCreated);
    const backend = await startBackend({ ORDER_SERVICE_URL: fake.baseUrl, MONGODB_URI: secret });
    try {
      const health = await fetch(`${backend.baseUrl}/healthz`);
      const healthText = await health.text();
      assert.equal(JSON.parse(healthText).mongodbConfigured, true);

      const bodies = [healthText];
      bodies.push(await (await fetch(`${backend.baseUrl}/api/products`)).text());
      bodies.push(await (await postJson(`${backend.baseUrl}/api/orders`, ORDER_REQUEST)).text());
      bodies.push(await (await postJson(`${backend.baseUrl}/api/orders`, {})).text());
      bodies.push(await (await fetch(`${backend.baseUrl}/missing`)).text());
      await waitFor(() => backend.logs.filter((entry) => entry.msg === 'request').length === 5);

      for (const text of [...bodies, JSON.stringify(backend.logs), JSON.stringify(fake.received)]) {
        assert.equal(text.includes('Pa55-not-real'), false);
        assert.equal(text.includes('cluster0.example.net'), false);
      }
    } finally {
      await backend.close();
      await fake.close();
    }
  });
});
