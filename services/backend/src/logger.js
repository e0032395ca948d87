// The same file is in ../../order-service/src/. Each service is a separate Docker build context,
// so the two cannot share it. Change both together.
/**
 * Creates a logger that writes one JSON object per line.
 *
 * Every line starts with `time` (ISO 8601, UTC), `level`, `service` and `msg`, followed by the
 * given fields. `write` receives each finished line and defaults to standard output, so the
 * container's log driver (awslogs on ECS) ships the lines unchanged.
 */
export function createLogger({ service, write = (line) => process.stdout.write(line) }) {
  function log(level, msg, fields = {}) {
    const entry = { time: new Date().toISOString(), level, service, msg, ...fields };
    write(`${JSON.stringify(entry)}\n`);
  }

  return {
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/** Returns the loggable fields of a caught error: its name, message, code and stack. */
export function errorFields(error) {
  if (!(error instanceof Error)) {
    return { error: String(error) };
  }
  const fields = { error: error.message, errorName: error.name };
  if (error.code !== undefined) {
    fields.errorCode = error.code;
  }
  if (error.stack !== undefined) {
    fields.stack = error.stack;
  }
  return fields;
}
