// docker-py 5 (the system python's python3-docker) against a daemon on the embedded simulator.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { missing, run, SYSTEM_PYTHON } from './tools';

const absent = await missing('docker-py');
if (absent) console.warn(`skipping the docker-py tests: ${absent}`);
const script = fileURLToPath(new URL('./docker_py_flow.py', import.meta.url));

let d: TestDaemon;

describe.skipIf(absent !== undefined)('docker-py 5', () => {
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('ping, version, info, images, containers run/wait/logs/remove, exec, networks and volumes (a container writes a volume, the next reads it)', { timeout: 180_000 }, async () => {
    const r = await run(SYSTEM_PYTHON, [script, `unix://${d.socket}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ api_version: '1.47', driver: 'container-apps-jobs', os: 'Azure Container Apps' });
    expect(report.member_ip).toMatch(/^172\.18\.0\.\d+$/);
    expect(report.exec).toBe('ok');
    expect(report.volume_read).toBe('kept by the share');
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
  });
});
