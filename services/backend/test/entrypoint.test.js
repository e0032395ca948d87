import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { spawnNode, waitFor } from './helpers.js';

const INDEX = fileURLToPath(new URL('../src/index.js', import.meta.url));
const HEALTHCHECK = fileURLToPath(new URL('../src/healthcheck.js', import.meta.url));
const SECRET_URI = 'mongodb://shop-user:Pa55-not-real@db.example.net:27017/shop';

describe('backend entry point', () => {
  test('serves, passes the health check and stops on SIGTERM', async () => {
    const service = spawnNode(INDEX, {
      HOST: '127.0.0.1',
      PORT: '0',
      ORDER_SERVICE_URL: 'http://127.0.0.1:9/',
      MONGODB_URI: SECRET_URI,
    });
    try {
      await waitFor(() => service.logs.some((entry) => entry.msg === 'listening'), 5_000);
      const listening = service.logs.find((entry) => entry.msg === 'listening');
      assert.equal(listening.host, '127.0.0.1');
      assert.equal(listening.orderService, 'http://127.0.0.1:9');
      assert.equal(listening.mongodbConfigured, true);

      const check = spawnNode(HEALTHCHECK, { PORT: String(listening.port) });
      assert.equal(await check.exited, 0, check.stderr());

      service.child.kill('SIGTERM');
      assert.equal(await service.exited, 0);
      assert.ok(service.logs.some((entry) => entry.msg === 'stopped'));
      assert.equal(JSON.stringify(service.logs).includes('Pa55-not-real'), false);
      assert.equal(service.stderr(), '');
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  test('warns at startup without ORDER_SERVICE_URL', async () => {
    const service = spawnNode(INDEX, { HOST: '127.0.0.1', PORT: '0', ORDER_SERVICE_URL: '' });
    try {
      await waitFor(() => service.logs.some((entry) => entry.level === 'warn'), 5_000);
      const warning = service.logs.find((entry) => entry.level === 'warn');
      assert.match(warning.msg, /ORDER_SERVICE_URL is not set/);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  test('health check fails when nothing listens', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    probe.close();
    await once(probe, 'close');

    const check = spawnNode(HEALTHCHECK, { PORT: String(port) });
    assert.equal(await check.exited, 1);
  });

  test('exits 1 for an invalid ORDER_SERVICE_URL', async () => {
    const service = spawnNode(INDEX, {
      HOST: '127.0.0.1',
      PORT: '0',
      ORDER_SERVICE_URL: 'order-service',
    });
    assert.equal(await service.exited, 1);
    const error = service.logs.find((entry) => entry.level === 'error');
    assert.equal(error.msg, 'invalid configuration');
    assert.match(error.error, /ORDER_SERVICE_URL/);
  });
});
