// Shared test helpers: start servers on loopback, collect log lines and run the entry point.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { createLogger } from '../src/logger.js';

/** Starts `server` on 127.0.0.1 with a free port and returns its base URL and a close function. */
export async function listenOnLoopback(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Returns a logger that keeps parsed log entries in `entries` instead of printing them. */
export function createMemoryLogger(service) {
  const entries = [];
  const logger = createLogger({ service, write: (line) => entries.push(JSON.parse(line)) });
  return { logger, entries };
}

/** Waits until `predicate` holds, checking every 10 ms, or throws after `timeoutMs`. */
export async function waitFor(predicate, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Spawns `node script` with `env` added to this process's environment.
 *
 * Returns the child, its parsed JSON log lines so far, and `exited`, a promise of the exit code.
 */
export function spawnNode(script, env) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  createInterface({ input: child.stdout }).on('line', (line) => logs.push(JSON.parse(line)));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code);
  return { child, logs, exited, stderr: () => stderr };
}

/** POSTs `body` as JSON to `url` and returns the response. */
export function postJson(url, body, headers = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
