// Every environment variable the daemon reads, in the order of the README's tables.
import { parseArmRates } from '../aca/arm-budget';
import { checkRegistryIdentity } from '../daemon/job-settings';
import { peerPortsFrom } from '../daemon/peers';
import { DEFAULT_SECRET_PATTERNS } from '../daemon/secrets';
import { parseBindShares } from '../volumes/bind-shares';
import { blank, integer, list, nonNegativeNot, oneOf, onOff, optionalInteger, optionalOneOf, positiveMs, positiveNot, text } from './kinds';
import { setting } from './setting';

const positiveGot = (name: string, raw: string) => `${name} must be a positive integer, got "${raw}"`;
const nonNegative = (name: string, raw: string) => `${name} must be a non-negative integer, got "${raw}"`;

export const DAEMON_SETTINGS = {
  // Running on real Azure.
  subscriptionId: setting({
    name: 'SOCKERLESS_ACA_SUBSCRIPTION_ID', table: 'azure', value: 'subscription id', default: '',
    description: 'the subscription; when unset the embedded simulator is used', parse: text,
  }),
  resourceGroup: setting({
    name: 'SOCKERLESS_ACA_RESOURCE_GROUP', table: 'azure', value: 'name', default: '',
    description: 'the resource group holding the jobs (required with a subscription)', parse: text,
  }),
  environment: setting({
    name: 'SOCKERLESS_ACA_ENVIRONMENT', table: 'azure', value: 'name', default: '',
    description: 'the Container Apps managed environment (required with a subscription)', parse: text,
  }),
  location: setting({
    name: 'SOCKERLESS_ACA_LOCATION', table: 'azure', value: 'region', default: 'the environment\'s',
    description: 'the daemon reads the environment\'s region at start and creates jobs there; if set, it must name the same region (else the start is refused: ARM refuses a job in another region than its environment)',
    parse: text,
  }),
  workspaceId: setting({
    name: 'SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE', table: 'azure', value: 'workspace (customer) id', default: 'the one the environment logs to',
    description: 'the Log Analytics workspace of `docker logs` and attach', parse: text,
  }),
  workloadProfile: setting({
    name: 'SOCKERLESS_ACA_WORKLOAD_PROFILE', table: 'azure', value: 'profile name', default: 'the environment\'s Consumption profile',
    description: 'the environment\'s workload profile jobs run on; a dedicated `D*`/`E*` profile allows up to its cores', parse: text,
  }),
  logSettleMs: setting({
    name: 'SOCKERLESS_LOG_SETTLE_MS', table: 'azure', value: 'milliseconds, 0 or more', default: '180000 on Azure; twice the embedded simulator\'s ingestion delay',
    description: 'how long a log follower waits after an execution\'s end for Log Analytics, until the workspace has shown its lag (see "Logs on Azure")',
    parse: optionalInteger(0, nonNegativeNot),
  }),
  pollIntervalMs: setting({
    name: 'SOCKERLESS_ACA_POLL_INTERVAL_MS', table: 'azure', value: 'milliseconds, above 0', default: '2000',
    description: 'execution and log polling (the embedded simulator polls every 500)', parse: integer(1, 2000, positiveGot),
  }),
  replicaTimeout: setting({
    name: 'SOCKERLESS_ACA_REPLICA_TIMEOUT', table: 'azure', value: 'seconds, above 0', default: '3600',
    description: 'every job\'s `replicaTimeout` (1800 on the embedded simulator)', parse: integer(1, 3600, positiveGot),
  }),
  callbackUrl: setting({
    name: 'SOCKERLESS_CALLBACK_URL', table: 'azure', value: '`ws://…/agent`, `wss://…/agent`, `ws+unix:///path.sock:/agent`', default: 'the first unix socket, else the first plain TCP listener (not a TLS one)',
    description: 'where the in-job agent dials back. Where jobs get the agent by image (`SOCKERLESS_AGENT_IMAGE`, `SOCKERLESS_AGENT` neither `local` nor `off`) on a target the daemon does not embed (Azure, or a standalone simulator standing in for it) it must be an address the job can reach: a unix socket or loopback address is refused at start, with the remedy',
    parse: text,
  }),
  agent: setting({
    name: 'SOCKERLESS_AGENT', table: 'azure', value: '`off`, `local` or `image`', default: '`local` on the embedded simulator; elsewhere `image` when `SOCKERLESS_AGENT_IMAGE` is set, else no agent',
    description: '`off`: no agent (exec, attach stdin and cp then answer why they cannot); `local`: run this checkout\'s agent in each job (a standalone simulator on this host); `image`: inject `SOCKERLESS_AGENT_IMAGE` by init container on the simulator too (the job Azure would get)',
    parse: optionalOneOf(['off', 'local', 'image'] as const),
  }),
  agentImage: setting({
    name: 'SOCKERLESS_AGENT_IMAGE', table: 'azure', value: 'image reference', default: '',
    description: 'the image of the agent\'s init container (`npm run agent:push`, see "The in-job agent"); without it jobs on Azure run with no agent. Its registry\'s credentials (the daemon\'s `docker login`, or `SOCKERLESS_ACA_REGISTRY_IDENTITY` for ACR) go into each job beside the main image\'s',
    parse: text,
  }),
  agentCaFile: setting({
    name: 'SOCKERLESS_AGENT_CA', table: 'azure', value: 'PEM file', default: '',
    description: 'a CA the agent trusts for a `wss://` callback beside Node\'s own root certificates (a private CA); passed to each job', parse: text,
  }),
  agentHeartbeatMs: setting({
    name: 'SOCKERLESS_AGENT_HEARTBEAT_MS', table: 'azure', value: 'milliseconds, above 0', default: '5000',
    description: 'the agent connection\'s heartbeat', parse: integer(1, 5000, positiveGot),
  }),
  agentWaitMs: setting({
    name: 'SOCKERLESS_AGENT_WAIT_MS', table: 'azure', value: 'milliseconds, 0 or more', default: '20000 on the simulator, 180000 on Azure (and the simulator\'s `azure` profile, time-scaled)',
    description: 'how long attach waits for an agent before reading Log Analytics, and exec, cp, top and stats wait for one to connect', parse: optionalInteger(0, nonNegative),
  }),
  liveLogBytes: setting({
    name: 'SOCKERLESS_LIVE_LOG_BYTES', table: 'azure', value: 'bytes, above 0', default: '1048576',
    description: 'the live-log budget per container', parse: integer(1, 1024 * 1024, positiveGot),
  }),
  fetchImageConfig: setting({
    name: 'SOCKERLESS_FETCH_IMAGE_CONFIG', table: 'azure', value: '`true` or `false`', default: 'read them on Azure and with `SOCKERLESS_AGENT=image` (the agent runs the image\'s own ENTRYPOINT and CMD), synthesise on the offline simulator',
    description: '`true`: read image configs from the registry on pull; `false`: synthesise them', parse: trueFalse,
  }),
  defaultCpu: setting({
    name: 'SOCKERLESS_ACA_DEFAULT_CPU', table: 'azure', value: 'CPUs', default: '1',
    description: 'the CPU of a container without limits; with the memory, an allowed ACA pair', parse: cpu,
  }),
  defaultMemory: setting({
    name: 'SOCKERLESS_ACA_DEFAULT_MEMORY', table: 'azure', value: 'e.g. `2Gi`', default: 'the CPU\'s pair (`2Gi` for 1 CPU)',
    description: 'the memory of a container without limits; with the CPU, an allowed ACA pair', parse: text,
  }),
  secretEnv: setting({
    name: 'SOCKERLESS_SECRET_ENV', table: 'azure', value: 'comma-separated env names', default: '',
    description: 'variables passed to jobs as ACA secrets (`secretRef`) and masked in inspect', parse: list,
  }),
  secretEnvPatterns: setting({
    name: 'SOCKERLESS_SECRET_ENV_PATTERNS', table: 'azure', value: 'comma-separated `*` patterns', default: `\`${DEFAULT_SECRET_PATTERNS.join(',')}\``,
    description: 'as `SOCKERLESS_SECRET_ENV`, for every variable whose name matches (empty: none)',
    parse: (raw: string | undefined) => (raw === undefined ? DEFAULT_SECRET_PATTERNS : list(raw)),
  }),
  registryIdentity: setting({
    name: 'SOCKERLESS_ACA_REGISTRY_IDENTITY', table: 'azure', value: 'a user-assigned identity\'s resource id', default: '',
    description: 'an identity holding AcrPull: jobs pull Azure Container Registry (`*.azurecr.io`) images with it instead of a password. `system` is refused at start: each container gets its own job, whose new system identity has no AcrPull at its first pull',
    parse: (raw: string | undefined) => {
      const identity = blank(raw);
      if (identity !== undefined) checkRegistryIdentity(identity);
      return identity;
    },
  }),
  storageAccount: setting({
    name: 'SOCKERLESS_ACA_STORAGE_ACCOUNT', table: 'azure', value: 'storage account name', default: '`sockerlesssim` on the simulator',
    description: 'the account holding named volumes\' Azure Files shares; without it named volumes are refused at container create (with this name in the message)',
    parse: (raw: string | undefined, name: string) => {
      const account = blank(raw);
      if (account !== undefined && !/^[a-z0-9]{3,24}$/.test(account)) throw new Error(`${name}: '${account}' is not a storage account name (3-24 lowercase letters and digits)`);
      return account;
    },
  }),
  storageResourceGroup: setting({
    name: 'SOCKERLESS_ACA_STORAGE_RESOURCE_GROUP', table: 'azure', value: 'name', default: '`SOCKERLESS_ACA_RESOURCE_GROUP`',
    description: 'the storage account\'s resource group', parse: text,
  }),
  storageKey: setting({
    name: 'SOCKERLESS_ACA_STORAGE_KEY', table: 'azure', value: 'account key', default: 'read once with `StorageAccounts_ListKeys`',
    description: 'the key the environment storages are registered with; when unset the daemon\'s identity needs `Microsoft.Storage/storageAccounts/listkeys/action`. Never logged', parse: text,
  }),
  bindVolumes: setting({
    name: 'SOCKERLESS_BIND_VOLUMES', table: 'azure', value: '`hostPath=volume,…`', default: '',
    description: 'bind mounts of `hostPath` (or a path under it) mount that volume\'s share at the matching `subPath` instead of being refused, e.g. a CI runner\'s workspace `/home/runner/work=ci-workspace`',
    parse: parseBindShares,
  }),

  peerPorts: setting({
    name: 'SOCKERLESS_PEER_PORTS', table: 'azure', value: '`declared` or `listening`', default: '`declared`',
    description: '`declared`: on a user network a container reaches its peers by name on the ports they declare (`EXPOSE`, `--expose`, `-p`); `listening`: also on the ports their servers are seen listening on (see "Container names between containers" for the trade-off)',
    parse: (raw: string | undefined) => peerPortsFrom(raw),
  }),

  // A standalone simulator, restarts, persistence.
  endpoint: setting({
    name: 'SOCKERLESS_ACA_ENDPOINT', table: 'local', value: 'URL', default: 'Azure\'s',
    description: 'ARM, Log Analytics and the token authority at this URL instead of Azure\'s (a standalone simulator)',
    parse: (raw: string | undefined) => blank(raw)?.replace(/\/+$/, ''),
  }),
  caFile: setting({
    name: 'SOCKERLESS_ACA_CA_FILE', table: 'local', value: 'PEM file', default: '',
    description: 'a CA certificate to trust, e.g. the simulator\'s', parse: text,
  }),
  azureTenantId: setting({
    name: 'AZURE_TENANT_ID', table: 'local', value: 'tenant id', default: '',
    description: 'with `SOCKERLESS_ACA_ENDPOINT` (required then): the tenant of the client secret that endpoint accepts; otherwise read by `DefaultAzureCredential`', parse: text,
  }),
  azureClientId: setting({
    name: 'AZURE_CLIENT_ID', table: 'local', value: 'client id', default: '',
    description: 'with `SOCKERLESS_ACA_ENDPOINT` (required then): the client of that secret; otherwise read by `DefaultAzureCredential`', parse: text,
  }),
  azureClientSecret: setting({
    name: 'AZURE_CLIENT_SECRET', table: 'local', value: 'secret', default: '',
    description: 'with `SOCKERLESS_ACA_ENDPOINT` (required then): the secret; otherwise read by `DefaultAzureCredential` (as its other `AZURE_*` variables). Never logged', parse: text,
  }),
  reconcileIntervalMs: setting({
    name: 'SOCKERLESS_RECONCILE_INTERVAL_MS', table: 'local', value: 'milliseconds, above 0', default: '60000',
    description: 'how often orphaned jobs are looked for', parse: integer(1, 60_000, positiveNot),
  }),
  jobReuse: setting({
    name: 'SOCKERLESS_JOB_REUSE', table: 'local', value: '`on` or `off`', default: '`on`',
    description: 'containers of one job shape share a job (see "How a container maps onto ACA"); off, every container has a job of its own', parse: onOff(true),
  }),
  jobIdleMs: setting({
    name: 'SOCKERLESS_JOB_IDLE_MS', table: 'local', value: 'milliseconds, 0 or more', default: '600000',
    description: 'how long a shared job stays unused before reconciliation deletes it', parse: integer(0, 600_000, nonNegativeNot),
  }),
  storeDurability: setting({
    name: 'SOCKERLESS_STORE_DURABILITY', table: 'local', value: '`normal` or `full`', default: '`normal`',
    description: '`normal`: a commit survives the process being killed; `full`: also fsynced, survives a power cut', parse: oneOf(['normal', 'full'] as const, 'normal'),
  }),
  persist: setting({
    name: 'SOCKERLESS_PERSIST', table: 'local', value: '`on` or `off`', default: '`on`',
    description: '`off`: keep nothing (each start is empty); for comparisons', parse: onOff(true),
  }),

  // Every target.
  publishHostIp: setting({
    name: 'SOCKERLESS_PUBLISH_HOST_IP', table: 'general', value: 'IP address', default: '`0.0.0.0` (as dockerd)',
    description: 'where a published port listens when the request names no address (see "Published ports")',
    parse: (raw: string | undefined) => blank(raw) ?? '0.0.0.0',
  }),
  simulatorNetwork: setting({
    name: 'SOCKERLESS_SIMULATOR_NETWORK', table: 'general', value: '`own` or `host`', default: '`own` where slirp4netns and nft are installed',
    description: 'the embedded simulator\'s replicas: each in its own network namespace, or `host`: on the host\'s network', parse: oneOf(['own', 'host'] as const, 'own'),
  }),
  inspect: setting({
    name: 'SOCKERLESS_INSPECT', table: 'general', value: '`1` or `0` (also `on`/`off`)', default: '`0`',
    description: 'as `--inspect`: stream the actor system to the Stately inspector (see "Watching the actors")',
    parse: onOff(false),
  }),
  logLevel: setting({
    name: 'SOCKERLESS_LOG_LEVEL', table: 'general', value: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`', default: '`info`',
    description: 'the daemon\'s log level when `--log-level` is not given (logs are JSON lines on stderr)',
    parse: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
  }),
  dockerCertPath: setting({
    name: 'DOCKER_CERT_PATH', table: 'general', value: 'directory', default: '`~/.docker`',
    description: 'where `--tls`/`--tlsverify` find `ca.pem`, `cert.pem` and `key.pem` when their flags are not given (see "The daemon\'s own socket")', parse: text,
  }),

  // When Azure fails.
  armBudget: setting({
    name: 'SOCKERLESS_ARM_BUDGET', table: 'failures', value: '`reads=N/BURST,writes=N/BURST` (per second / burst; either part may be left out) or `off`', default: '`reads=20/200,writes=8/150` (under Azure\'s 25 + 250 and 10 + 200)',
    description: 'the per-subscription budget every ARM request waits for', parse: parseArmRates,
  }),
  operationTimeoutMs: setting({
    name: 'SOCKERLESS_OPERATION_TIMEOUT_MS', table: 'failures', value: 'milliseconds, above 0', default: '120000',
    description: 'one cloud operation with its long-running part (create and start, stop, delete)', parse: integer(1, 120_000, positiveMs),
  }),
  scheduleTimeoutMs: setting({
    name: 'SOCKERLESS_SCHEDULE_TIMEOUT_MS', table: 'failures', value: 'milliseconds, above 0', default: '600000',
    description: 'how long an execution may stay pending before it is given up', parse: integer(1, 600_000, positiveMs),
  }),
  cloudRetryMs: setting({
    name: 'SOCKERLESS_CLOUD_RETRY_MS', table: 'failures', value: 'milliseconds, above 0', default: '1000',
    description: 'the chart\'s first back-off before a failed cloud operation is tried again, doubling up to 30×', parse: integer(1, 1000, positiveMs),
  }),
};

function trueFalse(raw: string | undefined, name: string): boolean | undefined {
  const given = blank(raw);
  if (given === undefined) return undefined;
  if (given !== 'true' && given !== 'false') throw new Error(`${name} must be true or false, not ${given}`);
  return given === 'true';
}

function cpu(raw: string | undefined, name: string): number {
  const given = blank(raw);
  if (given === undefined) return 1;
  const value = Number(given);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got '${given}'`);
  return value;
}
