import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  addToCart,
  buildOrderRequest,
  cartTotalCents,
  describeOrderResponse,
  formatPrice,
  MAX_CART_LINES,
  MAX_QUANTITY,
  ORDERS_URL,
  parseProducts,
  setQuantity,
} from '../public/storefront.js';

const PRODUCTS = [
  { id: 'mug-classic', name: 'Classic mug', description: 'Mug.', priceCents: 1250, currency: 'USD' },
  { id: 'tea-sampler', name: 'Tea sampler', description: 'Tea.', priceCents: 1899, currency: 'USD' },
];

describe('formatPrice', () => {
  const cases = [
    [1250, 'USD', 'en-US', '$12.50'],
    [0, 'USD', 'en-US', '$0.00'],
    [5, 'USD', 'en-US', '$0.05'],
    [123456789, 'USD', 'en-US', '$1,234,567.89'],
    [-250, 'USD', 'en-US', '-$2.50'],
    [1250, 'EUR', 'de-DE', '12,50\u00a0€'],
  ];
  for (const [cents, currency, locale, expected] of cases) {
    test(`formats ${cents} ${currency} for ${locale}`, () => {
      assert.equal(formatPrice(cents, currency, locale), expected);
    });
  }

  test('rejects fractional cents', () => {
    assert.throws(() => formatPrice(12.5, 'USD'), TypeError);
  });

  test('rejects a price given as a string', () => {
    assert.throws(() => formatPrice('1250', 'USD'), TypeError);
  });

  test('rejects an invalid currency code', () => {
    assert.throws(() => formatPrice(100, 'DOLLARS'), RangeError);
  });
});

describe('parseProducts', () => {
  test('returns the products with known fields only', () => {
    const payload = { products: [{ ...PRODUCTS[0], internalCost: 300 }] };
    assert.deepEqual(parseProducts(payload), [PRODUCTS[0]]);
  });

  test('rejects a body without a products array', () => {
    assert.throws(() => parseProducts({ items: [] }), /no "products" array/);
    assert.throws(() => parseProducts(null), /no "products" array/);
  });

  test('names the first field with a wrong type', () => {
    const payload = { products: [PRODUCTS[0], { ...PRODUCTS[1], priceCents: '18.99' }] };
    assert.throws(() => parseProducts(payload), /products\[1\]\.priceCents is missing or not a number/);
  });

  test('rejects a product that is null', () => {
    assert.throws(() => parseProducts({ products: [null] }), /products\[0\]\.id/);
  });
});

describe('cart', () => {
  test('addToCart adds one unit without changing the old cart', () => {
    const empty = new Map();
    const oneUnit = addToCart(empty, 'mug-classic');
    const twoUnits = addToCart(oneUnit, 'mug-classic');
    assert.equal(empty.size, 0);
    assert.equal(oneUnit.get('mug-classic'), 1);
    assert.equal(twoUnits.get('mug-classic'), 2);
  });

  test('addToCart stops at the maximum quantity', () => {
    const full = setQuantity(new Map(), 'mug-classic', MAX_QUANTITY);
    assert.equal(addToCart(full, 'mug-classic').get('mug-classic'), MAX_QUANTITY);
  });

  test('addToCart adds no product past the line limit', () => {
    let cart = new Map();
    for (let i = 0; i < MAX_CART_LINES; i += 1) {
      cart = addToCart(cart, `product-${i}`);
    }
    const after = addToCart(cart, 'one-too-many');
    assert.equal(after.size, MAX_CART_LINES);
    assert.equal(after.has('one-too-many'), false);
    assert.equal(addToCart(cart, 'product-0').get('product-0'), 2, 'existing lines still grow');
  });

  test('setQuantity 0 removes the product', () => {
    const cart = setQuantity(addToCart(new Map(), 'mug-classic'), 'mug-classic', 0);
    assert.equal(cart.has('mug-classic'), false);
  });

  for (const quantity of [-1, 1.5, MAX_QUANTITY + 1, Number.NaN]) {
    test(`setQuantity rejects ${quantity}`, () => {
      assert.throws(() => setQuantity(new Map(), 'mug-classic', quantity), RangeError);
    });
  }

  test('cartTotalCents sums quantity times price', () => {
    const cart = new Map([['mug-classic', 2], ['tea-sampler', 1]]);
    assert.equal(cartTotalCents(cart, PRODUCTS), 4399);
  });

  test('cartTotalCents counts unknown products as 0', () => {
    assert.equal(cartTotalCents(new Map([['gone', 3]]), PRODUCTS), 0);
  });
});

describe('buildOrderRequest', () => {
  test('builds a JSON POST with ids and quantities only', () => {
    const cart = new Map([['mug-classic', 2], ['tea-sampler', 1]]);
    const { url, options } = buildOrderRequest(cart, '  ada@example.com ');
    assert.equal(url, ORDERS_URL);
    assert.equal(url, '/api/orders');
    assert.equal(options.method, 'POST');
    assert.equal(options.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(options.body), {
      customerEmail: 'ada@example.com',
      items: [
        { productId: 'mug-classic', quantity: 2 },
        { productId: 'tea-sampler', quantity: 1 },
      ],
    });
  });

  test('rejects an empty cart', () => {
    assert.throws(() => buildOrderRequest(new Map(), 'ada@example.com'), /cart is empty/);
  });

  for (const email of ['', '   ', 'ada', 'ada@example', 'ada @example.com', `${'a'.repeat(250)}@example.com`]) {
    test(`rejects the e-mail ${JSON.stringify(email.slice(0, 20))}`, () => {
      const cart = new Map([['mug-classic', 1]]);
      assert.throws(() => buildOrderRequest(cart, email), /valid e-mail address/);
    });
  }
});

describe('describeOrderResponse', () => {
  test('reports the id of a placed order', () => {
    assert.deepEqual(describeOrderResponse(201, { id: 'abc-123' }), {
      ok: true,
      message: 'Thank you! Your order abc-123 has been placed.',
    });
  });

  test('lists validation problems', () => {
    const body = { error: { code: 'invalid_order', details: ['items: bad.', 'customerEmail: bad.'] } };
    const result = describeOrderResponse(400, body);
    assert.equal(result.ok, false);
    assert.equal(result.message, 'The order was rejected: items: bad. customerEmail: bad.');
  });

  test('explains a 503 without a body', () => {
    const result = describeOrderResponse(503, undefined);
    assert.equal(result.ok, false);
    assert.match(result.message, /unavailable right now/);
  });

  test('treats a 201 without an id as a failure', () => {
    assert.equal(describeOrderResponse(201, {}).ok, false);
  });

  test('names the status of other failures', () => {
    assert.match(describeOrderResponse(502, undefined).message, /HTTP 502/);
  });
});
