/** Currency of every price in the catalog, as an ISO 4217 code. */
export const CATALOG_CURRENCY = 'USD';

/** The static product catalog. Prices are integers in cents of CATALOG_CURRENCY. */
export const PRODUCTS = deepFreeze([
  {
    id: 'mug-classic',
    name: 'Classic mug',
    description: 'Glazed stoneware mug, 350 ml.',
    priceCents: 1250,
  },
  {
    id: 'tea-sampler',
    name: 'Tea sampler',
    description: 'Six loose-leaf teas, 25 g each.',
    priceCents: 1899,
  },
  {
    id: 'kettle-gooseneck',
    name: 'Gooseneck kettle',
    description: 'Stainless steel stovetop kettle, 1 l.',
    priceCents: 4500,
  },
  {
    id: 'tote-canvas',
    name: 'Canvas tote',
    description: 'Heavy cotton canvas bag, 38 x 42 cm.',
    priceCents: 1500,
  },
  {
    id: 'notebook-a5',
    name: 'A5 notebook',
    description: 'Dot-grid pages, 160 sheets.',
    priceCents: 900,
  },
  {
    id: 'coaster-set',
    name: 'Cork coasters',
    description: 'Set of four, 10 cm across.',
    priceCents: 800,
  },
].map((product) => ({ ...product, currency: CATALOG_CURRENCY })));

const PRODUCTS_BY_ID = new Map(PRODUCTS.map((product) => [product.id, product]));

/** Returns the product with this id, or undefined. */
export function findProduct(id) {
  return PRODUCTS_BY_ID.get(id);
}

function deepFreeze(products) {
  products.forEach((product) => Object.freeze(product));
  return Object.freeze(products);
}
