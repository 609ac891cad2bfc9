import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from './log';
import { startDaemon } from './start';

const { values } = parseArgs({
  options: {
    host: { type: 'string', short: 'H', multiple: true },
    'data-root': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: sockerless-aca [-H tcp://127.0.0.1:2375 | -H unix:///path.sock]... [--data-root DIR] [--log-level info]

A Docker Engine API daemon whose containers run as Azure Container Apps Jobs executions.
Without SOCKERLESS_ACA_SUBSCRIPTION_ID it runs on an embedded ACA simulator.`);
  process.exit(0);
}

const logger = createLogger(values['log-level']);
const running = await startDaemon({
  hosts: values.host ?? [],
  dataRoot: values['data-root'] ?? join(homedir(), '.local', 'share', 'sockerless-aca'),
  logger,
});

if (running.simulator) {
  console.log(`No SOCKERLESS_ACA_SUBSCRIPTION_ID set: containers run on the embedded ACA simulator at ${running.simulator.url}`);
} else {
  console.log(`Containers run on ${running.target}`);
}
for (const l of running.listeners) console.log(`Sockerless ACA listening on ${l.url}  (export DOCKER_HOST=${l.url})`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    void running.close().then(() => process.exit(0));
  });
}
