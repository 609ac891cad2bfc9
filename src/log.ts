import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs on stderr. Secrets are redacted wherever they appear as these keys. */
export function createLogger(level = 'info'): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['token', '*.token', 'secret', '*.secret', 'clientSecret', '*.clientSecret', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
