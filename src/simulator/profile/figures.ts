import type { Spread } from './random';

/**
 * Every figure of the `azure` profile, with what it models and where the figure comes from.
 * Durations are milliseconds at full scale (time scale 1); the time scale multiplies every one
 * marked `scaled`. The README's profile table is this list.
 */
export interface FigureDefinition {
  /** What the figure governs. */
  behaviour: string;
  unit: 'ms' | 'count';
  /** A fixed value has min = median = max. */
  value: Spread;
  /** Multiplied by the time scale (durations); counts and rate windows are not. */
  scaled: boolean;
  source: string;
  /** high: Microsoft docs or the spec; medium: maintainers or several reports; low: one report or inference; unverified: a chosen figure, no published one. */
  confidence: 'high' | 'medium' | 'low' | 'unverified';
}

const fixed = (v: number): Spread => ({ min: v, median: v, max: v });

export const FIGURES = {
  jobPutMs: {
    behaviour: 'Jobs PUT (create or update, also when nothing changed): how long its operation stays InProgress',
    unit: 'ms',
    value: { min: 10_000, median: 25_000, max: 45_000 },
    scaled: true,
    source: 'Wire shape: Microsoft.App 2026-07-01 spec (201 + Azure-AsyncOperation). No duration is published (aca#1559); figure chosen from reports of writes taking tens of seconds',
    confidence: 'unverified',
  },
  jobDeleteMs: {
    behaviour: 'Jobs DELETE: how long its operation stays InProgress (provisioningState Deleting)',
    unit: 'ms',
    value: { min: 5_000, median: 12_000, max: 40_000 },
    scaled: true,
    source: 'Wire shape: spec (202 + Location). Duration not published; chosen',
    confidence: 'unverified',
  },
  jobStartMs: {
    behaviour: 'Jobs_Start: its operation (202 + Location) until it answers {id, name}',
    unit: 'ms',
    value: { min: 500, median: 1_500, max: 5_000 },
    scaled: true,
    source: 'spec; `az containerapp job start` returns {id,name} at once (Azure/azure-cli#31306). Duration not published; chosen',
    confidence: 'unverified',
  },
  stopExecutionMs: {
    behaviour: 'Jobs_StopExecution: its operation (202 + Location)',
    unit: 'ms',
    value: { min: 500, median: 1_500, max: 5_000 },
    scaled: true,
    source: 'spec. Duration not published; chosen',
    confidence: 'unverified',
  },
  scheduleMs: {
    behaviour: 'Execution Processing: a replica is scheduled (platform cold start) before its images are pulled',
    unit: 'ms',
    value: { min: 20_000, median: 30_000, max: 45_000 },
    scaled: true,
    source: 'aca#1800 (about 30-31 s platform cold start on Consumption), aca#997 (20 s or more)',
    confidence: 'medium',
  },
  imagePullColdMs: {
    behaviour: 'Execution Processing: pulling an image the environment has not pulled before',
    unit: 'ms',
    value: { min: 2_000, median: 8_000, max: 20_000 },
    scaled: true,
    source: 'aca#1763 (a 2.9 GB image pulled in 20 s)',
    confidence: 'medium',
  },
  imagePullCachedMs: {
    behaviour: 'Execution Processing: pulling an image already pulled in the environment',
    unit: 'ms',
    value: { min: 80, median: 120, max: 500 },
    scaled: true,
    source: 'aca#1800 (image pull 117 ms)',
    confidence: 'medium',
  },
  exitToTerminalMs: {
    behaviour: 'Lag between the container exiting and the execution turning Succeeded/Failed/Stopped (Running meanwhile)',
    unit: 'ms',
    value: { min: 10_000, median: 15_000, max: 20_000 },
    scaled: true,
    source: 'aca#1800 (about 15 s of cleanup after exit, counted inside the execution)',
    confidence: 'medium',
  },
  stopGraceMs: {
    behaviour: 'Stop, suspend and replicaTimeout of a job: SIGTERM, then SIGKILL after this fixed grace (not configurable for jobs)',
    unit: 'ms',
    value: fixed(30_000),
    scaled: true,
    source: 'aca#1669 (maintainer: fixed 30 s for jobs, no terminationGracePeriodSeconds in JobTemplate)',
    confidence: 'medium',
  },
  ingestionDelayMs: {
    behaviour: 'Log ingestion: from a line being emitted to its row being queryable (per batch)',
    unit: 'ms',
    value: { min: 20_000, median: 45_000, max: 180_000 },
    scaled: true,
    source: 'Learn azure-monitor/logs/data-ingestion-time (typical 20 s to 3 min)',
    confidence: 'high',
  },
  newTableDelayMs: {
    behaviour: 'Log ingestion: extra one-time delay before the first rows of a table that never had any become queryable',
    unit: 'ms',
    value: { min: 30_000, median: 60_000, max: 180_000 },
    scaled: true,
    source: 'Learn azure-monitor/logs/data-ingestion-time (a new custom table pays a one-time provisioning cost; its length is not published, chosen)',
    confidence: 'unverified',
  },
  receiptLagMs: {
    behaviour: 'Log ingestion: TimeGenerated (time of receipt of a batch) minus the emit time of its first line',
    unit: 'ms',
    value: { min: 200, median: 850, max: 3_000 },
    scaled: true,
    source: 'bittrance/aztail src/testing.rs (a sample row: TimeGenerated 0.85 s after time_t)',
    confidence: 'low',
  },
  logBatchMs: {
    behaviour: 'Log ingestion: lines emitted within this window travel in one batch and share one TimeGenerated (ties); batches arrive in any order',
    unit: 'ms',
    value: fixed(1_000),
    scaled: true,
    source: 'inference from rows sharing a TimeGenerated in Log Analytics samples; batch window not published',
    confidence: 'low',
  },
  queryMs: {
    behaviour: 'Log Analytics query: server time of one query (counts against the concurrency limit)',
    unit: 'ms',
    value: { min: 100, median: 400, max: 3_000 },
    scaled: true,
    source: 'not published; chosen',
    confidence: 'unverified',
  },
  queryConcurrency: {
    behaviour: 'Log Analytics query API: queries run at once per user; more wait in a queue',
    unit: 'count',
    value: fixed(5),
    scaled: false,
    source: 'Learn azure-monitor/service-limits (query API: 5 concurrent queries per user)',
    confidence: 'high',
  },
  queryQueue: {
    behaviour: 'Log Analytics query API: queued queries per user; one more gets 429',
    unit: 'count',
    value: fixed(200),
    scaled: false,
    source: 'Learn azure-monitor/service-limits (a queue of 200)',
    confidence: 'high',
  },
  queryQueueWaitMs: {
    behaviour: 'Log Analytics query API: a query queued longer than this gets 429',
    unit: 'ms',
    value: fixed(180_000),
    scaled: true,
    source: 'Learn azure-monitor/service-limits (a query waiting over 3 min gets 429)',
    confidence: 'high',
  },
  queryRate: {
    behaviour: 'Log Analytics query API: queries per user per queryRateWindowMs; more get 429 with Retry-After',
    unit: 'count',
    value: fixed(200),
    scaled: false,
    source: 'Learn azure-monitor/service-limits (200 queries per 30 s per user or client IP)',
    confidence: 'high',
  },
  queryRateWindowMs: {
    behaviour: 'Log Analytics query API: the window of queryRate (a rate, so not time-scaled)',
    unit: 'ms',
    value: fixed(30_000),
    scaled: false,
    source: 'Learn azure-monitor/service-limits',
    confidence: 'high',
  },
  armReadBucket: {
    behaviour: 'ARM reads (GETs, LRO polls included): token bucket per subscription; empty → 429 with Retry-After',
    unit: 'count',
    value: fixed(250),
    scaled: false,
    source: 'Learn azure-resource-manager/management/request-limits-and-throttling (reads: 250, refilled at 25/s)',
    confidence: 'high',
  },
  armReadRefillPerSecond: {
    behaviour: 'ARM reads: tokens added back per second (a rate, so not time-scaled)',
    unit: 'count',
    value: fixed(25),
    scaled: false,
    source: 'Learn azure-resource-manager/management/request-limits-and-throttling',
    confidence: 'high',
  },
  armWriteBucket: {
    behaviour: 'ARM writes (PUT, POST, DELETE): token bucket per subscription; empty → 429 with Retry-After',
    unit: 'count',
    value: fixed(200),
    scaled: false,
    source: 'Learn azure-resource-manager/management/request-limits-and-throttling (writes: 200, refilled at 10/s)',
    confidence: 'high',
  },
  armWriteRefillPerSecond: {
    behaviour: 'ARM writes: tokens added back per second (a rate, so not time-scaled)',
    unit: 'count',
    value: fixed(10),
    scaled: false,
    source: 'Learn azure-resource-manager/management/request-limits-and-throttling',
    confidence: 'high',
  },
  executionHistory: {
    behaviour: 'Executions kept per job (the oldest ended ones are dropped beyond this)',
    unit: 'count',
    value: fixed(100),
    scaled: false,
    source: 'Learn container-apps/jobs ("limited to the most recent 100 successful and failed job executions")',
    confidence: 'high',
  },
} as const satisfies Record<string, FigureDefinition>;

export type FigureName = keyof typeof FIGURES;
export const FIGURE_NAMES = Object.keys(FIGURES) as FigureName[];

/** Resolved figures: the profile's spreads, overridden where asked, durations multiplied by the time scale. */
export type Figures = Record<FigureName, Spread>;

/** An override: one fixed value, or a spread. Full-scale units (the time scale still applies). */
export type FigureOverride = number | Spread;
