// The daemon of today, driven by the installed docker CLI, against a simulator that validates as
// ARM and ACA do (strictValidation; rules and sources in README "Strict validation").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({ simulator: { strictValidation: true } });
});
afterAll(async () => {
  await d?.close();
});

describe('docker CLI on a strictly validating simulator', () => {
  it('docker run --rm alpine echo hello still works: the daemon\'s job passes the schema and the ACA rules', async () => {
    const r = await d.cli(['run', '--rm', '-e', 'GREETING_1=hello', 'alpine', 'sh', '-c', 'echo $GREETING_1']);
    expect(r.stderr).not.toMatch(/Error|invalid/i);
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
  });

  it('an env var name ACA refuses (a dot: ContainerAppInvalidEnvVarName, Azure/reddog-containerapps#32) passes validation: the agent carries it to the process', async () => {
    const r = await d.cli(['run', '--rm', '-e', 'app.mode=1', 'alpine', 'env']);
    expect(r.stderr).not.toContain('Env variable name');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContain('app.mode=1');
  });
});
