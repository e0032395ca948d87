export const DEFAULT_PORT = 3001;

/** Raised with a message that names the invalid environment variable and its allowed values. */
export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the service's settings from environment variables.
 *
 * PORT is the TCP port to listen on (default 3001, 0 picks a free port). HOST is the address to
 * bind. Unset, Node binds every interface, which a container needs.
 */
export function readConfig(env = process.env) {
  return { port: parsePort(env.PORT, DEFAULT_PORT), host: env.HOST || undefined };
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
