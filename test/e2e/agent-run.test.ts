// Issue 3 acceptance, `docker run` through the in-job agent: exact exit codes, both streams kept
// apart and live, stdin with half-close, stop and kill through the agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
});
afterAll(async () => {
  await d?.close();
});

describe('docker run with the agent', () => {
  it('docker run alpine sh -c "exit 3" exits 3', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });

  it('stdout and stderr arrive on their own streams', async () => {
    const r = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo a; echo b >&2']);
    expect(r).toMatchObject({ code: 0, stdout: 'a\n', stderr: 'b\n' });
  });

  it('echo hi | docker run -i --rm alpine cat prints hi', async () => {
    const r = await d.cli(['run', '-i', '--rm', 'alpine', 'cat'], { input: 'hi\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
  });
});
