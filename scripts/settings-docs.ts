// `npm run docs:settings`: rewrites the README's settings tables from src/settings.
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTables } from '../src/settings/markdown';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withSettingsTables(before);
if (after === before) console.log('README.md settings tables are up to date');
else {
  writeFileSync(path, after);
  console.log('README.md settings tables rewritten');
}
