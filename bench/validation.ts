// npm run bench:validation
// What strictValidation costs the simulator per request: the first check of a job body (the
// schema compiled on first use) and the steady state, beside the zod parse every request pays.
import { performance } from 'node:perf_hooks';
import { jobBodySchema } from '../src/simulator/job-schema';
import { DEFAULT_ENVIRONMENT_FACTS } from '../src/simulator/validation/facts';
import { checkJobPut } from '../src/simulator/validation/strict';
import { renderTable, round, type Figure } from './figure';

// The daemon's job with the agent, as the wire carries it.
const body = {
  location: 'eastus',
  tags: { 'managed-by': 'sockerless', 'sockerless-container-id': 'c'.repeat(64) },
  properties: {
    environmentId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env',
    configuration: {
      triggerType: 'Manual',
      replicaTimeout: 3600,
      replicaRetryLimit: 0,
      manualTriggerConfig: { replicaCompletionCount: 1, parallelism: 1 },
      secrets: [{ name: 'sockerless-agent-token', value: 't' }],
    },
    template: {
      containers: [{
        name: 'main', image: 'busybox:latest', command: ['/sockerless/agent', '--', 'sh', '-c', 'true'],
        env: [{ name: 'FOO', value: 'bar' }, { name: 'SOCKERLESS_AGENT_TOKEN', secretRef: 'sockerless-agent-token' }],
        resources: { cpu: 1, memory: '2Gi' }, volumeMounts: [{ volumeName: 'sockerless-agent', mountPath: '/sockerless' }],
      }],
      initContainers: [{ name: 'sockerless-agent', image: 'ghcr.io/x/agent:1', command: ['/agent', 'install', '/sockerless'], resources: { cpu: 0.25, memory: '0.5Gi' } }],
      volumes: [{ name: 'sockerless-agent', storageType: 'EmptyDir' }],
    },
  },
};

const time = (fn: () => void, n: number) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t) * 1000) / n;
};

const first = time(() => checkJobPut('sockerless-0123456789ab', body, DEFAULT_ENVIRONMENT_FACTS, 'env'), 1);
const N = 5000;
const steady = time(() => checkJobPut('sockerless-0123456789ab', body, DEFAULT_ENVIRONMENT_FACTS, 'env'), N);
const zod = time(() => jobBodySchema.parse(body), N);
const figures: Figure[] = [
  { name: 'strict check of a job PUT, first (compiles the schema)', value: round(first / 1000, 1), unit: 'ms', samples: 1 },
  { name: 'strict check of a job PUT, steady (mean)', value: round(steady, 1), unit: 'µs', samples: N, comparison: { label: 'zod parse of the same body', value: round(zod, 1), unit: 'µs' } },
];
console.log(renderTable(figures));
