import { randomUUID } from 'node:crypto';

export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 100;
// Upper bound on a unit price (100,000.00 in the order's currency), so that totals of up to
// MAX_ITEMS * MAX_QUANTITY units stay far below Number.MAX_SAFE_INTEGER.
export const MAX_UNIT_PRICE_CENTS = 10_000_000;
// RFC 5321 limits a forward path to 256 octets, which leaves 254 for the address itself.
const MAX_EMAIL_LENGTH = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PRODUCT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const MAX_NAME_LENGTH = 200;

/**
 * Validates an order as the backend sends it and returns `{ order, problems }`.
 *
 * `order` contains only the known fields and is null when `problems` is not empty. Each problem
 * names the field (for example `items[2].quantity`) and what is wrong with it. The total must
 * equal the sum of quantity * unitPriceCents over all items.
 */
export function validateOrder(body) {
  const problems = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { order: null, problems: ['body: must be a JSON object.'] };
  }

  const { customerEmail, currency, items, totalCents } = body;
  if (
    typeof customerEmail !== 'string' ||
    customerEmail.length > MAX_EMAIL_LENGTH ||
    !EMAIL_PATTERN.test(customerEmail)
  ) {
    problems.push(`customerEmail: must be an e-mail address of at most ${MAX_EMAIL_LENGTH} characters.`);
  }
  if (typeof currency !== 'string' || !CURRENCY_PATTERN.test(currency)) {
    problems.push('currency: must be a three-letter ISO 4217 code such as "USD".');
  }

  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    problems.push(`items: must be an array of 1 to ${MAX_ITEMS} items.`);
  } else {
    items.forEach((item, index) => problems.push(...validateItem(item, `items[${index}]`)));
  }

  if (!Number.isInteger(totalCents) || totalCents < 0) {
    problems.push('totalCents: must be a non-negative integer.');
  } else if (problems.length === 0) {
    const sum = items.reduce((total, item) => total + item.quantity * item.unitPriceCents, 0);
    if (sum !== totalCents) {
      problems.push(`totalCents: is ${totalCents}, but the items add up to ${sum}.`);
    }
  }

  if (problems.length > 0) {
    return { order: null, problems };
  }
  return {
    order: {
      customerEmail,
      currency,
      items: items.map(({ productId, name, quantity, unitPriceCents }) => ({
        productId,
        name,
        quantity,
        unitPriceCents,
      })),
      totalCents,
    },
    problems,
  };
}

function validateItem(item, path) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return [`${path}: must be an object.`];
  }
  const problems = [];
  if (typeof item.productId !== 'string' || !PRODUCT_ID_PATTERN.test(item.productId)) {
    problems.push(`${path}.productId: must be 1 to 64 lowercase letters, digits or hyphens.`);
  }
  if (typeof item.name !== 'string' || item.name.trim() === '' || item.name.length > MAX_NAME_LENGTH) {
    problems.push(`${path}.name: must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`);
  }
  if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
    problems.push(`${path}.quantity: must be an integer from 1 to ${MAX_QUANTITY}.`);
  }
  if (
    !Number.isInteger(item.unitPriceCents) ||
    item.unitPriceCents < 0 ||
    item.unitPriceCents > MAX_UNIT_PRICE_CENTS
  ) {
    problems.push(`${path}.unitPriceCents: must be an integer from 0 to ${MAX_UNIT_PRICE_CENTS}.`);
  }
  return problems;
}

/** Raised by OrderStore.add when the store already contains its maximum number of orders. */
export class OrderStoreFullError extends Error {
  constructor(maxOrders) {
    super(`The order store is full (${maxOrders} orders).`);
    this.name = 'OrderStoreFullError';
  }
}

/**
 * In-memory order storage, keyed by a random UUID.
 *
 * NOTE: orders live only in this process. They are lost when the task stops, and with more than
 * one task a GET can reach a task that never saw the order and return 404.
 */
export class OrderStore {
  #orders = new Map();
  #maxOrders;

  constructor({ maxOrders = 10_000 } = {}) {
    this.#maxOrders = maxOrders;
  }

  get size() {
    return this.#orders.size;
  }

  /** Stores a validated order and returns the stored copy with `id`, `status` and `createdAt`. */
  add(order, now = new Date()) {
    // Rejecting new orders keeps memory bounded without silently dropping accepted ones.
    if (this.#orders.size >= this.#maxOrders) {
      throw new OrderStoreFullError(this.#maxOrders);
    }
    const stored = { id: randomUUID(), status: 'received', createdAt: now.toISOString(), ...order };
    this.#orders.set(stored.id, stored);
    return structuredClone(stored);
  }

  /** Returns a copy of the order with this id, or undefined. */
  get(id) {
    const stored = this.#orders.get(id);
    return stored === undefined ? undefined : structuredClone(stored);
  }
}
