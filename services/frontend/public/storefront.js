// Storefront logic without DOM access, so that `node --test` can import it. app.js wires it to
// the page. Carts are Maps from product id to quantity and are never changed in place.

export const PRODUCTS_URL = '/api/products';
export const ORDERS_URL = '/api/orders';
// The backend accepts at most 100 units of one product and 50 products per order.
export const MAX_QUANTITY = 100;
export const MAX_CART_LINES = 50;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * Formats an integer amount of cents as a localized price, for example 1250 as "$12.50".
 *
 * Throws TypeError unless `cents` is a safe integer and RangeError for an invalid currency code.
 */
export function formatPrice(cents, currency, locale = 'en-US') {
  if (!Number.isSafeInteger(cents)) {
    throw new TypeError(`cents must be an integer, got ${cents}.`);
  }
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
}

/**
 * Checks the body of GET /api/products and returns its list of products.
 *
 * Throws Error naming the first field that does not have the expected type.
 */
export function parseProducts(payload) {
  if (payload === null || typeof payload !== 'object' || !Array.isArray(payload.products)) {
    throw new Error('The product list response has no "products" array.');
  }
  return payload.products.map((product, index) => {
    const fields = {
      id: 'string',
      name: 'string',
      description: 'string',
      priceCents: 'number',
      currency: 'string',
    };
    for (const [field, type] of Object.entries(fields)) {
      if (typeof product?.[field] !== type) {
        throw new Error(`products[${index}].${field} is missing or not a ${type}.`);
      }
    }
    const { id, name, description, priceCents, currency } = product;
    return { id, name, description, priceCents, currency };
  });
}

/** Returns a new cart with one more unit of `productId`, up to MAX_QUANTITY. */
export function addToCart(cart, productId) {
  const current = cart.get(productId) ?? 0;
  if (current === 0 && cart.size >= MAX_CART_LINES) {
    return cart;
  }
  return setQuantity(cart, productId, Math.min(current + 1, MAX_QUANTITY));
}

/**
 * Returns a new cart with `quantity` units of `productId`. Quantity 0 removes the product.
 *
 * Throws RangeError unless `quantity` is an integer from 0 to MAX_QUANTITY.
 */
export function setQuantity(cart, productId, quantity) {
  if (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) {
    throw new RangeError(`Quantity must be a whole number from 0 to ${MAX_QUANTITY}.`);
  }
  const next = new Map(cart);
  if (quantity === 0) {
    next.delete(productId);
  } else {
    next.set(productId, quantity);
  }
  return next;
}

/** Returns the cart's total in cents. Products missing from `products` count as 0. */
export function cartTotalCents(cart, products) {
  const prices = new Map(products.map((product) => [product.id, product.priceCents]));
  let total = 0;
  for (const [productId, quantity] of cart) {
    total += (prices.get(productId) ?? 0) * quantity;
  }
  return total;
}

/**
 * Builds the fetch() arguments for POST /api/orders as `{ url, options }`.
 *
 * Only product ids and quantities are sent, because the backend prices the order from its catalog.
 * Throws Error with a message for the customer when the cart is empty or the e-mail address is
 * invalid.
 */
export function buildOrderRequest(cart, customerEmail) {
  if (cart.size === 0) {
    throw new Error('Your cart is empty. Add a product first.');
  }
  const email = customerEmail.trim();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw new Error('Enter a valid e-mail address, for example name@example.com.');
  }
  const items = [...cart].map(([productId, quantity]) => ({ productId, quantity }));
  return {
    url: ORDERS_URL,
    options: {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ customerEmail: email, items }),
    },
  };
}

/**
 * Turns the response to POST /api/orders into `{ ok, message }` for the customer.
 *
 * `body` is the parsed JSON body, or undefined when the body was not JSON.
 */
export function describeOrderResponse(status, body) {
  if (status === 201 && typeof body?.id === 'string') {
    return { ok: true, message: `Thank you! Your order ${body.id} has been placed.` };
  }
  if (status === 400 && Array.isArray(body?.error?.details)) {
    return { ok: false, message: `The order was rejected: ${body.error.details.join(' ')}` };
  }
  if (status === 503) {
    return {
      ok: false,
      message: 'Ordering is unavailable right now. Your cart is kept, so try again in a minute.',
    };
  }
  return { ok: false, message: `The order could not be placed (HTTP ${status}). Try again later.` };
}
