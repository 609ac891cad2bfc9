import { createHash } from 'node:crypto';

import { jobId } from './ids';
import type { Column, Row } from './kql';
import type { LogDestination, SimulatorSettings } from './options';

/** What the replica emitted, with the context ACA's log agent adds. */
export interface EmittedLine {
  ContainerJobName_s: string;
  /** The replica: `{execution}-{5 random}`. */
  ContainerGroupName_s: string;
  ContainerName_s: string;
  Stream_s: 'stdout' | 'stderr';
  Log_s: string;
  EnvironmentName_s: string;
  /** The container's image, when the caller knows it. */
  ContainerImage_s?: string;
}

/** A line as stored: when it was emitted (epoch ms, sub-ms precision) and when Log Analytics received it. */
export interface StoredLine {
  line: EmittedLine;
  emittedAt: number;
  /** Epoch ms: the batch's time of receipt, shared by every line of the batch. */
  timeGenerated: number;
}

/** A table's name and columns, and how a stored line becomes one of its rows. */
export interface ConsoleLogSchema {
  table: string;
  columns: Column[];
  row(stored: StoredLine): Row;
}

const strings = (...names: string[]): Column[] => names.map((name) => ({ name, type: 'string' }));

/** A stable GUID-shaped id derived from text (ACA's ids are GUIDs; the simulator has none to give). */
function guidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * `log-analytics` destination: the legacy custom table `ContainerAppConsoleLogs_CL` (HTTP Data
 * Collector), whose columns carry type suffixes (_s string, _d real, _t datetime, _g guid).
 * `time_t`/`_timestamp_d` are when the line was emitted; TimeGenerated when it was received.
 */
function customLogSchema(settings: SimulatorSettings): ConsoleLogSchema {
  const table = 'ContainerAppConsoleLogs_CL';
  return {
    table,
    columns: [
      { name: 'TimeGenerated', type: 'datetime' },
      { name: 'time_t', type: 'datetime' },
      { name: '_timestamp_d', type: 'real' },
      ...strings(
        'time_s', 'ContainerAppName_s', 'ContainerJobName_s', 'ContainerGroupName_s', 'ContainerGroupId_g', 'ContainerName_s',
        'ContainerId_s', 'ContainerImage_s', 'EnvironmentName_s', 'RevisionName_s', 'Stream_s', 'Log_s', 'logtag_s', 'Category',
        'TenantId', 'SourceSystem', 'Computer', 'Type', '_ResourceId',
      ),
    ],
    row({ line, emittedAt, timeGenerated }) {
      return {
        TimeGenerated: timeGenerated,
        time_t: emittedAt,
        // Epoch seconds with microseconds, as the agent writes it.
        _timestamp_d: Math.round(emittedAt * 1000) / 1e6,
        time_s: new Date(emittedAt).toISOString(),
        ContainerAppName_s: '',
        ContainerJobName_s: line.ContainerJobName_s,
        ContainerGroupName_s: line.ContainerGroupName_s,
        ContainerGroupId_g: guidOf(line.ContainerGroupName_s),
        ContainerName_s: line.ContainerName_s,
        ContainerId_s: guidOf(`${line.ContainerGroupName_s}/${line.ContainerName_s}`).replaceAll('-', ''),
        ContainerImage_s: line.ContainerImage_s ?? '',
        EnvironmentName_s: line.EnvironmentName_s,
        RevisionName_s: '',
        Stream_s: line.Stream_s,
        Log_s: line.Log_s,
        logtag_s: 'F',
        Category: 'ContainerAppConsoleLogs',
        TenantId: settings.workspaceId,
        SourceSystem: 'RestAPI',
        Computer: '',
        Type: table,
        // Empty in this table: resource-scoped queries do not find these rows.
        _ResourceId: '',
      };
    },
  };
}

/** `azure-monitor` destination (diagnostic settings): `ContainerAppConsoleLogs`, no type suffixes and no emit time. */
function azureMonitorSchema(settings: SimulatorSettings): ConsoleLogSchema {
  const table = 'ContainerAppConsoleLogs';
  return {
    table,
    columns: [
      { name: 'TimeGenerated', type: 'datetime' },
      ...strings(
        'ContainerAppName', 'ContainerGroupId', 'ContainerGroupName', 'ContainerId', 'ContainerImage', 'ContainerName', 'EnvironmentName',
        'JobName', 'Location', 'Log', 'OperationName', 'RevisionName', 'Stream', 'SourceSystem', 'TenantId', '_ResourceId', '_SubscriptionId', 'Type',
      ),
    ],
    row({ line, timeGenerated }) {
      return {
        TimeGenerated: timeGenerated,
        ContainerAppName: '',
        ContainerGroupId: guidOf(line.ContainerGroupName_s),
        ContainerGroupName: line.ContainerGroupName_s,
        ContainerId: guidOf(`${line.ContainerGroupName_s}/${line.ContainerName_s}`).replaceAll('-', ''),
        ContainerImage: line.ContainerImage_s ?? '',
        ContainerName: line.ContainerName_s,
        EnvironmentName: line.EnvironmentName_s,
        JobName: line.ContainerJobName_s,
        Location: settings.location,
        Log: line.Log_s,
        OperationName: 'ContainerAppConsoleLogs',
        RevisionName: '',
        Stream: line.Stream_s,
        SourceSystem: 'Azure',
        TenantId: settings.workspaceId,
        _ResourceId: jobId(settings, line.ContainerJobName_s).toUpperCase(),
        _SubscriptionId: settings.subscriptionId,
        Type: table,
      };
    },
  };
}

/** The console-log table of a destination; none for `none` (logs go nowhere). */
export function consoleLogSchema(settings: SimulatorSettings, destination: LogDestination = settings.logDestination): ConsoleLogSchema | undefined {
  if (destination === 'log-analytics') return customLogSchema(settings);
  if (destination === 'azure-monitor') return azureMonitorSchema(settings);
  return undefined;
}
