// Unit tests: the volume settings (storage account, bind mappings) and the share and storage names.
import { describe, expect, it } from 'vitest';
import type { AcaConfig } from '../../src/config';
import { AzureFileShares, type ShareClients } from '../../src/volumes/azure-files';
import { parseBindShares, shareOfBind } from '../../src/volumes/bind-shares';
import { shareSettingsFrom } from '../../src/volumes/share-settings';
import { parseSettings, type Environment } from '../../src/settings';

const config = { resourceGroup: 'rg1' } as AcaConfig;
// The settings schema parses the variables, as at the daemon's start.
const shareSettingsFromEnv = (env: Environment, c: AcaConfig, simulator: boolean) => shareSettingsFrom(parseSettings(env), c, simulator);

describe('shareSettingsFromEnv', () => {
  it('defaults to the simulator account there, to nothing on Azure', () => {
    expect(shareSettingsFromEnv({}, config, true)).toEqual({ account: 'sockerlesssim', resourceGroup: 'rg1' });
    expect(shareSettingsFromEnv({}, config, false)).toBeUndefined();
  });

  it('takes the account, its resource group and key; refuses a name Azure would', () => {
    const env = { SOCKERLESS_ACA_STORAGE_ACCOUNT: 'mystore1', SOCKERLESS_ACA_STORAGE_RESOURCE_GROUP: 'rg-files', SOCKERLESS_ACA_STORAGE_KEY: 'a2V5' };
    expect(shareSettingsFromEnv(env, config, false)).toEqual({ account: 'mystore1', resourceGroup: 'rg-files', key: 'a2V5' });
    expect(() => shareSettingsFromEnv({ SOCKERLESS_ACA_STORAGE_ACCOUNT: 'My_Store' }, config, false)).toThrow(/not a storage account name/);
  });
});

describe('bind mappings', () => {
  const shares = parseBindShares('/home/runner/work/=ci-workspace, /srv=srv-data');

  it('parse hostPath=volume pairs, normalised', () => {
    expect(shares).toEqual([{ hostPath: '/home/runner/work', volume: 'ci-workspace' }, { hostPath: '/srv', volume: 'srv-data' }]);
    expect(parseBindShares(undefined)).toEqual([]);
    expect(() => parseBindShares('relative=vol')).toThrow(/SOCKERLESS_BIND_VOLUMES/);
    expect(() => parseBindShares('/ok')).toThrow(/hostPath=volume/);
  });

  it('map the path and what lies under it, not a sibling with the same prefix', () => {
    expect(shareOfBind('/home/runner/work', shares)).toEqual({ volume: 'ci-workspace', subPath: '' });
    expect(shareOfBind('/home/runner/work/repo/src/', shares)).toEqual({ volume: 'ci-workspace', subPath: 'repo/src' });
    expect(shareOfBind('/home/runner/workspace', shares)).toBeUndefined();
    expect(shareOfBind('/srv/../etc', shares)).toBeUndefined();
  });
});

describe('AzureFileShares names', () => {
  const make = (instance: string) => new AzureFileShares({} as ShareClients, { account: 'acct', resourceGroup: 'rg' }, instance);

  it('are valid share and storage names, stable for a daemon, distinct between daemons', () => {
    const names = make('instance-a').names('My_Data.v2');
    expect(names.share).toMatch(/^sockerless-[0-9a-f]{12}-my-data-v2$/);
    expect(names.storage.readWrite).toMatch(/^sl-[0-9a-f]{16}-rw$/);
    expect(names.storage.readOnly).toBe(names.storage.readWrite.replace(/-rw$/, '-ro'));
    expect(make('instance-a').names('My_Data.v2')).toEqual(names);
    expect(make('instance-b').names('My_Data.v2').share).not.toBe(names.share);
    expect(make('instance-a').names('x'.repeat(255)).share.length).toBeLessThanOrEqual(63);
  });
});
