// The profile mechanism: defaults, settings from the environment, seeded latency draws, time scale.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FIGURES, FIGURE_NAMES, startSimulator } from '../../src/simulator';
import { parseSimulatorSettings, simulatorOptionsFrom, type Environment } from '../../src/settings';
import type { Simulator } from '../../src/simulator';
import { resolveOptions } from '../../src/simulator/options';
import { figuresMarkdownTable } from '../../src/simulator/profile/describe';
import { Timing } from '../../src/simulator/profile/timing';

/** What the daemon's embedded simulator gets of these variables (the settings schema, as at start). */
const simulatorProfileFromEnv = (env: Environment) => simulatorOptionsFrom(parseSimulatorSettings(env));

describe('profiles', () => {
  let sim: Simulator;
  let dataDir: string;
  beforeAll(async () => {
    sim = await startSimulator();
    dataDir = mkdtempSync(join(tmpdir(), 'sockerless-profile-'));
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('instant stays the default: no delays, Consumption workload profile, log-analytics', () => {
    expect(sim.profile).toMatchObject({ profile: 'instant', timeScale: 1, environmentType: 'workload-profiles', logDestination: 'log-analytics' });
    const timing = new Timing(resolveOptions({ dataDir }));
    expect([timing.operationMs('jobPut'), timing.processingMs(['alpine']), timing.terminalLagMs()]).toEqual([0, 0, 0]);
    expect(timing.executionHistory()).toBe(Infinity);
  });

  it('SOCKERLESS_SIM_* settings reach the embedded simulator; bad ones are refused with the variable named', () => {
    expect(simulatorProfileFromEnv({
      SOCKERLESS_SIM_PROFILE: 'azure', SOCKERLESS_SIM_TIME_SCALE: '0.05', SOCKERLESS_SIM_SEED: '9',
      SOCKERLESS_SIM_FIGURES: 'jobPutMs=1000,ingestionDelayMs=100:200:300', SOCKERLESS_SIM_LOG_DESTINATION: 'azure-monitor',
      SOCKERLESS_SIM_ENVIRONMENT_TYPE: 'consumption',
      SOCKERLESS_SIM_WORKLOAD_PROFILES: '[{"name":"d4","workloadProfileType":"D4","cores":4,"memoryGi":16}]',
    })).toEqual({
      profile: 'azure', timeScale: 0.05, seed: 9, logDestination: 'azure-monitor', environmentType: 'consumption',
      figures: { jobPutMs: 1000, ingestionDelayMs: { min: 100, median: 200, max: 300 } },
      workloadProfiles: [{ name: 'd4', workloadProfileType: 'D4', cores: 4, memoryGi: 16 }],
    });
    expect(simulatorProfileFromEnv({})).toEqual({});
    expect(() => simulatorProfileFromEnv({ SOCKERLESS_SIM_PROFILE: 'fast' })).toThrow(/SOCKERLESS_SIM_PROFILE/);
    expect(() => simulatorProfileFromEnv({ SOCKERLESS_SIM_TIME_SCALE: '0' })).toThrow(/SOCKERLESS_SIM_TIME_SCALE/);
    expect(() => simulatorProfileFromEnv({ SOCKERLESS_SIM_FIGURES: 'nope=1' })).toThrow(/unknown figure 'nope'/);
    expect(() => simulatorProfileFromEnv({ SOCKERLESS_SIM_LOG_DESTINATION: 'stdout' })).toThrow(/SOCKERLESS_SIM_LOG_DESTINATION/);
  });

  it('the time scale multiplies every duration and keeps counts and the rate window; overrides are full-scale', () => {
    const s = resolveOptions({ profile: 'azure', timeScale: 0.05, figures: { jobPutMs: 2000 }, dataDir });
    expect(s.figures.scheduleMs).toEqual({ min: 1000, median: 1500, max: 2250 });
    expect(s.figures.jobPutMs).toEqual({ min: 100, median: 100, max: 100 });
    expect(s.figures.queryConcurrency.median).toBe(5);
    expect(s.figures.queryRateWindowMs.median).toBe(30_000);
    expect(s.stopGraceMs).toBe(1500);
    expect(s.latency).toBe('realistic');
  });

  it('latencies are drawn from a seeded distribution: within the figure’s range, not constant, replayable by seed', () => {
    const draws = (seed: number) => {
      const timing = new Timing(resolveOptions({ profile: 'azure', seed, dataDir }));
      return Array.from({ length: 200 }, () => timing.draw('ingestionDelayMs'));
    };
    const a = draws(1);
    const { min, max, median } = FIGURES.ingestionDelayMs.value;
    expect(Math.min(...a)).toBeGreaterThanOrEqual(min);
    expect(Math.max(...a)).toBeLessThanOrEqual(max);
    expect(new Set(a).size).toBeGreaterThan(100);
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[100]! / median).toBeGreaterThan(0.7);
    expect(sorted[100]! / median).toBeLessThan(1.4);
    expect(draws(1)).toEqual(a);
    expect(draws(2)).not.toEqual(a);
  });

  it('every figure has a source, and the README profile table is the one the figures make', () => {
    for (const name of FIGURE_NAMES) expect(FIGURES[name].source.length, name).toBeGreaterThan(10);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(figuresMarkdownTable());
  });
});
