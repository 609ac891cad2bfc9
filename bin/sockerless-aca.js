#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so the published bin and `npm start` share one entry point.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
