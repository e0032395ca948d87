import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { findProduct, PRODUCTS } from '../src/catalog.js';
import { buildOrder, MAX_QUANTITY } from '../src/orders.js';

describe('catalog', () => {
  test('has unique ids and integer prices', () => {
    const ids = PRODUCTS.map((product) => product.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const product of PRODUCTS) {
      assert.ok(Number.isInteger(product.priceCents), product.id);
      assert.ok(product.priceCents > 0, product.id);
      assert.equal(product.currency, 'USD');
    }
  });

  test('cannot be changed at run time', () => {
    assert.throws(() => {
      PRODUCTS[0].priceCents = 1;
    }, TypeError);
    assert.throws(() => {
      PRODUCTS.push({});
    }, TypeError);
  });

  test('findProduct returns undefined for unknown ids', () => {
    assert.equal(findProduct('mug-classic').name, 'Classic mug');
    assert.equal(findProduct('no-such-product'), undefined);
    assert.equal(findProduct('__proto__'), undefined);
  });
});

describe('buildOrder', () => {
  test('prices the order from the catalog', () => {
    const { order, problems } = buildOrder({
      customerEmail: 'ada@example.com',
      items: [
        { productId: 'mug-classic', quantity: 2, unitPriceCents: 1 },
        { productId: 'tea-sampler', quantity: 1 },
      ],
      totalCents: 2,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(order, {
      customerEmail: 'ada@example.com',
      currency: 'USD',
      items: [
        { productId: 'mug-classic', name: 'Classic mug', quantity: 2, unitPriceCents: 1250 },
        { productId: 'tea-sampler', name: 'Tea sampler', quantity: 1, unitPriceCents: 1899 },
      ],
      totalCents: 4399,
    });
  });

  const invalidCases = [
    ['a string body', 'order', 'body'],
    ['an array body', [], 'body'],
    ['a missing email', { items: [{ productId: 'mug-classic', quantity: 1 }] }, 'customerEmail'],
    ['an email with spaces', { customerEmail: 'ada @example.com', items: [{ productId: 'mug-classic', quantity: 1 }] }, 'customerEmail'],
    ['no items', { customerEmail: 'ada@example.com', items: [] }, 'items'],
    ['items as an object', { customerEmail: 'ada@example.com', items: { productId: 'mug-classic' } }, 'items'],
    ['an item that is null', { customerEmail: 'ada@example.com', items: [null] }, 'items[0]'],
    ['an unknown product', { customerEmail: 'ada@example.com', items: [{ productId: 'lamp', quantity: 1 }] }, 'items[0].productId'],
    ['a numeric productId', { customerEmail: 'ada@example.com', items: [{ productId: 7, quantity: 1 }] }, 'items[0].productId'],
    ['a repeated product', { customerEmail: 'ada@example.com', items: [{ productId: 'mug-classic', quantity: 1 }, { productId: 'mug-classic', quantity: 2 }] }, 'items[1].productId'],
    ['quantity zero', { customerEmail: 'ada@example.com', items: [{ productId: 'mug-classic', quantity: 0 }] }, 'items[0].quantity'],
    ['quantity as a string', { customerEmail: 'ada@example.com', items: [{ productId: 'mug-classic', quantity: '2' }] }, 'items[0].quantity'],
    ['quantity above maximum', { customerEmail: 'ada@example.com', items: [{ productId: 'mug-classic', quantity: MAX_QUANTITY + 1 }] }, 'items[0].quantity'],
  ];
  for (const [name, body, field] of invalidCases) {
    test(`rejects ${name}`, () => {
      const { order, problems } = buildOrder(body);
      assert.equal(order, null);
      assert.ok(
        problems.some((problem) => problem.startsWith(`${field}:`) || problem.startsWith(`${field}.`)),
        `expected a problem for ${field}, got ${JSON.stringify(problems)}`,
      );
    });
  }

  test('rejects more than 50 items', () => {
    const items = Array.from({ length: 51 }, () => ({ productId: 'mug-classic', quantity: 1 }));
    const { problems } = buildOrder({ customerEmail: 'ada@example.com', items });
    assert.deepEqual(problems, ['items: must be an array of 1 to 50 items.']);
  });
});
