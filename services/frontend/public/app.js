// Page controller: loads the catalog, keeps the cart and places orders. The logic it calls lives
// in storefront.js. Text is set with textContent only, so catalog data cannot inject markup.
import {
  addToCart,
  buildOrderRequest,
  cartTotalCents,
  describeOrderResponse,
  formatPrice,
  MAX_QUANTITY,
  parseProducts,
  PRODUCTS_URL,
  setQuantity,
} from './storefront.js';

const elements = {
  productsStatus: document.getElementById('products-status'),
  productList: document.getElementById('product-list'),
  cartEmpty: document.getElementById('cart-empty'),
  cartList: document.getElementById('cart-list'),
  cartTotal: document.getElementById('cart-total'),
  orderForm: document.getElementById('order-form'),
  email: document.getElementById('email'),
  submit: document.getElementById('place-order'),
  orderStatus: document.getElementById('order-status'),
};

let products = [];
let cart = new Map();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function renderProducts() {
  elements.productList.replaceChildren(
    ...products.map((product) => {
      const item = element('li', 'product');
      item.append(
        element('h3', 'product-name', product.name),
        element('p', 'product-description', product.description),
        element('p', 'product-price', formatPrice(product.priceCents, product.currency)),
      );
      const button = element('button', 'add-button', 'Add to cart');
      button.type = 'button';
      button.addEventListener('click', () => {
        cart = addToCart(cart, product.id);
        renderCart();
      });
      item.append(button);
      return item;
    }),
  );
}

function renderCart() {
  const lines = [...cart].map(([productId, quantity]) => {
    const product = products.find((candidate) => candidate.id === productId);
    const line = element('li', 'cart-line');
    line.append(element('span', 'cart-name', product.name));

    const input = element('input', 'cart-quantity');
    input.type = 'number';
    input.min = '0';
    input.max = String(MAX_QUANTITY);
    input.value = String(quantity);
    input.setAttribute('aria-label', `Quantity of ${product.name}`);
    input.addEventListener('change', () => {
      try {
        cart = setQuantity(cart, productId, Number(input.value));
      } catch (error) {
        showOrderStatus(error.message, false);
      }
      renderCart();
    });
    line.append(input);

    const remove = element('button', 'remove-button', 'Remove');
    remove.type = 'button';
    remove.addEventListener('click', () => {
      cart = setQuantity(cart, productId, 0);
      renderCart();
    });
    line.append(remove);
    return line;
  });

  elements.cartList.replaceChildren(...lines);
  elements.cartEmpty.hidden = cart.size > 0;
  const currency = products[0]?.currency ?? 'USD';
  elements.cartTotal.textContent = formatPrice(cartTotalCents(cart, products), currency);
}

function showOrderStatus(message, ok) {
  elements.orderStatus.textContent = message;
  elements.orderStatus.className = ok ? 'status status-ok' : 'status status-error';
}

async function placeOrder(event) {
  event.preventDefault();
  let request;
  try {
    request = buildOrderRequest(cart, elements.email.value);
  } catch (error) {
    showOrderStatus(error.message, false);
    return;
  }

  elements.submit.disabled = true;
  showOrderStatus('Placing your order…', true);
  try {
    const response = await fetch(request.url, request.options);
    const body = await response.json().catch(() => undefined);
    const result = describeOrderResponse(response.status, body);
    showOrderStatus(result.message, result.ok);
    if (result.ok) {
      cart = new Map();
      renderCart();
    }
  } catch {
    showOrderStatus('The network request failed. Check your connection and try again.', false);
  } finally {
    elements.submit.disabled = false;
  }
}

async function loadProducts() {
  try {
    const response = await fetch(PRODUCTS_URL, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    products = parseProducts(await response.json());
    elements.productsStatus.textContent = products.length === 0 ? 'No products are available.' : '';
    elements.productsStatus.hidden = products.length > 0;
    renderProducts();
    renderCart();
  } catch (error) {
    elements.productsStatus.textContent = `The products could not be loaded (${error.message}). Reload the page to try again.`;
  }
}

elements.orderForm.addEventListener('submit', placeOrder);
loadProducts();
