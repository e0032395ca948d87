export const DEFAULT_PORT = 3000;
export const DEFAULT_ORDER_SERVICE_TIMEOUT_MS = 5_000;

/** Raised with a message that names the invalid environment variable and its allowed values. */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the backend's settings from environment variables.
 *
 * - PORT: TCP port to listen on (default 3000, 0 picks a free port).
 * - HOST: address to bind. Unset, Node binds every interface, which a container needs.
 * - ORDER_SERVICE_URL: base URL of order-service, for example `http://order-service:3001`.
 *   Unset, the backend runs but responds to POST /api/orders with 503.
 * - ORDER_SERVICE_TIMEOUT_MS: time limit for one call to order-service (default 5000).
 * - MONGODB_URI: optional connection string. It is a secret, so only `mongodbConfigured` is
 *   ever reported, never the value.
 *
 * Throws ConfigError for a value that is set but invalid.
 */
export function readConfig(env = process.env) {
  return {
    port: parsePort(env.PORT, DEFAULT_PORT),
    host: env.HOST || undefined,
    orderServiceUrl: parseOrderServiceUrl(env.ORDER_SERVICE_URL),
    orderServiceTimeoutMs: parseTimeout(env.ORDER_SERVICE_TIMEOUT_MS),
    // NOTE: nothing connects to MongoDB yet. The value is kept so that a database client can
    // use it, and /healthz reports only whether it is set.
    mongodbUri: env.MONGODB_URI || undefined,
  };
}

/** Parses a port number from an environment variable, returning `fallback` when it is unset. */
export function parsePort(value, fallback) {
  if (value === undefined || value === '') {
    return fallback;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}.`);
  }
  return port;
}

function parseOrderServiceUrl(value) {
  if (value === undefined || value === '') {
    return undefined;
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    // The value is not echoed because an unparsable URL may still contain a password.
    throw new ConfigError(
      'ORDER_SERVICE_URL is not an absolute http(s) URL. Use a URL such as http://order-service:3001.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`ORDER_SERVICE_URL must use http or https, got ${url.protocol}.`);
  }
  // The URL is logged (as its origin) and must therefore not carry credentials.
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('ORDER_SERVICE_URL must not contain a user name or password.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError('ORDER_SERVICE_URL must not contain a query string or fragment.');
  }
  return url;
}

function parseTimeout(value) {
  if (value === undefined || value === '') {
    return DEFAULT_ORDER_SERVICE_TIMEOUT_MS;
  }
  const timeout = Number(value);
  if (!/^\d+$/.test(value) || timeout < 1 || timeout > 60_000) {
    throw new ConfigError(
      `ORDER_SERVICE_TIMEOUT_MS must be an integer from 1 to 60000 (milliseconds), got ${JSON.stringify(value)}.`,
    );
  }
  return timeout;
}
