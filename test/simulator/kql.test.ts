import { describe, expect, it } from 'vitest';

import { ServiceError } from '../../src/simulator/errors';
import { parseQuery, runQuery } from '../../src/simulator/kql';
import type { Table } from '../../src/simulator/kql';
import { LineSplitter, MAX_LINE_CHARS } from '../../src/simulator/line-splitter';
import { parseTimespan } from '../../src/simulator/timespan';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');

function logs(): Table {
  const row = (ms: number, job: string, group: string, stream: string, log: string) => ({
    TimeGenerated: T0 + ms,
    ContainerJobName_s: job,
    ContainerGroupName_s: group,
    Stream_s: stream,
    Log_s: log,
  });
  return {
    columns: [
      { name: 'TimeGenerated', type: 'datetime' },
      { name: 'ContainerJobName_s', type: 'string' },
      { name: 'ContainerGroupName_s', type: 'string' },
      { name: 'Stream_s', type: 'string' },
      { name: 'Log_s', type: 'string' },
    ],
    rows: [
      row(0, 'sockerless-0123456789ab', 'sockerless-0123456789ab-k2j4h1x-abcde', 'stdout', 'first'),
      row(0, 'sockerless-0123456789ab', 'sockerless-0123456789ab-k2j4h1x-abcde', 'stderr', 'same-ms'),
      row(1000, 'other-job', 'other-job-aaaaaaa-bbbbb', 'stdout', 'not mine'),
      row(2000, 'sockerless-0123456789ab', 'sockerless-0123456789ab-zzzzzzz-ccccc', 'stdout', 'older execution'),
      row(3_600_000 + 1, 'sockerless-0123456789ab', 'sockerless-0123456789ab-k2j4h1x-abcde', 'stdout', 'too late'),
    ],
  };
}

function run(query: string): { columns: string[]; rows: unknown[][] } {
  const result = runQuery(parseQuery(query), (name) => (name === 'ContainerAppConsoleLogs_CL' ? logs() : undefined));
  return { columns: result.columns.map((c) => c.name), rows: result.rows.map((r) => result.columns.map((c) => r[c.name])) };
}

function kqlFailure(query: string): { status: number; code: string; inner: string } {
  try {
    run(query);
  } catch (err) {
    if (err instanceof ServiceError) return { status: err.status, code: err.code, inner: err.innererror?.code ?? '' };
    throw err;
  }
  throw new Error(`query was accepted: ${query}`);
}

describe('KQL subset', () => {
  it('evaluates the query the daemon sends', () => {
    const result = run(`ContainerAppConsoleLogs_CL
| where ContainerJobName_s == "sockerless-0123456789ab"
| where ContainerGroupName_s startswith "sockerless-0123456789ab-k2j4h1x"
| where TimeGenerated >= datetime(2026-11-28T10:00:00.000Z) and TimeGenerated <= datetime(2026-11-28T11:00:00.000Z)
| project TimeGenerated, Stream_s, Log_s
| order by TimeGenerated asc
| take 100`);
    expect(result.columns).toEqual(['TimeGenerated', 'Stream_s', 'Log_s']);
    expect(result.rows).toEqual([
      [T0, 'stdout', 'first'],
      [T0, 'stderr', 'same-ms'],
    ]);
  });

  it('orders descending by default, and desc is the exact reverse of asc even for ties', () => {
    const asc = run('ContainerAppConsoleLogs_CL | order by TimeGenerated asc | project Log_s').rows.flat();
    const desc = run('ContainerAppConsoleLogs_CL | sort by TimeGenerated | project Log_s').rows.flat();
    expect(asc).toEqual(['first', 'same-ms', 'not mine', 'older execution', 'too late']);
    expect(desc).toEqual([...asc].reverse());
  });

  it('supports !=, >, <, single quotes, escapes, limit, and case-insensitive startswith', () => {
    expect(run("ContainerAppConsoleLogs_CL | where Stream_s != 'stdout' | project Log_s").rows).toEqual([['same-ms']]);
    expect(run('ContainerAppConsoleLogs_CL | where TimeGenerated > datetime(2026-11-28 10:00:01) | where TimeGenerated < datetime("2026-11-28T10:30:00Z") | project Log_s').rows).toEqual([['older execution']]);
    expect(run('ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith "OTHER-JOB" | project Log_s').rows).toEqual([['not mine']]);
    expect(run('ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith_cs "OTHER-JOB"').rows).toEqual([]);
    expect(run('ContainerAppConsoleLogs_CL | where Log_s == "not\\u0020mine" | limit 5 | project Log_s').rows).toEqual([['not mine']]);
    expect(run("ContainerAppConsoleLogs_CL | where Log_s == 'it\\'s' ").rows).toEqual([]);
    expect(run('ContainerAppConsoleLogs_CL | take 0').rows).toEqual([]);
  });

  it('rejects anything outside the subset with 400 BadArgumentError', () => {
    for (const query of [
      'ContainerAppConsoleLogs_CL | summarize count()',
      'ContainerAppConsoleLogs_CL | where Log_s contains "x"',
      'ContainerAppConsoleLogs_CL | where Log_s == "x" or Log_s == "y"',
      'ContainerAppConsoleLogs_CL | where Log_s == "unterminated',
      'ContainerAppConsoleLogs_CL | take -1',
      'ContainerAppConsoleLogs_CL | where TimeGenerated >= datetime(not a date)',
      'ContainerAppConsoleLogs_CL extra',
      '',
    ]) {
      expect(kqlFailure(query), query).toMatchObject({ status: 400, code: 'BadArgumentError', inner: 'SyntaxError' });
    }
    for (const query of [
      'OtherTable | take 1',
      'ContainerAppConsoleLogs_CL | where NoSuchColumn == "x"',
      'ContainerAppConsoleLogs_CL | where TimeGenerated == "x"',
      'ContainerAppConsoleLogs_CL | where Log_s > datetime(2026-01-01)',
      'ContainerAppConsoleLogs_CL | project Log_s | where Stream_s == "stdout"',
    ]) {
      expect(kqlFailure(query), query).toMatchObject({ status: 400, code: 'BadArgumentError', inner: 'SemanticError' });
    }
  });
});

describe('timespan', () => {
  const now = Date.parse('2026-11-28T12:00:00.000Z');
  it('reads durations ending now and intervals', () => {
    expect(parseTimespan('PT1H', now)).toEqual({ start: now - 3_600_000, end: now });
    expect(parseTimespan('P1DT30M', now)).toEqual({ start: now - 86_400_000 - 1_800_000, end: now });
    expect(parseTimespan('2026-11-28T10:00:00.000Z/2026-11-28T11:00:00.000Z')).toEqual({ start: T0, end: T0 + 3_600_000 });
    expect(parseTimespan('2026-11-28T10:00:00.000Z/PT0.5S')).toEqual({ start: T0, end: T0 + 500 });
    expect(parseTimespan('PT1M/2026-11-28T10:00:00.000Z')).toEqual({ start: T0 - 60_000, end: T0 });
  });
  it('rejects what is not a duration or interval', () => {
    for (const bad of ['P', 'PT', '1H', 'yesterday', 'a/b/c']) expect(() => parseTimespan(bad, now), bad).toThrow(ServiceError);
  });
});

describe('line splitter', () => {
  it('splits on newlines across chunks, keeps multi-byte characters whole, and flushes the last partial line', () => {
    const splitter = new LineSplitter();
    const euro = Buffer.from('€');
    expect(splitter.push(Buffer.concat([Buffer.from('a\nb'), euro.subarray(0, 1)]))).toEqual(['a']);
    expect(splitter.push(Buffer.concat([euro.subarray(1), Buffer.from('\n\nc')]))).toEqual(['b€', '']);
    expect(splitter.flush()).toEqual(['c']);
    expect(splitter.flush()).toEqual([]);
  });
  it('cuts lines longer than MAX_LINE_CHARS', () => {
    const splitter = new LineSplitter();
    const lines = splitter.push(Buffer.from('x'.repeat(MAX_LINE_CHARS * 2 + 3)));
    expect(lines).toEqual(['x'.repeat(MAX_LINE_CHARS), 'x'.repeat(MAX_LINE_CHARS)]);
    expect(splitter.flush()).toEqual(['xxx']);
  });
});
