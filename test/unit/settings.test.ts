// The one configuration (issue 22 item 5): every variable the daemon reads is a setting of the
// schema, parsed once at start; a bad value stops `npm start` with its message; the README's
// settings tables are the ones the schema makes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_VARIABLES } from '../../src/agent/variables';
import { ALL_SETTINGS, DAEMON_SETTINGS, parseSettings, parseSimulatorSettings, SettingsError, SIMULATOR_SETTINGS } from '../../src/settings';
import { settingsTable, withSettingsTables } from '../../src/settings/markdown';
import type { Setting } from '../../src/settings/setting';

const root = join(import.meta.dirname, '../..');
const specs = Object.values(ALL_SETTINGS) as Setting<unknown>[];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseSettings(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).problems;
  }
};

describe('the settings schema', () => {
  it('names each variable once, with its values, default and meaning', () => {
    const names = specs.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of specs) {
      expect(s.name, s.name).toMatch(/^(SOCKERLESS|AZURE|DOCKER)_[A-Z0-9_]+$/);
      expect(s.value.length, s.name).toBeGreaterThan(0);
      expect(s.description.length, s.name).toBeGreaterThan(10);
    }
    for (const s of Object.values(SIMULATOR_SETTINGS)) expect(s.flag, s.name).toMatch(/^--[a-z-]+/);
  });

  it('holds every SOCKERLESS_* variable src/ names, except those the daemon sets for the agent', () => {
    const agent = new Set<string>(AGENT_VARIABLES);
    const known = new Set(specs.map((s) => s.name));
    const named = new Set<string>();
    for (const file of sources(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/SOCKERLESS_[A-Z0-9_]+\*?/g)) {
        if (!m[0].endsWith('_') && !m[0].endsWith('*')) named.add(m[0]);
      }
    }
    expect([...named].filter((n) => !known.has(n) && !agent.has(n)).sort()).toEqual([]);
  });

  it('is the only reader of process.env in src/, but for child processes\' env and the agent', () => {
    // The agent is a program of its own in the job (its variables are what the daemon gave it);
    // executions.ts builds a replica's env; the isolation probe looks for tools on PATH to spawn.
    const allowed = ['src/agent/main.ts', 'src/simulator/executions.ts', 'src/simulator/isolation/probe.ts'];
    const readers = sources(join(root, 'src')).filter((f) => readFileSync(f, 'utf8').includes('process.env')).map((f) => relative(root, f));
    expect(readers.filter((f) => f.startsWith('src/settings/')).length).toBeGreaterThan(0);
    expect(readers.filter((f) => !allowed.includes(f) && !f.startsWith('src/settings/'))).toEqual([]);
  });

  it('gives the documented defaults when nothing is set', () => {
    const s = parseSettings({});
    expect(s).toMatchObject({
      subscriptionId: undefined, pollIntervalMs: 2000, replicaTimeout: 3600, agentHeartbeatMs: 5000, agentWaitMs: undefined,
      liveLogBytes: 1024 * 1024, defaultCpu: 1, secretEnv: [], secretEnvPatterns: ['*_TOKEN', '*_PASSWORD', '*_SECRET', '*_KEY'], bindVolumes: [],
      reconcileIntervalMs: 60_000, jobIdleMs: 600_000, storeDurability: 'normal', persist: true, publishHostIp: '0.0.0.0',
      simulatorNetwork: 'own', inspect: false, logLevel: 'info', armBudget: { reads: { perSecond: 20, burst: 200 }, writes: { perSecond: 8, burst: 150 } },
      operationTimeoutMs: 120_000, scheduleTimeoutMs: 600_000, cloudRetryMs: 1000,
    });
    // A default the README shows as a number is the number the schema gives.
    for (const [key, spec] of Object.entries(ALL_SETTINGS) as [keyof typeof s, Setting<unknown>][]) {
      if (/^\d+$/.test(spec.default) && typeof s[key] === 'number') expect(s[key], spec.name).toBe(Number(spec.default));
    }
    expect([s.jobReuse, parseSettings({ SOCKERLESS_JOB_REUSE: 'off' }).jobReuse]).toEqual([true, false]);
    expect(parseSimulatorSettings({})).toEqual(Object.fromEntries(Object.keys(SIMULATOR_SETTINGS).map((k) => [k, undefined])));
  });

  it('reads the values, blank as unset', () => {
    const s = parseSettings({
      SOCKERLESS_JOB_REUSE: 'ON', SOCKERLESS_PERSIST: 'off', SOCKERLESS_STORE_DURABILITY: 'full', SOCKERLESS_ARM_BUDGET: 'off',
      SOCKERLESS_ACA_ENDPOINT: 'https://127.0.0.1:8443//', SOCKERLESS_AGENT: 'local', SOCKERLESS_LOG_SETTLE_MS: '0',
      SOCKERLESS_BIND_VOLUMES: '/home/runner/work=ci', SOCKERLESS_SECRET_ENV_PATTERNS: '', SOCKERLESS_ACA_LOCATION: '  ',
      SOCKERLESS_SIM_PROFILE: 'azure', SOCKERLESS_SIM_IMAGE_CACHE_BYTES: '1024',
    });
    expect(s).toMatchObject({
      jobReuse: true, persist: false, storeDurability: 'full', armBudget: 'off', endpoint: 'https://127.0.0.1:8443', agent: 'local',
      logSettleMs: 0, bindVolumes: [{ hostPath: '/home/runner/work', volume: 'ci' }], secretEnvPatterns: [], location: undefined,
      simProfile: 'azure', simImageCacheBytes: 1024,
    });
  });

  it('refuses a bad value with the variable named, every problem at once', () => {
    expect(problemsOf({ SOCKERLESS_JOB_REUSE: 'x' })).toEqual(['SOCKERLESS_JOB_REUSE must be on or off, not x']);
    expect(problemsOf({ SOCKERLESS_STORE_DURABILITY: 'fast', SOCKERLESS_RECONCILE_INTERVAL_MS: '0', SOCKERLESS_JOB_IDLE_MS: '-1' })).toEqual([
      'SOCKERLESS_RECONCILE_INTERVAL_MS must be a positive integer, not 0',
      'SOCKERLESS_JOB_IDLE_MS must be a non-negative integer, not -1',
      'SOCKERLESS_STORE_DURABILITY must be normal or full, not fast',
    ]);
    expect(problemsOf({ SOCKERLESS_JOB_REUSE: 'x', SOCKERLESS_SIM_PROFILE: 'fast' })).toEqual([
      'SOCKERLESS_JOB_REUSE must be on or off, not x',
      "SOCKERLESS_SIM_PROFILE must be instant or azure, got 'fast'",
    ]);
    const cases: [Record<string, string>, RegExp][] = [
      [{ SOCKERLESS_OPERATION_TIMEOUT_MS: '1.5' }, /^SOCKERLESS_OPERATION_TIMEOUT_MS must be a positive integer \(milliseconds\), got "1.5"$/],
      [{ SOCKERLESS_ACA_POLL_INTERVAL_MS: 'fast' }, /^SOCKERLESS_ACA_POLL_INTERVAL_MS must be a positive integer, got "fast"$/],
      [{ SOCKERLESS_AGENT: 'on' }, /^SOCKERLESS_AGENT must be off, local or image, not on$/],
      [{ SOCKERLESS_AGENT_WAIT_MS: 'soon' }, /^SOCKERLESS_AGENT_WAIT_MS must be a non-negative integer/],
      [{ SOCKERLESS_FETCH_IMAGE_CONFIG: 'yes' }, /^SOCKERLESS_FETCH_IMAGE_CONFIG must be true or false, not yes$/],
      [{ SOCKERLESS_ARM_BUDGET: 'reads=fast' }, /^SOCKERLESS_ARM_BUDGET: expected off or reads=N\/BURST/],
      [{ SOCKERLESS_BIND_VOLUMES: 'relative=vol' }, /^SOCKERLESS_BIND_VOLUMES: 'relative=vol' is not hostPath=volume/],
      [{ SOCKERLESS_ACA_STORAGE_ACCOUNT: 'My_Store' }, /is not a storage account name/],
      [{ SOCKERLESS_ACA_REGISTRY_IDENTITY: 'system' }, /no AcrPull role at its first pull/],
      [{ SOCKERLESS_ACA_DEFAULT_CPU: 'lots' }, /^SOCKERLESS_ACA_DEFAULT_CPU must be a number, got 'lots'$/],
      [{ SOCKERLESS_LOG_LEVEL: 'loud' }, /^SOCKERLESS_LOG_LEVEL must be trace, debug, info, warn, error, fatal or silent, not loud$/],
      [{ SOCKERLESS_SIMULATOR_NETWORK: 'none' }, /^SOCKERLESS_SIMULATOR_NETWORK must be own or host, not none$/],
      [{ SOCKERLESS_SIM_PROFILE: 'fast' }, /^SOCKERLESS_SIM_PROFILE must be instant or azure, got 'fast'$/],
      [{ SOCKERLESS_SIM_FAULTS: '{' }, /^SOCKERLESS_SIM_FAULTS: not JSON/],
      [{ SOCKERLESS_SIM_IMAGE_FALLBACK: 'pull' }, /^SOCKERLESS_SIM_IMAGE_FALLBACK must be host or error, got 'pull'$/],
      [{ SOCKERLESS_ACA_SUBSCRIPTION_ID: 's' }, /^SOCKERLESS_ACA_SUBSCRIPTION_ID is set, so SOCKERLESS_ACA_RESOURCE_GROUP and SOCKERLESS_ACA_ENVIRONMENT must be set too$/],
      [{ SOCKERLESS_ACA_SUBSCRIPTION_ID: 's', SOCKERLESS_ACA_RESOURCE_GROUP: 'rg', SOCKERLESS_ACA_ENVIRONMENT: 'e', SOCKERLESS_ACA_ENDPOINT: 'https://h' }, /^SOCKERLESS_ACA_ENDPOINT is set, so AZURE_TENANT_ID/],
      [{ SOCKERLESS_AGENT: 'image' }, /^SOCKERLESS_AGENT=image needs SOCKERLESS_AGENT_IMAGE/],
    ];
    for (const [env, message] of cases) {
      const problems = problemsOf(env);
      expect(problems, JSON.stringify(env)).toHaveLength(1);
      expect(problems[0], JSON.stringify(env)).toMatch(message);
    }
  });
});

describe('the README', () => {
  it('holds the settings tables the schema makes (npm run docs:settings rewrites them)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withSettingsTables(readme)).toBe(readme);
    for (const s of specs) expect(readme, s.name).toContain(`\`${s.name}\``);
  });

  it('a changed setting makes the tables stale', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = settingsTable('local');
    const stale = readme.replace(table, table.replace('| 60000 |', '| 30000 |'));
    expect(stale).not.toBe(readme);
    expect(withSettingsTables(stale)).toBe(readme);
    expect(Object.keys(DAEMON_SETTINGS).length + Object.keys(SIMULATOR_SETTINGS).length).toBe(specs.length);
  });
});

describe('npm start with a bad value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockerless-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (command: string, args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(command, args, { cwd: root, env: { PATH: process.env.PATH, HOME: dir, ...env }, timeout: 110_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      ),
    );

  it('stops at start with every message and exit code 1, listening nowhere', async () => {
    const socket = join(dir, 'docker.sock');
    const r = await run('npm', ['start', '--silent', '--', '-H', `unix://${socket}`, '--data-root', join(dir, 'data')], {
      SOCKERLESS_JOB_REUSE: 'x', SOCKERLESS_RECONCILE_INTERVAL_MS: 'often',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sockerless-aca: SOCKERLESS_JOB_REUSE must be on or off, not x\n');
    expect(r.stderr).toContain('sockerless-aca: SOCKERLESS_RECONCILE_INTERVAL_MS must be a positive integer, not often\n');
    expect(r.stdout).not.toContain('listening on');
    expect(readdirSync(dir)).not.toContain('data');
  }, 120_000); // a fresh npm + node + tsx process; slow only when the machine is busy

  it('the standalone simulator too', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0'], { SOCKERLESS_SIM_LOG_DESTINATION: 'stdout' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SOCKERLESS_SIM_LOG_DESTINATION must be one of log-analytics, azure-monitor, none, got 'stdout'/);
  }, 120_000);
});
