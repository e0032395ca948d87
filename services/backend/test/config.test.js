import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ConfigError, readConfig } from '../src/config.js';

describe('readConfig', () => {
  test('uses defaults for an empty environment', () => {
    const config = readConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, undefined);
    assert.equal(config.orderServiceUrl, undefined);
    assert.equal(config.orderServiceTimeoutMs, 5000);
    assert.equal(config.mongodbUri, undefined);
  });

  test('reads every variable', () => {
    const config = readConfig({
      PORT: '8081',
      HOST: '127.0.0.1',
      ORDER_SERVICE_URL: 'http://order-service:3001',
      ORDER_SERVICE_TIMEOUT_MS: '750',
      MONGODB_URI: 'mongodb://db.internal:27017/shop',
    });
    assert.equal(config.port, 8081);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.orderServiceUrl.href, 'http://order-service:3001/');
    assert.equal(config.orderServiceTimeoutMs, 750);
    assert.equal(config.mongodbUri, 'mongodb://db.internal:27017/shop');
  });

  test('treats empty strings as unset', () => {
    const config = readConfig({ PORT: '', ORDER_SERVICE_URL: '', MONGODB_URI: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.orderServiceUrl, undefined);
    assert.equal(config.mongodbUri, undefined);
  });

  const invalidCases = [
    ['PORT with letters', { PORT: '30x' }, /PORT must be an integer/],
    ['PORT out of range', { PORT: '70000' }, /PORT must be an integer/],
    ['negative PORT', { PORT: '-1' }, /PORT must be an integer/],
    ['relative ORDER_SERVICE_URL', { ORDER_SERVICE_URL: 'order-service:3001/x' }, /must use http or https/],
    ['ORDER_SERVICE_URL without scheme', { ORDER_SERVICE_URL: '/orders' }, /absolute http\(s\) URL/],
    ['ftp ORDER_SERVICE_URL', { ORDER_SERVICE_URL: 'ftp://order-service' }, /must use http or https/],
    ['ORDER_SERVICE_URL with credentials', { ORDER_SERVICE_URL: 'http://user:pw@order-service:3001' }, /user name or password/],
    ['ORDER_SERVICE_URL with query', { ORDER_SERVICE_URL: 'http://order-service:3001/?a=1' }, /query string/],
    ['zero timeout', { ORDER_SERVICE_TIMEOUT_MS: '0' }, /ORDER_SERVICE_TIMEOUT_MS must be an integer/],
    ['fractional timeout', { ORDER_SERVICE_TIMEOUT_MS: '1.5' }, /ORDER_SERVICE_TIMEOUT_MS must be an integer/],
  ];
  for (const [name, env, message] of invalidCases) {
    test(`rejects ${name}`, () => {
      assert.throws(() => readConfig(env), (error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('keeps credentials out of the ORDER_SERVICE_URL error', () => {
    assert.throws(
      () => readConfig({ ORDER_SERVICE_URL: 'http://user:s3cret@order-service' }),
      (error) => !error.message.includes('s3cret'),
    );
  });
});
