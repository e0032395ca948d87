import { CATALOG_CURRENCY, findProduct } from './catalog.js';

// These limits match the ones order-service enforces, so that an order this module accepts is
// never rejected downstream for its size.
export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 100;
const MAX_EMAIL_LENGTH = 254;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Validates a customer's order request and builds the order to send to order-service.
 *
 * The request is `{ customerEmail, items: [{ productId, quantity }] }`. Names and prices come
 * from the catalog, never from the client. Returns `{ order, problems }`, where `order` is null
 * when `problems` (one message per invalid field) is not empty.
 */
export function buildOrder(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { order: null, problems: ['body: must be a JSON object.'] };
  }

  const problems = [];
  const { customerEmail, items } = body;
  if (
    typeof customerEmail !== 'string' ||
    customerEmail.length > MAX_EMAIL_LENGTH ||
    !EMAIL_PATTERN.test(customerEmail)
  ) {
    problems.push(`customerEmail: must be an e-mail address of at most ${MAX_EMAIL_LENGTH} characters.`);
  }

  const lines = [];
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    problems.push(`items: must be an array of 1 to ${MAX_ITEMS} items.`);
  } else {
    const seen = new Set();
    items.forEach((item, index) => {
      const path = `items[${index}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        problems.push(`${path}: must be an object with productId and quantity.`);
        return;
      }
      const product = typeof item.productId === 'string' ? findProduct(item.productId) : undefined;
      if (product === undefined) {
        problems.push(`${path}.productId: ${JSON.stringify(item.productId)} is not in the catalog.`);
      } else if (seen.has(product.id)) {
        problems.push(`${path}.productId: ${product.id} appears more than once. Combine the quantities.`);
      } else {
        seen.add(product.id);
      }
      if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
        problems.push(`${path}.quantity: must be an integer from 1 to ${MAX_QUANTITY}.`);
      }
      if (product !== undefined) {
        lines.push({
          productId: product.id,
          name: product.name,
          quantity: item.quantity,
          unitPriceCents: product.priceCents,
        });
      }
    });
  }

  if (problems.length > 0) {
    return { order: null, problems };
  }
  return {
    order: {
      customerEmail,
      currency: CATALOG_CURRENCY,
      items: lines,
      totalCents: lines.reduce((total, line) => total + line.quantity * line.unitPriceCents, 0),
    },
    problems,
  };
}
