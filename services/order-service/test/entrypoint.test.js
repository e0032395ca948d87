import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { spawnNode, waitFor } from './helpers.js';

const INDEX = fileURLToPath(new URL('../src/index.js', import.meta.url));
const HEALTHCHECK = fileURLToPath(new URL('../src/healthcheck.js', import.meta.url));

describe('order-service entry point', () => {
  test('serves, passes the health check and stops on SIGTERM', async () => {
    const service = spawnNode(INDEX, { HOST: '127.0.0.1', PORT: '0' });
    try {
      await waitFor(() => service.logs.some((entry) => entry.msg === 'listening'), 5_000);
      const { port, host } = service.logs.find((entry) => entry.msg === 'listening');
      assert.equal(host, '127.0.0.1');
      assert.ok(port > 0);

      const check = spawnNode(HEALTHCHECK, { PORT: String(port) });
      assert.equal(await check.exited, 0, check.stderr());

      service.child.kill('SIGTERM');
      assert.equal(await service.exited, 0);
      assert.ok(service.logs.some((entry) => entry.msg === 'stopped'));
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  test('health check fails when nothing listens', async () => {
    // Take a free port and release it, so that the check connects to a closed port.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    probe.close();
    await once(probe, 'close');

    const check = spawnNode(HEALTHCHECK, { PORT: String(port) });
    assert.equal(await check.exited, 1);
    assert.match(check.stderr(), /^healthcheck: /);
  });

  test('exits 1 with an error log for an invalid PORT', async () => {
    const service = spawnNode(INDEX, { HOST: '127.0.0.1', PORT: 'eighty' });
    assert.equal(await service.exited, 1);
    const error = service.logs.find((entry) => entry.level === 'error');
    assert.equal(error.msg, 'invalid configuration');
    assert.match(error.error, /PORT must be an integer/);
  });
});
