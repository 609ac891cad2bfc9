import { describe, expect, it } from 'vitest';
import { AZURE_MONITOR_LOG_SCHEMA, buildLogQuery, CUSTOM_LOG_SCHEMA, kqlDatetime, kqlString } from '../../src/aca/kql';

describe('buildLogQuery', () => {
  it('filters by job name and orders oldest first by default', () => {
    expect(buildLogQuery({ jobName: 'sockerless-abc123def456' })).toBe(
      [
        'ContainerAppConsoleLogs_CL',
        '| where ContainerJobName_s == "sockerless-abc123def456"',
        '| where ContainerName_s == "main"',
        '| project TimeGenerated, Stream_s, Log_s',
        '| order by TimeGenerated asc',
      ].join('\n'),
    );
  });

  it('adds execution, since and until filters in that order', () => {
    const q = buildLogQuery({
      jobName: 'job1',
      executionName: 'job1-x7k2p9q',
      since: new Date('2024-05-01T10:00:00Z'),
      until: new Date('2024-05-01T11:30:00.250Z'),
    });
    expect(q).toBe(
      [
        'ContainerAppConsoleLogs_CL',
        '| where ContainerJobName_s == "job1"',
        '| where ContainerGroupName_s startswith "job1-x7k2p9q"',
        '| where ContainerName_s == "main"',
        '| where TimeGenerated >= datetime(2024-05-01T10:00:00.000Z)',
        '| where TimeGenerated <= datetime(2024-05-01T11:30:00.250Z)',
        '| project TimeGenerated, Stream_s, Log_s',
        '| order by TimeGenerated asc',
      ].join('\n'),
    );
  });

  it('takes the newest N rows when tail is given', () => {
    expect(buildLogQuery({ jobName: 'job1', tail: 5 })).toBe(
      [
        'ContainerAppConsoleLogs_CL',
        '| where ContainerJobName_s == "job1"',
        '| where ContainerName_s == "main"',
        '| project TimeGenerated, Stream_s, Log_s',
        '| order by TimeGenerated desc | take 5',
      ].join('\n'),
    );
  });

  it('accepts tail 0 and refuses a negative or fractional tail', () => {
    expect(buildLogQuery({ jobName: 'j', tail: 0 })).toMatch(/\| take 0$/);
    expect(() => buildLogQuery({ jobName: 'j', tail: -1 })).toThrow(/tail/);
    expect(() => buildLogQuery({ jobName: 'j', tail: 1.5 })).toThrow(/tail/);
  });

  it('escapes a hostile job name so it cannot leave the string literal', () => {
    const q = buildLogQuery({ jobName: 'x" or 1==1 | take 1 //' });
    expect(q.split('\n')[1]).toBe('| where ContainerJobName_s == "x\\" or 1==1 | take 1 //"');
  });

  it('reads the azure-monitor table with its own column names (no _s suffixes)', () => {
    expect(buildLogQuery({ jobName: 'job1', executionName: 'job1-x' }, [AZURE_MONITOR_LOG_SCHEMA], { emit: true })).toBe(
      [
        'ContainerAppConsoleLogs',
        '| where JobName == "job1"',
        '| where ContainerGroupName startswith "job1-x"',
        '| where ContainerName == "main"',
        '| project TimeGenerated, Stream, Log',
        '| order by TimeGenerated asc',
      ].join('\n'),
    );
  });

  it('projects the emit time of the _CL table when asked', () => {
    expect(buildLogQuery({ jobName: 'j' }, [CUSTOM_LOG_SCHEMA], { emit: true })).toContain('| project TimeGenerated, _timestamp_d, Stream_s, Log_s');
  });

  it('unions both tables fuzzily when the destination is not known', () => {
    const q = buildLogQuery({ jobName: 'j', tail: 3 }, [CUSTOM_LOG_SCHEMA, AZURE_MONITOR_LOG_SCHEMA]);
    expect(q).toBe(
      [
        'union isfuzzy=true (ContainerAppConsoleLogs_CL | where ContainerJobName_s == "j" | where ContainerName_s == "main" | project TimeGenerated, Stream_s, Log_s), ' +
          '(ContainerAppConsoleLogs | where JobName == "j" | where ContainerName == "main" | project TimeGenerated, Stream, Log)',
        '| order by TimeGenerated desc | take 3',
      ].join('\n'),
    );
  });

  it('refuses an invalid date', () => {
    expect(() => buildLogQuery({ jobName: 'j', since: new Date('nope') })).toThrow(/invalid date/);
  });
});

describe('kqlString', () => {
  it('escapes backslashes before quotes', () => {
    expect(kqlString('a\\"b')).toBe('"a\\\\\\"b"');
  });

  it('escapes newlines, tabs and other control characters', () => {
    expect(kqlString('a\nb\tc\rd\u0001')).toBe('"a\\nb\\tc\\rd\\u0001"');
  });

  it('leaves ordinary text alone', () => {
    expect(kqlString("sockerless-abc_1.2 'x'")).toBe('"sockerless-abc_1.2 \'x\'"');
  });
});

describe('kqlDatetime', () => {
  it('writes the instant in UTC ISO form', () => {
    expect(kqlDatetime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('datetime(2024-01-02T03:04:05.006Z)');
  });
});
