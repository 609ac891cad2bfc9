// What the /ui page says was behind each transition, from the event the chart took.
import { describe, expect, it } from 'vitest';
import { CloudError } from '../../src/aca/errors';
import { causeOf, triggerOf } from '../../src/ui/cause';

const calls = new Map([['0.container.starting.calling', 'runJob']]);
const callOf = (id: string) => calls.get(id);

describe('causeOf', () => {
  it('names the Docker request behind API events', () => {
    expect(causeOf({ type: 'xstate.init' }, callOf)).toEqual({ source: 'api', text: 'docker create' });
    expect(causeOf({ type: 'START', rid: 'r1' }, callOf)).toEqual({ source: 'api', text: 'docker start' });
    expect(causeOf({ type: 'KILL', rid: 'r1', signal: 'SIGKILL' }, callOf)).toEqual({ source: 'api', text: 'docker kill SIGKILL' });
    expect(causeOf({ type: 'REMOVE', rid: 'r1', force: true }, callOf)).toEqual({ source: 'api', text: 'docker rm --force' });
  });

  it('names the cloud call that finished or failed, with the failure kind and message', () => {
    expect(causeOf({ type: 'xstate.done.actor.0.container.starting.calling', output: {} }, callOf)).toEqual({ source: 'cloud', text: 'runJob succeeded' });
    const error = new CloudError('createJob', 'sockerless-abc', 'the service is busy', 503);
    const failed = causeOf({ type: 'xstate.error.actor.0.container.starting.calling', error }, callOf);
    expect(failed.source).toBe('cloud');
    expect(failed.text).toBe(`runJob failed: (${error.kind}) createJob sockerless-abc failed: the service is busy`);
    expect(causeOf({ type: 'xstate.done.actor.unknown' }, callOf).text).toBe('cloud call succeeded');
  });

  it('says what the agent reported, and which timer elapsed', () => {
    expect(causeOf({ type: 'PROCESS_EXITED', code: 143, signal: 'SIGTERM' }, callOf)).toEqual({ source: 'agent', text: 'process exited 143 (SIGTERM)' });
    expect(causeOf({ type: 'PROCESS_EXITED', code: 127, error: 'exec: "nope": not found' }, callOf).text).toBe('process exited 127: exec: "nope": not found');
    expect(causeOf({ type: 'AGENT_CONNECTED' }, callOf)).toEqual({ source: 'agent', text: 'agent connected' });
    expect(causeOf({ type: 'xstate.after.cloudRetryDelay.container.starting.retrying' }, callOf)).toEqual({ source: 'timer', text: 'cloudRetryDelay elapsed' });
    expect(causeOf({ type: 'xstate.after.500.container.running.stopping' }, callOf)).toEqual({ source: 'timer', text: '500 ms elapsed' });
    expect(causeOf({ type: 'EXECUTION_RUNNING' }, callOf).source).toBe('cloud');
  });

  it('keeps a long error message short', () => {
    const text = causeOf({ type: 'xstate.error.actor.x', error: new Error('x'.repeat(1000)) }, callOf).text;
    expect(text.length).toBe(300);
    expect(text.endsWith('…')).toBe(true);
  });

  it('names the trigger as the diagram labels its edges', () => {
    expect(triggerOf({ type: 'START', rid: 'r' }, callOf)).toBe('START');
    expect(triggerOf({ type: 'xstate.done.actor.0.container.starting.calling' }, callOf)).toBe('done: runJob');
    expect(triggerOf({ type: 'xstate.error.actor.0.container.starting.calling', error: new Error('x') }, callOf)).toBe('error: runJob');
    expect(triggerOf({ type: 'xstate.after.cloudRetryDelay.container.starting.retrying' }, callOf)).toBe('after cloudRetryDelay');
  });
});
