// The same file is in ../../backend/src/. Each service is a separate Docker build context, so
// the two cannot share it. Change both together.
import { randomUUID } from 'node:crypto';

/** Maximum request body size in bytes. An order of 50 items fits in well under 8 KiB. */
export const MAX_BODY_BYTES = 16 * 1024;

// Incoming X-Request-Id values are reused only when they match this pattern, so that a caller
// cannot put line breaks or very long strings into the logs.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** An error that maps to an HTTP response with a status, a machine-readable code and a message. */
export class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Returns the request's X-Request-Id if it is well formed, or a new random UUID. */
export function requestIdOf(request) {
  const incoming = request.headers['x-request-id'];
  if (typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)) {
    return incoming;
  }
  return randomUUID();
}

/**
 * Reads the request body and parses it as JSON.
 *
 * Throws HttpError 415 unless Content-Type is application/json, 413 when the body exceeds
 * `maxBytes`, and 400 when the body is not valid JSON.
 */
export async function readJsonBody(request, maxBytes = MAX_BODY_BYTES) {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type must be application/json, got ${JSON.stringify(contentType)}.`,
    );
  }

  const tooLarge = new HttpError(
    413,
    'payload_too_large',
    `Request body exceeds the maximum of ${maxBytes} bytes.`,
  );
  if (Number(request.headers['content-length']) > maxBytes) {
    throw tooLarge;
  }

  const text = await readBodyText(request, maxBytes, tooLarge);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'Request body is not valid JSON.');
  }
}

// Collects the body as UTF-8 text. Past `maxBytes` it rejects with `tooLarge` and keeps draining
// the stream without storing it, so the socket stays open long enough to send the 413.
function readBodyText(request, maxBytes, tooLarge) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let exceeded = false;
    request.on('data', (chunk) => {
      if (exceeded) {
        return;
      }
      size += chunk.length;
      if (size > maxBytes) {
        exceeded = true;
        chunks.length = 0;
        reject(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!exceeded) {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    request.on('error', reject);
  });
}

/** Sends `body` as a JSON response that clients and proxies must not cache. */
export function sendJson(response, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  response.end(payload);
}

/** Sends the error response for an HttpError: `{"error": {"code", "message", "details"?}}`. */
export function sendHttpError(response, error) {
  const body = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) {
    body.error.details = error.details;
  }
  // A 413 may leave part of the body unread, so the connection is not reused.
  const headers = error.status === 413 ? { Connection: 'close' } : {};
  if (error.status === 405 && error.details?.allow) {
    headers.Allow = error.details.allow.join(', ');
  }
  sendJson(response, error.status, body, headers);
}
