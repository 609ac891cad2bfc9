import { z } from 'zod';

/** The README table a setting is listed in (each between `<!-- settings:NAME -->` markers). */
export type SettingsTable = 'azure' | 'local' | 'general' | 'failures' | 'simulator';

/** One setting: the variable, how its text becomes a value, and what the README says of it. */
export interface SettingSpec<T> {
  /** The environment variable. */
  name: string;
  table: SettingsTable;
  /** The `npm run simulator` flag that sets the same (simulator settings). */
  flag?: string;
  /** The values it takes, as the README shows them. */
  value: string;
  /** Its default, as the README shows it ('' when it has none). */
  default: string;
  description: string;
  /** Turns the text (undefined when unset) into the value, or throws the message a user sees. */
  parse: (raw: string | undefined, name: string) => T;
}

export interface Setting<T> extends SettingSpec<T> {
  /** The zod schema of the variable: text in, value out, `parse`'s message as its issue. */
  schema: z.ZodType<T, string | undefined>;
}

export function setting<T>(spec: SettingSpec<T>): Setting<T> {
  const schema = z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      try {
        return spec.parse(raw, spec.name);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });
  return { ...spec, schema };
}
