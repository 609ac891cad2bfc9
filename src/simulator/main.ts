// Standalone simulator: `npm run simulator -- [--port 8443] [--latency realistic]`.
import { renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { armThrottleSchema, faultPlanSchema, parseJsonSetting } from './faults';
import type { ImageFallback } from './images/image-store';
import type { IsolationSetting, Latency, SimulatorLogger } from './options';
import { describeFigures } from './profile/describe';
import { profileOptions } from './profile/settings-from-text';
import { simulatorOptionsFrom, simulatorSettingsFromProcess } from '../settings/simulator-settings';
import { startSimulator } from './simulator';

const USAGE = `Usage: npm run simulator -- [options]
  --host <addr>            listen address (default 127.0.0.1)
  --port <n>               listen port (default 8443; 0 = any free port)
  --profile <name>         instant (default: writes at once, no delays) | azure (Azure's timing and log delivery)
  --time-scale <f>         azure profile: multiply every delay by f (e.g. 0.05), keeping their order (default 1)
  --seed <n>               seed of the azure profile's latency draws (default 1)
  --figure <name=v>        azure profile: override a figure (full-scale ms or count), name=v or name=min:median:max (repeatable)
  --environment-type <t>   workload-profiles (default) | consumption
  --workload-profiles <json>  [{"name","workloadProfileType","cores","memoryGi"}] (default: Consumption, 4 cores, 8 GiB)
  --log-destination <d>    log-analytics (default: ContainerAppConsoleLogs_CL) | azure-monitor (ContainerAppConsoleLogs) | none
  --latency <mode>         instant profile: instant | realistic (default instant)
  --lro-delay-ms <n>       realistic mode: how long operations stay InProgress (default 200)
  --ingestion-delay-ms <n> delay before log rows are queryable (default 0)
  --stop-grace-ms <n>      SIGTERM → SIGKILL grace on stop (default 10000)
  --execution-history <n>  executions kept per job, the oldest ended ones dropped (default: unbounded; azure profile: 100)
  --data-dir <dir>         scratch root for executions (default: a temp dir)
  --isolation <mode>       auto (namespaces where the host allows it) | none (default auto)
  --ca-file <path>         where to write the CA certificate (default: <tmp>/sockerless-sim-ca.pem)
  --write-env <path>       also write the daemon's settings for this simulator there (KEY=value lines)
  --visible-path <dir>     a host directory executions must see (repeatable; e.g. the daemon's unix socket's)
  --faults <json|@file>    inject faults: {"seed":N,"rules":[{"operation","kind","rate",...}]} (also PUT /_simulator/faults)
                           operation: a route name (Jobs_Start, JobExecution, OperationStatus, Query_Execute, ...), arm or *
                           kind: throttle | error500 | error503 | drop | slow | lro-failed | lro-stuck | execution-stuck | logs-partial
                           rate: 0..1; retryAfterSeconds (throttle, error503; default 1); delayMs (slow; default 2000)
  --arm-throttle <json|@file>  ARM token buckets per subscription:
                           {"reads":{"bucket":N,"refillPerSecond":R},"writes":{"bucket":N,"refillPerSecond":R}}
  --image-fallback <mode>  an image whose registry cannot be reached and that is not cached: host (default: run on
                           a root of the host's system directories, said once per image) or error (ImagePullFailure)
  --image-cache-bytes <n>  bound of the image layer cache under the data dir (default 10 GiB)
  --quiet                  no per-request logs
  -h, --help`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function consoleLogger(quiet: boolean): SimulatorLogger {
  const line = (level: string, o: object, msg?: string) => console.log(`${new Date().toISOString()} ${level} ${msg ?? ''} ${JSON.stringify(o)}`);
  return { info: (o, msg) => !quiet && line('info', o, msg), warn: (o, msg) => line('warn', o, msg) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      latency: { type: 'string' },
      profile: { type: 'string' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
      figure: { type: 'string', multiple: true },
      'environment-type': { type: 'string' },
      'workload-profiles': { type: 'string' },
      'log-destination': { type: 'string' },
      'lro-delay-ms': { type: 'string' },
      'ingestion-delay-ms': { type: 'string' },
      'stop-grace-ms': { type: 'string' },
      'execution-history': { type: 'string' },
      'data-dir': { type: 'string' },
      isolation: { type: 'string' },
      'ca-file': { type: 'string' },
      'write-env': { type: 'string' },
      'visible-path': { type: 'string', multiple: true },
      faults: { type: 'string' },
      'arm-throttle': { type: 'string' },
      'image-fallback': { type: 'string' },
      'image-cache-bytes': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const latency = values.latency ?? 'instant';
  if (latency !== 'instant' && latency !== 'realistic') throw new Error(`--latency must be instant or realistic, got '${latency}'`);

  // The SOCKERLESS_SIM_* variables apply here too; a flag wins over its variable.
  const flags = profileOptions(
    {
      profile: values.profile,
      timeScale: values['time-scale'],
      seed: values.seed,
      figures: values.figure,
      environmentType: values['environment-type'],
      workloadProfiles: values['workload-profiles'],
      logDestination: values['log-destination'],
    },
    {
      profile: '--profile',
      timeScale: '--time-scale',
      seed: '--seed',
      figures: '--figure',
      environmentType: '--environment-type',
      workloadProfiles: '--workload-profiles',
      logDestination: '--log-destination',
    },
  );
  const fromEnv = simulatorOptionsFrom(simulatorSettingsFromProcess());
  const profile = { ...fromEnv, ...flags };
  const sim = await startSimulator({
    ...profile,
    host: values.host,
    port: integer('port', values.port) ?? 8443,
    latency: latency satisfies Latency,
    lroDelayMs: integer('lro-delay-ms', values['lro-delay-ms']),
    ingestionDelayMs: integer('ingestion-delay-ms', values['ingestion-delay-ms']),
    stopGraceMs: integer('stop-grace-ms', values['stop-grace-ms']),
    executionHistory: integer('execution-history', values['execution-history']),
    dataDir: values['data-dir'],
    visiblePaths: values['visible-path'],
    isolation: values.isolation as IsolationSetting | undefined,
    faults: values.faults === undefined ? fromEnv.faults : parseJsonSetting(faultPlanSchema, values.faults, '--faults'),
    armThrottle: values['arm-throttle'] === undefined ? fromEnv.armThrottle : parseJsonSetting(armThrottleSchema, values['arm-throttle'], '--arm-throttle'),
    imageFallback: (values['image-fallback'] as ImageFallback | undefined) ?? fromEnv.imageFallback,
    imageCacheBytes: integer('image-cache-bytes', values['image-cache-bytes']) ?? fromEnv.imageCacheBytes,
    logger: consoleLogger(values.quiet),
  });
  const caFile = values['ca-file'] ?? join(tmpdir(), 'sockerless-sim-ca.pem');
  writeFileSync(caFile, sim.ca);
  // What a daemon needs to run on this simulator and keep its jobs across its own restarts.
  const daemonEnv = {
    SOCKERLESS_ACA_ENDPOINT: sim.url,
    SOCKERLESS_ACA_CA_FILE: caFile,
    SOCKERLESS_ACA_SUBSCRIPTION_ID: sim.subscriptionId,
    SOCKERLESS_ACA_RESOURCE_GROUP: sim.resourceGroup,
    SOCKERLESS_ACA_ENVIRONMENT: sim.environment,
    SOCKERLESS_ACA_LOCATION: sim.location,
    SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE: sim.workspaceId,
    AZURE_TENANT_ID: sim.tenantId,
    AZURE_CLIENT_ID: sim.clientId,
    AZURE_CLIENT_SECRET: sim.clientSecret,
    SOCKERLESS_AGENT: 'local',
  };
  const envLines = Object.entries(daemonEnv).map(([k, v]) => `${k}=${v}`);
  // Written whole under a temporary name, so a reader never sees half of it.
  if (values['write-env']) {
    writeFileSync(`${values['write-env']}.tmp`, `${envLines.join('\n')}\n`);
    renameSync(`${values['write-env']}.tmp`, values['write-env']);
  }

  const tokenUrl = `${sim.url}/${sim.tenantId}/oauth2/v2.0/token`;
  const settings = sim.profile;
  const modelled =
    settings.profile === 'azure'
      ? `\nProfile azure at time scale ${settings.timeScale} (seed ${settings.seed}): it models
  environment:      ${settings.environmentType} (${settings.workloadProfiles.map((p) => `${p.name}: ${p.workloadProfileType}, ${p.cores} cores, ${p.memoryGi} GiB`).join('; ')})
  console logs:     destination ${settings.logDestination}
${describeFigures(settings.figures).map((l) => `  ${l}`).join('\n')}\n`
      : `\nProfile instant (${latency}): no Azure delays; --profile azure models Azure's timing and log delivery.\n`;
  console.log(`Sockerless ACA simulator (${settings.profile}) listening on ${sim.url}
${modelled}
  CA certificate:   ${caFile}   (trust it with tlsOptions: { ca } or NODE_EXTRA_CA_CERTS)
  subscription:     ${sim.subscriptionId}
  resource group:   ${sim.resourceGroup}
  environment:      ${sim.environment} (${sim.location})
  workspace:        ${sim.workspaceId}
  isolation:        ${sim.isolationDetail}
  tenant:           ${sim.tenantId}
  client id:        ${sim.clientId}
  client secret:    ${sim.clientSecret}

Try:
  TOKEN=$(curl -s --cacert ${caFile} ${tokenUrl} -d grant_type=client_credentials -d client_id=${sim.clientId} -d client_secret=${sim.clientSecret} -d scope=https://management.azure.com/.default | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s --cacert ${caFile} -H "Authorization: Bearer $TOKEN" "${sim.url}/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.App/jobs?api-version=2026-07-01"
  curl -s --cacert ${caFile} ${sim.url}/_simulator/stats
  curl -s --cacert ${caFile} ${sim.url}/_simulator/faults

Run a daemon on it (its jobs outlive the daemon; restart the daemon at will):
${envLines.map((l) => `  export ${l}`).join('\n')}
  npm start`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing the simulator`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
