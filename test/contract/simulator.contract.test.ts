// The Cloud contract on the SDK cloud against the embedded simulator, in both of its profiles.
import { describe } from 'vitest';
import { describeCloudContract } from './cloud-contract';
import { simulatorTarget, type SimulatorProfile } from './sdk-target';

describe.each(['instant', 'azure'] satisfies SimulatorProfile[])('%s profile', (profile) => {
  describeCloudContract(`the Cloud contract on the SDK cloud and the simulator (${profile} profile)`, () => simulatorTarget(profile));
});
