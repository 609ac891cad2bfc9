// Writes the trimmed Microsoft.App 2026-07-01 OpenAPI document the simulator validates with
// (src/simulator/validation/spec/). Input: a checkout of Azure/azure-rest-api-specs (or a copy
// of its `specification/` tree). Keeps the operations the simulator serves and every definition
// they reach; the common-types files they reference are folded in as `common.<file>.<name>`;
// descriptions and examples are dropped. Usage:
//   node --import tsx scripts/trim-openapi.ts <azure-rest-api-specs root> > src/simulator/validation/spec/microsoft-app-2026-07-01.trimmed.json
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const root = process.argv[2];
if (!root) throw new Error('usage: trim-openapi.ts <azure-rest-api-specs root>');
const SPEC = 'specification/app/resource-manager/Microsoft.App/ContainerApps/stable/2026-07-01/openapi.json';
const OPERATIONS = /^(Jobs_|JobExecution$|JobsExecutions_|ManagedEnvironments_Get$|ManagedEnvironmentsStorages_)/;
const DROP = new Set(['description', 'x-ms-examples', 'summary', 'x-ms-secret-note']);

const files = new Map<string, Obj>();
const load = (path: string): Obj => {
  if (!files.has(path)) files.set(path, JSON.parse(readFileSync(path, 'utf8')) as Obj);
  return files.get(path)!;
};
const mainPath = resolve(root, SPEC);
const main = load(mainPath);
const out: Obj = { swagger: '2.0', info: main.info as Json, host: main.host as Json, schemes: main.schemes as Json, paths: {}, definitions: {}, parameters: {} };
const pending: Array<{ file: string; section: 'definitions' | 'parameters'; name: string; local: string }> = [];
const seen = new Set<string>();

function localName(file: string, name: string): string {
  if (file === mainPath) return name;
  return `common.${file.split('/').slice(-1)[0]!.replace(/\.json$/, '')}.${name}`;
}

/** Copies `node` with refs rewritten to local names (queuing their targets) and prose dropped. */
function copy(node: Json, file: string): Json {
  if (Array.isArray(node)) return node.map((n) => copy(n, file));
  if (node === null || typeof node !== 'object') return node;
  const result: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k)) continue;
    if (k === 'x-ms-enum' && v && typeof v === 'object' && !Array.isArray(v)) {
      result[k] = { name: v.name ?? null, modelAsString: v.modelAsString ?? false };
      continue;
    }
    if (k === '$ref' && typeof v === 'string') {
      const [target, pointer] = v.split('#');
      const targetFile = target ? resolve(dirname(file), target) : file;
      const [, section, name] = pointer!.split('/') as [string, 'definitions' | 'parameters', string];
      const local = localName(targetFile, name);
      const key = `${section}/${local}`;
      if (!seen.has(key)) {
        seen.add(key);
        pending.push({ file: targetFile, section, name, local });
      }
      result[k] = `#/${section}/${local}`;
      continue;
    }
    result[k] = copy(v, file);
  }
  return result;
}

for (const [path, item] of Object.entries(main.paths as Obj)) {
  const kept: Obj = {};
  for (const [method, op] of Object.entries(item as Obj)) {
    if (op && typeof op === 'object' && !Array.isArray(op) && typeof op.operationId === 'string' && OPERATIONS.test(op.operationId)) {
      kept[method] = copy(op, mainPath);
    }
  }
  if (Object.keys(kept).length) (out.paths as Obj)[path] = kept;
}
while (pending.length) {
  const { file, section, name, local } = pending.shift()!;
  const source = (load(file)[section] as Obj | undefined)?.[name];
  if (source === undefined) throw new Error(`unresolved ${file}#/${section}/${name}`);
  (out[section] as Obj)[local] = copy(source, file);
}
for (const section of ['definitions', 'parameters'] as const) {
  out[section] = Object.fromEntries(Object.entries(out[section] as Obj).sort(([a], [b]) => a.localeCompare(b)));
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
