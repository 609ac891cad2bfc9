// Compares a record of exchanges with what the simulator answers to the same suite. The record
// is SOCKERLESS_CONTRACT_REFERENCE (one `npm run test:azure` wrote on a real subscription) or, by
// default, records/made-by-the-simulator-instant.json: a record the simulator itself made (the
// Azure run pointed at a standalone simulator), so that this test checks the comparison and
// catches the simulator drifting from its own answers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCloudContract } from './cloud-contract';
import { compareRecords } from './compare-records';
import { ExchangeRecorder, sanitizePath, type Exchange, type ExchangeRecord } from './exchange-recorder';
import { simulatorTarget, type SimulatorProfile } from './sdk-target';

const referenceFile = process.env.SOCKERLESS_CONTRACT_REFERENCE || fileURLToPath(new URL('records/made-by-the-simulator-instant.json', import.meta.url));
const profile = (process.env.SOCKERLESS_CONTRACT_SIM_PROFILE || 'instant') as SimulatorProfile;

function exchange(operation: string, status: number, more: Partial<Exchange> = {}): Exchange {
  return { operation, status, headers: {}, requestShape: [], responseShape: [], values: {}, at: 0, ms: 1, ...more };
}
const record = (madeBy: string, exchanges: Exchange[]): ExchangeRecord => ({ madeBy, madeAt: '2026-01-01T00:00:00.000Z', exchanges });

describe('comparing two records', () => {
  const put = 'PUT /subscriptions/{subscriptions}/resourceGroups/{resourceGroups}/providers/Microsoft.App/jobs/{jobs}';
  const reference = record('azure', [
    exchange(put, 201, { headers: { 'azure-asyncoperation': '/x' }, responseShape: ['properties.provisioningState:string'], values: { 'properties.provisioningState': ['InProgress'] } }),
    exchange(put, 200),
  ]);

  it('finds nothing between a record and itself', () => {
    expect(compareRecords(reference, reference).differences).toEqual([]);
  });

  it('names the status, header, body field and value the candidate never showed', () => {
    const candidate = record('simulator', [exchange(put, 201, { values: { 'properties.provisioningState': ['Succeeded'] } })]);
    expect(compareRecords(reference, candidate).differences).toEqual([
      `${put} 201: header azure-asyncoperation missing from simulator's answers`,
      `${put} 201: body field properties.provisioningState:string missing from simulator's answers`,
      `${put} 201: properties.provisioningState = InProgress never seen from simulator`,
      `${put}: azure answered 200, simulator only 201`,
    ]);
  });

  it('keeps names out of paths', () => {
    expect(sanitizePath('/subscriptions/1234/resourceGroups/rg-prod/providers/Microsoft.App/jobs/sockerless-abc/executions/sockerless-abc-x1')).toBe(
      '/subscriptions/{subscriptions}/resourceGroups/{resourceGroups}/providers/Microsoft.App/jobs/{jobs}/executions/{executions}',
    );
  });
});

describe(`the simulator (${profile} profile) against ${referenceFile.split('/').slice(-2).join('/')}`, () => {
  const recorder = new ExchangeRecorder(`simulator-${profile}`);
  describeCloudContract(`the Cloud contract, recorded (${profile} profile)`, () => simulatorTarget(profile, recorder));

  it('answers every operation of the record with its statuses, headers, body fields and values', () => {
    const reference = JSON.parse(readFileSync(referenceFile, 'utf8')) as ExchangeRecord;
    const { differences, timings } = compareRecords(reference, recorder.record());
    console.log([`${reference.madeBy} (${reference.madeAt}) vs simulator-${profile}:`, ...timings.map((t) => `  ${t}`)].join('\n'));
    expect(differences).toEqual([]);
  });
});
