// The agent's injection into a job (issue 18; issue 15 rows 10 and 11): the init container and
// EmptyDir of the image mode, the agent image's own registry credentials, and when the real
// image config is read.
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/aca/cloud';
import { withAgent } from '../../src/daemon/agent/launch';
import { fetchImageConfig as fetchImageConfigOf } from '../../src/daemon/agent/settings';
import { parseSettings, type Environment } from '../../src/settings';
import { mergeAccess, RegistryCredentials } from '../../src/daemon/registry-auth';
import { CredentialStore } from '../../src/images/credentials';

const fetchImageConfig = (env: Environment, simulator: boolean) => fetchImageConfigOf(parseSettings(env), simulator);

const spec: JobSpec = {
  jobName: 'sockerless-abc', containerId: 'abc', image: 'app.example:5000/app:1', command: ['/entry'], args: ['cmd'],
  env: [{ name: 'A', value: '1' }], cpu: 1, memory: '2Gi', replicaTimeout: 60,
};
const base = { callbackUrl: 'wss://daemon.example/agent', containerId: 'abc', token: 'secret-token', workdir: '/w', stdin: false, tty: true };

describe('withAgent, image mode', () => {
  it('adds the init container that installs the agent into the EmptyDir, and wraps ENTRYPOINT + CMD', () => {
    const job = withAgent(spec, ['/entry', 'cmd'], { ...base, launch: { kind: 'image', image: 'acr.example/sockerless/agent:1' }, ca: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n' });
    expect(job.initContainers).toEqual([{ name: 'sockerless-agent', image: 'acr.example/sockerless/agent:1', command: ['/agent', 'install', '/sockerless'] }]);
    expect(job.sharedDirs).toEqual([{ name: 'sockerless-agent', mountPath: '/sockerless' }]);
    expect(job.command).toEqual(['/sockerless/agent', '--', '/entry', 'cmd']);
    expect(job.args).toBeUndefined();
    expect(job.env).toEqual(expect.arrayContaining([
      { name: 'SOCKERLESS_TTY', value: '1' },
      { name: 'SOCKERLESS_AGENT_CA', value: expect.stringContaining('BEGIN CERTIFICATE') },
      { name: 'SOCKERLESS_AGENT_TOKEN', secretRef: 'sockerless-agent-token' },
    ]));
    expect(JSON.stringify(job.env)).not.toContain('secret-token');
  });

  it('the local mode has no init container and no CA unless one is set', () => {
    const job = withAgent(spec, ['/entry'], { ...base, launch: { kind: 'local', command: ['/node', '/agent.mjs'] } });
    expect(job.initContainers).toBeUndefined();
    expect(job.command).toEqual(['/node', '/agent.mjs', '--', '/entry']);
    expect(job.env.some((e) => e.name === 'SOCKERLESS_AGENT_CA')).toBe(false);
  });
});

describe("the agent image's registry credentials (issue 15 row 10)", () => {
  const logins = new CredentialStore();
  logins.set('acr.example', { username: 'daemon', password: 'daemon-pw' });
  logins.set('app.example:5000', { username: 'login', password: 'login-pw' });
  const creds = new RegistryCredentials({ logins });
  creds.rememberForContainer('abc', { username: 'client', password: 'client-pw' });

  it("comes from the daemon's login for that registry, never from the client's auth for its own image", () => {
    expect(creds.access('abc', 'app.example:5000/app:1').registries).toEqual([{ server: 'app.example:5000', username: 'client', passwordSecretRef: 'registry-app-example-5000' }]);
    const agent = creds.daemonImageAccess('acr.example/sockerless/agent:1');
    expect(agent.registries).toEqual([{ server: 'acr.example', username: 'daemon', passwordSecretRef: 'registry-acr-example' }]);
    expect(agent.secrets).toEqual([{ name: 'registry-acr-example', value: 'daemon-pw' }]);
    expect(creds.daemonImageAccess('other.example/agent:1')).toEqual({ registries: [], secrets: [] });
  });

  it('both registries go into one job, each once', () => {
    const merged = mergeAccess(creds.access('abc', 'app.example:5000/app:1'), creds.daemonImageAccess('acr.example/sockerless/agent:1'));
    expect(merged.registries.map((r) => r.server)).toEqual(['app.example:5000', 'acr.example']);
    expect(merged.secrets.map((s) => s.name)).toEqual(['registry-app-example-5000', 'registry-acr-example']);
    const same = mergeAccess(creds.access('abc', 'app.example:5000/app:1'), creds.access('abc', 'app.example:5000/other:1'));
    expect(same.registries).toHaveLength(1);
    expect(same.secrets).toHaveLength(1);
  });

  it('a managed identity pulls an ACR agent image', () => {
    const withIdentity = new RegistryCredentials({ logins: new CredentialStore(), identity: 'system' });
    expect(withIdentity.daemonImageAccess('mine.azurecr.io/sockerless/agent:1')).toEqual({ registries: [{ server: 'mine.azurecr.io', identity: 'system' }], secrets: [], identity: 'system' });
  });
});

describe('the real image config is read whenever real images run (issue 15 row 11)', () => {
  it('on Azure by default; not on the offline simulator; on a simulator with the agent injected by image; as set when set', () => {
    expect(fetchImageConfig({}, false)).toBe(true);
    expect(fetchImageConfig({}, true)).toBe(false);
    expect(fetchImageConfig({ SOCKERLESS_ACA_ENDPOINT: 'https://127.0.0.1:1' }, false)).toBe(false);
    expect(fetchImageConfig({ SOCKERLESS_AGENT: 'image', SOCKERLESS_AGENT_IMAGE: 'acr.example/sockerless/agent:1' }, true)).toBe(true);
    expect(fetchImageConfig({ SOCKERLESS_FETCH_IMAGE_CONFIG: 'false' }, false)).toBe(false);
    expect(fetchImageConfig({ SOCKERLESS_FETCH_IMAGE_CONFIG: 'true' }, true)).toBe(true);
  });
});
