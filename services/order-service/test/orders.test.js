import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OrderStore, OrderStoreFullError, validateOrder } from '../src/orders.js';

function validOrder() {
  return {
    customerEmail: 'ada@example.com',
    currency: 'USD',
    items: [
      { productId: 'mug-classic', name: 'Classic mug', quantity: 2, unitPriceCents: 1250 },
      { productId: 'tea-sampler', name: 'Tea sampler', quantity: 1, unitPriceCents: 1899 },
    ],
    totalCents: 4399,
  };
}

describe('validateOrder', () => {
  test('accepts a valid order', () => {
    const { order, problems } = validateOrder(validOrder());
    assert.deepEqual(problems, []);
    assert.deepEqual(order, validOrder());
  });

  test('drops unknown fields', () => {
    const body = validOrder();
    body.discount = 100;
    body.items[0].color = 'red';
    const { order } = validateOrder(body);
    assert.equal('discount' in order, false);
    assert.equal('color' in order.items[0], false);
  });

  const invalidCases = [
    ['body is an array', () => [], 'body'],
    ['body is null', () => null, 'body'],
    ['email missing', (o) => { delete o.customerEmail; }, 'customerEmail'],
    ['email without domain', (o) => { o.customerEmail = 'ada@'; }, 'customerEmail'],
    ['email too long', (o) => { o.customerEmail = `${'a'.repeat(250)}@example.com`; }, 'customerEmail'],
    ['currency lowercase', (o) => { o.currency = 'usd'; }, 'currency'],
    ['items empty', (o) => { o.items = []; }, 'items'],
    ['items not an array', (o) => { o.items = {}; }, 'items'],
    ['too many items', (o) => { o.items = Array(51).fill(o.items[0]); }, 'items'],
    ['item is a string', (o) => { o.items[1] = 'mug'; }, 'items[1]'],
    ['productId uppercase', (o) => { o.items[0].productId = 'MUG'; }, 'items[0].productId'],
    ['name blank', (o) => { o.items[0].name = '  '; }, 'items[0].name'],
    ['quantity zero', (o) => { o.items[0].quantity = 0; }, 'items[0].quantity'],
    ['quantity fractional', (o) => { o.items[0].quantity = 1.5; }, 'items[0].quantity'],
    ['quantity above maximum', (o) => { o.items[0].quantity = 101; }, 'items[0].quantity'],
    ['price negative', (o) => { o.items[1].unitPriceCents = -1; }, 'items[1].unitPriceCents'],
    ['price as string', (o) => { o.items[1].unitPriceCents = '1899'; }, 'items[1].unitPriceCents'],
    ['total missing', (o) => { delete o.totalCents; }, 'totalCents'],
    ['total mismatch', (o) => { o.totalCents = 4400; }, 'totalCents'],
  ];
  for (const [name, mutate, field] of invalidCases) {
    test(`rejects ${name}`, () => {
      let body = validOrder();
      const replacement = mutate(body);
      if (replacement !== undefined) {
        body = replacement;
      }
      const { order, problems } = validateOrder(body);
      assert.equal(order, null);
      assert.ok(
        problems.some((problem) => problem.startsWith(`${field}:`)),
        `expected a problem for ${field}, got ${JSON.stringify(problems)}`,
      );
    });
  }

  test('reports every invalid field at once', () => {
    const body = validOrder();
    body.customerEmail = '';
    body.items[0].quantity = 0;
    const { problems } = validateOrder(body);
    assert.equal(problems.length, 2);
  });
});

describe('OrderStore', () => {
  test('stores and returns an order by id', () => {
    const store = new OrderStore();
    const now = new Date('2026-01-02T03:04:05.000Z');
    const stored = store.add(validOrder(), now);
    assert.match(stored.id, /^[0-9a-f-]{36}$/);
    assert.equal(stored.status, 'received');
    assert.equal(stored.createdAt, '2026-01-02T03:04:05.000Z');
    assert.deepEqual(store.get(stored.id), stored);
    assert.equal(store.size, 1);
  });

  test('returns copies that callers cannot change', () => {
    const store = new OrderStore();
    const stored = store.add(validOrder());
    stored.items[0].quantity = 99;
    store.get(stored.id).totalCents = 0;
    assert.equal(store.get(stored.id).items[0].quantity, 2);
    assert.equal(store.get(stored.id).totalCents, 4399);
  });

  test('returns undefined for an unknown id', () => {
    assert.equal(new OrderStore().get('00000000-0000-0000-0000-000000000000'), undefined);
  });

  test('rejects orders beyond maxOrders', () => {
    const store = new OrderStore({ maxOrders: 2 });
    store.add(validOrder());
    store.add(validOrder());
    assert.throws(() => store.add(validOrder()), OrderStoreFullError);
    assert.equal(store.size, 2);
  });
});
