import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { createOrderService } from '../src/app.js';
import { OrderStore } from '../src/orders.js';
import { createMemoryLogger, listenOnLoopback, postJson, waitFor } from './helpers.js';

function validOrder() {
  return {
    customerEmail: 'ada@example.com',
    currency: 'USD',
    items: [{ productId: 'mug-classic', name: 'Classic mug', quantity: 3, unitPriceCents: 1250 }],
    totalCents: 3750,
  };
}

describe('order-service HTTP API', () => {
  let service;
  let logs;

  before(async () => {
    const memory = createMemoryLogger('order-service');
    logs = memory.entries;
    service = await listenOnLoopback(createOrderService({ logger: memory.logger }));
  });

  after(() => service.close());

  test('GET /healthz returns 200 JSON', async () => {
    const response = await fetch(`${service.baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    const body = await response.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.service, 'order-service');
    assert.equal(typeof body.storedOrders, 'number');
  });

  test('POST /orders stores the order and GET returns it', async () => {
    const created = await postJson(`${service.baseUrl}/orders`, validOrder());
    assert.equal(created.status, 201);
    const order = await created.json();
    assert.match(order.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(order.status, 'received');
    assert.equal(order.totalCents, 3750);
    assert.equal(created.headers.get('location'), `/orders/${order.id}`);

    const fetched = await fetch(`${service.baseUrl}/orders/${order.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(await fetched.json(), order);
  });

  test('POST /orders gives each order its own id', async () => {
    const first = await (await postJson(`${service.baseUrl}/orders`, validOrder())).json();
    const second = await (await postJson(`${service.baseUrl}/orders`, validOrder())).json();
    assert.notEqual(first.id, second.id);
  });

  test('POST /orders rejects an invalid order with every problem', async () => {
    const body = validOrder();
    body.customerEmail = 'not-an-address';
    body.totalCents = 1;
    const response = await postJson(`${service.baseUrl}/orders`, body);
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.code, 'invalid_order');
    assert.equal(error.details.length, 1, 'the total is checked only once the fields are valid');
    assert.match(error.details[0], /^customerEmail:/);
  });

  test('POST /orders rejects a total that does not match the items', async () => {
    const body = validOrder();
    body.totalCents = 3749;
    const response = await postJson(`${service.baseUrl}/orders`, body);
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.deepEqual(error.details, ['totalCents: is 3749, but the items add up to 3750.']);
  });

  test('POST /orders rejects invalid JSON', async () => {
    const response = await fetch(`${service.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"items": [',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, 'invalid_json');
  });

  test('POST /orders rejects a non-JSON content type', async () => {
    const response = await fetch(`${service.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(validOrder()),
    });
    assert.equal(response.status, 415);
    assert.equal((await response.json()).error.code, 'unsupported_media_type');
  });

  test('POST /orders rejects a body over 16 KiB', async () => {
    const body = validOrder();
    body.padding = 'x'.repeat(17 * 1024);
    const response = await postJson(`${service.baseUrl}/orders`, body);
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, 'payload_too_large');
  });

  test('POST /orders rejects an oversized chunked body', async () => {
    // Without Content-Length the limit is enforced while reading the stream.
    const { status, body } = await new Promise((resolve, reject) => {
      const request = httpRequest(`${service.baseUrl}/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      for (let i = 0; i < 20; i += 1) {
        request.write('x'.repeat(1024));
      }
      request.end();
    });
    assert.equal(status, 413);
    assert.equal(body.error.code, 'payload_too_large');
  });

  test('GET /orders/:id returns 404 for an unknown id', async () => {
    const response = await fetch(`${service.baseUrl}/orders/6f1c2a4e-0d7b-4c55-9a59-3f4f7c1f9b10`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'order_not_found');
  });

  test('GET /orders/:id returns 404 for a malformed id', async () => {
    const response = await fetch(`${service.baseUrl}/orders/..%2Fhealthz`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'order_not_found');
  });

  test('wrong method returns 405 with Allow', async () => {
    const response = await fetch(`${service.baseUrl}/orders`, { method: 'GET' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    assert.equal((await response.json()).error.code, 'method_not_allowed');
  });

  test('unknown path returns 404 JSON', async () => {
    const response = await fetch(`${service.baseUrl}/api/orders`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'not_found');
  });

  test('logs one JSON line per request with its request id', async () => {
    const response = await fetch(`${service.baseUrl}/healthz?probe=1`, {
      headers: { 'X-Request-Id': 'trace-abc.123' },
    });
    await response.arrayBuffer();
    assert.equal(response.headers.get('x-request-id'), 'trace-abc.123');
    await waitFor(() => logs.some((entry) => entry.requestId === 'trace-abc.123'));

    const lines = logs.filter((entry) => entry.requestId === 'trace-abc.123');
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'order-service');
    assert.equal(line.msg, 'request');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/healthz', 'the query string is not logged');
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, 'number');
    assert.ok(!Number.isNaN(Date.parse(line.time)));
  });

  test('replaces a malformed X-Request-Id', async () => {
    const response = await fetch(`${service.baseUrl}/healthz`, {
      headers: { 'X-Request-Id': 'bad id with spaces' },
    });
    await response.arrayBuffer();
    assert.match(response.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
  });
});

describe('order-service with a full store', () => {
  test('POST /orders returns 503 and logs the error', async () => {
    const { logger, entries } = createMemoryLogger('order-service');
    const store = new OrderStore({ maxOrders: 1 });
    const service = await listenOnLoopback(createOrderService({ logger, store }));
    try {
      assert.equal((await postJson(`${service.baseUrl}/orders`, validOrder())).status, 201);

      const response = await postJson(`${service.baseUrl}/orders`, validOrder());
      assert.equal(response.status, 503);
      assert.equal((await response.json()).error.code, 'order_store_full');

      const errors = entries.filter((entry) => entry.level === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].msg, 'order rejected');
      assert.match(errors[0].error, /full/);
    } finally {
      await service.close();
    }
  });
});
