import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from './log';
import { settingsFromProcess, type Settings } from './settings';
import { startDaemon } from './start';
import { tlsFromFlags } from './tls/options';

const usage = `Usage: sockerless-aca [-H tcp://127.0.0.1:2375 | -H unix:///path.sock]... [--data-root DIR] [--log-level info]
                     [--tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem] [--tls] [--insecure-listen]

A Docker Engine API daemon whose containers run as Azure Container Apps Jobs executions.
Without SOCKERLESS_ACA_SUBSCRIPTION_ID it runs on an embedded ACA simulator. Its other settings are
SOCKERLESS_* variables (the README's settings tables), read once at start: a bad one stops it.

  -H, --host ADDR     tcp://HOST:PORT or unix:///PATH (repeatable); default tcp://127.0.0.1:2375,
                      or tcp://127.0.0.1:2376 with TLS
  --tls               serve TCP with TLS (--tlscert, --tlskey); clients are not authenticated
  --tlsverify         mutual TLS: clients must present a certificate signed by --tlscacert
  --tlscacert FILE    CA for client certificates (default $DOCKER_CERT_PATH or ~/.docker, ca.pem)
  --tlscert FILE      the daemon's certificate (default cert.pem there)
  --tlskey FILE       the daemon's key (default key.pem there)
  --insecure-listen   allow a non-loopback TCP address without --tlsverify (anyone who reaches
                      it can run containers with this daemon's Azure identity)
  --inspect           stream the actor system to the Stately inspector (also SOCKERLESS_INSPECT=1);
                      open the printed bridge page in a browser that can reach stately.ai
  --inspect-port N    the bridge page's port (default 8080)

The live lifecycle page is at /ui/ on every TCP address.`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      host: { type: 'string', short: 'H', multiple: true },
      'data-root': { type: 'string' },
      'log-level': { type: 'string' },
      tls: { type: 'boolean' },
      tlsverify: { type: 'boolean' },
      tlscacert: { type: 'string' },
      tlscert: { type: 'string' },
      tlskey: { type: 'string' },
      'insecure-listen': { type: 'boolean' },
      inspect: { type: 'boolean' },
      'inspect-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  console.error(`sockerless-aca: ${(err as Error).message}\n\n${usage}`);
  process.exit(2);
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}

// The environment is read once, here: a bad value stops the start with every problem it has.
let settings: Settings;
try {
  settings = settingsFromProcess();
} catch (err) {
  console.error(`sockerless-aca: ${(err as Error).message.replaceAll('\n', '\nsockerless-aca: ')}`);
  process.exit(1);
}

const inspectPort = values['inspect-port'] === undefined ? 8080 : Number(values['inspect-port']);
if (!Number.isInteger(inspectPort) || inspectPort < 1 || inspectPort > 65535) {
  console.error(`sockerless-aca: --inspect-port must be a port number, not ${values['inspect-port']}`);
  process.exit(2);
}

const logger = createLogger(values['log-level'] ?? settings.logLevel);
// A daemon outlives any one request: a promise rejection nobody handled is logged, not fatal.
// (Seen once: attach's Log Analytics fallback, unawaited, rejecting with the SDK's AbortError when
// the client went away; that route now handles it.)
process.on('unhandledRejection', (reason) => {
  const abort = reason instanceof Error && reason.name === 'AbortError';
  logger[abort ? 'debug' : 'error']({ err: reason }, 'unhandled promise rejection');
});
let running;
try {
  running = await startDaemon({
    hosts: values.host ?? [],
    tls: await tlsFromFlags(values, settings.dockerCertPath),
    insecureListen: values['insecure-listen'],
    inspectPort: values.inspect || settings.inspect ? inspectPort : undefined,
    dataRoot: values['data-root'] ?? join(homedir(), '.local', 'share', 'sockerless-aca'),
    logger,
    settings,
  });
} catch (err) {
  console.error(`sockerless-aca: ${(err as Error).message}`);
  process.exit(1);
}

if (running.simulator) {
  console.log(`No SOCKERLESS_ACA_SUBSCRIPTION_ID set: containers run on the embedded ACA simulator at ${running.simulator.url}`);
} else {
  console.log(`Containers run on ${running.target}`);
}
const tlsNote = values.tlsverify ? '  (mutual TLS: docker --tlsverify)' : values.tls ? '  (TLS: docker --tls)' : '';
if (running.inspectUrl) console.log(`Stately inspector: open ${running.inspectUrl} (it loads the hosted inspector from stately.ai)`);
for (const l of running.listeners) console.log(`Sockerless ACA listening on ${l.url}  (export DOCKER_HOST=${l.url})${l.url.startsWith('tcp:') ? tlsNote : ''}`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    void running.close().then(() => process.exit(0));
  });
}
