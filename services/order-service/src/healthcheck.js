// Container health check: exits 0 when GET http://127.0.0.1:$PORT/healthz returns 200 within
// TIMEOUT_MS, and 1 otherwise. For an ECS health check, use `CMD-SHELL, node /app/src/healthcheck.js || exit 1`.
import { DEFAULT_PORT, parsePort } from './config.js';

const TIMEOUT_MS = 3_000;

try {
  const port = parsePort(process.env.PORT, DEFAULT_PORT);
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status !== 200) {
    console.error(`healthcheck: /healthz returned ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`healthcheck: ${error.message}`);
  process.exit(1);
}
