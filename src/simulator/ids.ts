import { randomInt } from 'node:crypto';

import type { SimulatorSettings } from './options';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random lowercase letters and digits, the alphabet ACA uses in execution names. */
export function randomLowerAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return out;
}

export const API_VERSION = '2026-07-01';
/** The versions `KnownVersions` of arm-appcontainers 4.0.0 lists. */
export const SUPPORTED_API_VERSIONS: ReadonlySet<string> = new Set(['2026-01-01', '2026-07-01']);
/** Microsoft.Storage's recent versions; @azure/arm-storage 20.0.0 sends 2025-08-01. */
export const STORAGE_API_VERSIONS: ReadonlySet<string> = new Set(['2023-05-01', '2024-01-01', '2025-01-01', '2025-06-01', '2025-08-01']);

/** ARM compares names case-insensitively. */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** `East US` → `eastus`, the form ARM uses in paths. */
export const normalizeLocation = (location: string): string => location.toLowerCase().replace(/\s+/g, '');

export function resourceGroupId(s: SimulatorSettings): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}`;
}

export function environmentId(s: SimulatorSettings): string {
  return `${resourceGroupId(s)}/providers/Microsoft.App/managedEnvironments/${s.environment}`;
}

export function jobId(s: SimulatorSettings, jobName: string): string {
  return `${resourceGroupId(s)}/providers/Microsoft.App/jobs/${jobName}`;
}

export function executionId(s: SimulatorSettings, jobName: string, executionName: string): string {
  return `${jobId(s, jobName)}/executions/${executionName}`;
}

/** Path of an operation's status monitor (polled in `Azure-AsyncOperation` mode). */
export function operationStatusPath(s: SimulatorSettings, operationId: string): string {
  return `/subscriptions/${s.subscriptionId}/providers/Microsoft.App/locations/${normalizeLocation(s.location)}/containerappOperationStatuses/${operationId}`;
}

/** Path of an operation's result (polled in `Location` mode: 202 while pending). */
export function operationResultPath(s: SimulatorSettings, operationId: string): string {
  return `/subscriptions/${s.subscriptionId}/providers/Microsoft.App/locations/${normalizeLocation(s.location)}/containerappOperationResults/${operationId}`;
}
