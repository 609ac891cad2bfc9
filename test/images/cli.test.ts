// The docker CLI's image commands against a real daemon (embedded simulator); image commands only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.close();
});

describe('docker CLI image commands', () => {
  it('pull, images, tag, inspect, history, rmi', async () => {
    const pull = await d.cli(['pull', 'alpine']);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toBe([
      'Using default tag: latest',
      'latest: Pulling from library/alpine',
      'latest: Synthetic image: metadata only, no layers downloaded (Azure Container Apps pulls the image when the job runs)',
      'Status: Downloaded newer image for alpine:latest',
      'docker.io/library/alpine:latest',
      '',
    ].join('\n'));
    expect((await d.cli(['pull', 'alpine'])).stdout).toContain('Status: Image is up to date for alpine:latest\n');
    expect((await d.cli(['tag', 'alpine', 'myalpine:1'])).code).toBe(0);
    const images = await d.cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}']);
    expect(images.stdout.split('\n').filter(Boolean).sort()).toEqual(['alpine:latest 0B', 'myalpine:1 0B']);
    const inspect = await d.cli(['image', 'inspect', '--format', '{{json .RepoTags}} {{json .Config.Cmd}}', 'myalpine:1']);
    expect(inspect.stdout).toBe('["alpine:latest","myalpine:1"] ["/bin/sh"]\n');
    const history = await d.cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'alpine']);
    expect(history.stdout).toBe('sockerless: synthetic image for docker.io/library/alpine:latest\n');
    expect((await d.cli(['rmi', 'myalpine:1'])).stdout).toBe('Untagged: myalpine:1\n');
    const rmi = await d.cli(['rmi', 'alpine']);
    expect(rmi.stdout).toMatch(/^Untagged: alpine:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
    const missing = await d.cli(['rmi', 'alpine']);
    expect([missing.code, missing.stderr]).toEqual([1, 'Error response from daemon: No such image: alpine:latest\n']);
  });

  it('push and save fail with the reason', async () => {
    await d.cli(['pull', 'busybox']);
    const push = await d.cli(['push', 'busybox']);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('Error response from daemon: push is not supported: ACA runs images from your registry; push with a registry client');
    const save = await d.cli(['save', 'busybox']);
    expect(save.code).toBe(1);
    expect(save.stderr).toContain('image save and load (NotImplemented)');
  });
});
