// Runs the image's nginx configuration with a local nginx binary against the files in public/.
// The binary comes from NGINX_BIN, PATH or /usr/sbin. Without one, these tests are skipped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));

function findNginx() {
  const candidates = process.env.NGINX_BIN
    ? [process.env.NGINX_BIN]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].map((dir) =>
        join(dir, 'nginx'),
      );
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function freeLoopbackPort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * Writes a runnable copy of the configuration into `dir`.
 *
 * The image's absolute paths are replaced with local ones, and `listen 8080` with a loopback
 * port. The http block replaces the base image's nginx.conf.
 */
function writeConfig(dir, port) {
  const serverConfig = readFileSync(join(SERVICE_DIR, 'nginx/default.conf'), 'utf8');
  const replacements = [
    ['listen 8080;', `listen 127.0.0.1:${port};`],
    ['/usr/share/nginx/html', join(SERVICE_DIR, 'public')],
    ['/etc/nginx/snippets/', join(SERVICE_DIR, 'nginx/')],
    ['/var/log/nginx/', `${dir}/`],
  ];
  let local = serverConfig;
  for (const [from, to] of replacements) {
    assert.ok(local.includes(from), `nginx/default.conf no longer contains ${from}`);
    local = local.replaceAll(from, to);
  }
  writeFileSync(join(dir, 'default.conf'), local);

  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `    ${name}_temp_path ${dir}/${name};`)
    .join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events {}
http {
    types {
        text/html html;
        text/css css;
        application/javascript js;
        image/svg+xml svg;
    }
    default_type application/octet-stream;
${temp}
    include ${dir}/default.conf;
}
`,
  );
}

async function waitForPort(port, child, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`nginx did not start on port ${port}: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const nginxBinary = findNginx();
const SECURITY_HEADERS = {
  'content-security-policy': /default-src 'self'.*frame-ancestors 'none'/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^strict-origin-when-cross-origin$/,
  'permissions-policy': /camera=\(\)/,
};

function assertSecurityHeaders(response) {
  for (const [name, pattern] of Object.entries(SECURITY_HEADERS)) {
    assert.match(response.headers.get(name) ?? '', pattern, `header ${name}`);
  }
  assert.equal(response.headers.get('server'), 'nginx', 'Server header without version');
}

describe('nginx configuration', { skip: nginxBinary ? false : 'no nginx binary (set NGINX_BIN)' }, () => {
  let dir;
  let nginx;
  let baseUrl;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storefront-nginx-'));
    const port = await freeLoopbackPort();
    writeConfig(dir, port);
    nginx = spawn(nginxBinary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: 'ignore',
    });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitForPort(port, nginx);
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await once(nginx, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /healthz returns 200 ok', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok\n');
    assert.match(response.headers.get('content-type'), /^text\/plain/);
    assertSecurityHeaders(response);
  });

  test('GET / serves index.html with security headers', async () => {
    const response = await fetch(`${baseUrl}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(await response.text(), /<title>Storefront<\/title>/);
    assertSecurityHeaders(response);
  });

  test('client-side route falls back to index.html', async () => {
    const response = await fetch(`${baseUrl}/orders/recent?tab=1`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<title>Storefront<\/title>/);
    assertSecurityHeaders(response);
  });

  test('serves the JavaScript modules', async () => {
    for (const path of ['/app.js', '/storefront.js']) {
      const response = await fetch(`${baseUrl}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type'), /^application\/javascript/, path);
      await response.arrayBuffer();
      assertSecurityHeaders(response);
    }
  });

  test('missing asset returns 404, not index.html', async () => {
    const response = await fetch(`${baseUrl}/missing.js`);
    assert.equal(response.status, 404);
    const body = await response.text();
    assert.doesNotMatch(body, /<title>Storefront/);
    assert.doesNotMatch(body, /nginx\/\d/, 'error page without version');
    assertSecurityHeaders(response);
  });

  test('/api/ paths return a JSON 404', async () => {
    for (const path of ['/api/products', '/api/products.json']) {
      const response = await fetch(`${baseUrl}${path}`);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type'), /^application\/json/, path);
      assert.equal((await response.json()).error.code, 'not_found', path);
    }
  });

  test('logs JSON lines without query strings', async () => {
    const response = await fetch(`${baseUrl}/checkout?email=ada@example.com`);
    await response.arrayBuffer();
    const lines = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line));
    const entry = entries.find((candidate) => candidate.path === '/checkout');
    assert.ok(entry, `no log line for /checkout in ${lines.length} lines`);
    assert.equal(entry.status, 200);
    assert.equal(entry.service, 'frontend');
    assert.equal(lines.some((line) => line.includes('ada@example.com')), false);
    assert.equal(entries.some((candidate) => candidate.path === '/healthz'), false, '/healthz is not logged');
  });
});
