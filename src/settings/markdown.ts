// The README's settings tables, made from the specs: each sits between
// `<!-- settings:NAME -->` and `<!-- /settings:NAME -->` (`npm run docs:settings` rewrites them).
import { ALL_SETTINGS } from './index';
import type { Setting, SettingsTable } from './setting';

export const SETTINGS_TABLES: readonly SettingsTable[] = ['simulator', 'azure', 'local', 'general', 'failures'];

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One table's markdown. */
export function settingsTable(table: SettingsTable): string {
  const rows = (Object.values(ALL_SETTINGS) as Setting<unknown>[]).filter((s) => s.table === table);
  if (table === 'simulator') {
    return [
      '| `npm run simulator` flag / variable (also read by the daemon\'s embedded simulator) | value | default | meaning |',
      '|---|---|---|---|',
      ...rows.map((s) => `| \`${s.flag}\` / \`${s.name}\` | ${cell(s.value)} | ${cell(s.default)} | ${cell(s.description)} |`),
    ].join('\n');
  }
  return [
    '| variable | value | default | meaning |',
    '|---|---|---|---|',
    ...rows.map((s) => `| \`${s.name}\` | ${cell(s.value)} | ${cell(s.default)} | ${cell(s.description)} |`),
  ].join('\n');
}

/** The README with every settings table made anew; throws when a table's markers are missing. */
export function withSettingsTables(readme: string): string {
  let out = readme;
  for (const table of SETTINGS_TABLES) {
    const open = `<!-- settings:${table} -->`;
    const close = `<!-- /settings:${table} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} markers`);
    out = `${out.slice(0, start + open.length)}\n${settingsTable(table)}\n${out.slice(end)}`;
  }
  return out;
}
