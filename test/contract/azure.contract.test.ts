// The Cloud contract on a real subscription (`npm run test:azure`): skipped, saying why, unless
// the settings in the README's "Cloud contract suite" section are there. It writes a sanitized
// record of what ARM and Log Analytics answered, which record-vs-simulator.test.ts compares with
// the simulator's answers.
import { afterAll, it } from 'vitest';
import { describeCloudContract } from './cloud-contract';
import { ExchangeRecorder } from './exchange-recorder';
import { azureConfig, azureTarget } from './sdk-target';

const { config, missing } = azureConfig(process.env);
const recordFile = process.env.SOCKERLESS_CONTRACT_RECORD_FILE || `contract-record-azure-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
const image = process.env.SOCKERLESS_CONTRACT_IMAGE || 'mcr.microsoft.com/azurelinux/busybox:1.36';

if (config) {
  const recorder = new ExchangeRecorder(process.env.SOCKERLESS_CONTRACT_MADE_BY || 'azure');
  describeCloudContract('the Cloud contract on the SDK cloud and a real subscription', async () => azureTarget(config, recorder, image));
  afterAll(() => {
    recorder.write(recordFile);
    console.log(`the exchanges with Azure, sanitized: ${recordFile}`);
  });
} else {
  console.log(`the Cloud contract on Azure is skipped: ${missing}`);
  it.skip(`the Cloud contract on Azure (skipped: ${missing})`, () => {});
}
