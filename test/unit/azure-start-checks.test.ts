import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackRefusal, unreachableCallback } from '../../src/daemon/agent/callback-check';
import { checkRegistryIdentity, jobSettingsFrom } from '../../src/daemon/job-settings';
import { parseSettings } from '../../src/settings';
import { parseAddress } from '../../src/listen';
import { createLogger } from '../../src/log';
import { startDaemon } from '../../src/start';

const AZURE = {
  SOCKERLESS_ACA_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  SOCKERLESS_ACA_RESOURCE_GROUP: 'rg',
  SOCKERLESS_ACA_ENVIRONMENT: 'env',
  SOCKERLESS_AGENT_IMAGE: 'myacr.azurecr.io/sockerless-agent:1',
};

describe('the agent callback on Azure', () => {
  it('refuses a unix socket or a loopback address, with the remedy', () => {
    for (const url of ['ws+unix:///run/sockerless.sock:/agent', 'ws://127.0.0.1:2375/agent', 'ws://localhost:2375/agent', 'ws://[::1]:2375/agent', 'ws://0.0.0.0:2375/agent']) {
      expect(unreachableCallback(url), url).toMatch(/cannot reach: set SOCKERLESS_CALLBACK_URL to a ws:\/\/ or wss:\/\/ URL/);
    }
    expect(unreachableCallback('http://daemon.example.com/agent')).toMatch(/not a ws:\/\/ or wss:\/\/ URL/);
  });

  it('lets a URL replicas can reach through', () => {
    expect(unreachableCallback('wss://sockerless.example.com/agent')).toBeUndefined();
    expect(unreachableCallback('ws://10.1.2.3:2375/agent')).toBeUndefined();
  });

  it('judges the callback the daemon would derive from its listeners when none is set', () => {
    expect(callbackRefusal(undefined, [parseAddress('unix:///run/s.sock')])).toMatch(/SOCKERLESS_CALLBACK_URL is not set, and the agent callback ws\+unix:\/\/\/run\/s.sock:\/agent is a unix socket/);
    expect(callbackRefusal(undefined, [parseAddress('tcp://127.0.0.1:2375')])).toMatch(/loopback/);
    expect(callbackRefusal(undefined, [parseAddress('tcp://10.0.0.4:2375')])).toBeUndefined();
    expect(callbackRefusal('wss://d.example.com/agent', [parseAddress('unix:///run/s.sock')])).toBeUndefined();
  });

  describe('startDaemon aimed at Azure (refused before any request is sent)', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sockerless-azure-start-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses to start with the default unix-socket callback', async () => {
      await expect(startDaemon({ hosts: [`unix://${join(dir, 'a.sock')}`], dataRoot: join(dir, 'a'), env: AZURE, logger: createLogger('silent') }))
        .rejects.toThrow(/a job running on Azure cannot reach/);
    });

    it('refuses to start with a loopback SOCKERLESS_CALLBACK_URL', async () => {
      const env = { ...AZURE, SOCKERLESS_CALLBACK_URL: 'ws://127.0.0.1:2375/agent' };
      await expect(startDaemon({ hosts: [`unix://${join(dir, 'b.sock')}`], dataRoot: join(dir, 'b'), env, logger: createLogger('silent') }))
        .rejects.toThrow(/loopback address/);
    });

    it('refuses a system identity for registry pulls, with the remedy', async () => {
      const env = { ...AZURE, SOCKERLESS_AGENT: 'off', SOCKERLESS_ACA_REGISTRY_IDENTITY: 'system' };
      await expect(startDaemon({ hosts: [`unix://${join(dir, 'c.sock')}`], dataRoot: join(dir, 'c'), env, logger: createLogger('silent') }))
        .rejects.toThrow(/no AcrPull role at its first pull.*user-assigned identity/);
    });
  });
});

describe('the registry identity', () => {
  it('takes a user-assigned identity resource id and refuses anything else', () => {
    const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/puller';
    expect(jobSettingsFrom(parseSettings({ SOCKERLESS_ACA_REGISTRY_IDENTITY: id })).registryIdentity).toBe(id);
    expect(() => checkRegistryIdentity('System')).toThrow(/system-assigned identity/);
    expect(() => checkRegistryIdentity('puller')).toThrow(/must be a user-assigned identity's resource id/);
  });
});
