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

  it('an env var name ACA refuses (a dot: ContainerAppInvalidEnvVarName, Azure/reddog-containerapps#32) fails the run with ACA\'s message (a known gap of the daemon)', async () => {
    const r = await d.cli(['run', '--rm', '-e', 'app.mode=1', 'alpine', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Env variable name 'app.mode' contains invalid character");
  });
});
