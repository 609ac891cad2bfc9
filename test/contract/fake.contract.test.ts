// The Cloud contract on the fake cloud the persistence tests use.
import { describeCloudContract } from './cloud-contract';
import { fakeTarget } from './fake-target';

describeCloudContract('the Cloud contract on the fake cloud', async () => fakeTarget());
