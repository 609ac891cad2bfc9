import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ArmError, type ArmErrorDetail } from './arm-error';

/**
 * Validation of request and response bodies against the official Microsoft.App 2026-07-01
 * OpenAPI document (trimmed to the operations the simulator serves, see spec/README.md): types,
 * enums and required fields, as ARM checks them before the resource provider sees a request.
 */

type Obj = Record<string, unknown>;

const SPEC_ID = 'microsoft-app';
const spec = JSON.parse(readFileSync(new URL('./spec/microsoft-app-2026-07-01.trimmed.json', import.meta.url), 'utf8')) as {
  definitions: Record<string, Obj>;
  paths: Record<string, Record<string, { operationId: string; parameters?: Obj[]; responses: Record<string, { schema?: Obj }> }>>;
};

const INT32 = 2 ** 31;

/**
 * The document as the Azure specs' own validator (oav) reads Swagger 2.0: a property that is not
 * `required` may be null; in responses (`direction: 'response'`) an enum marked
 * `x-ms-enum.modelAsString` is open, since the service may add values. Requests keep every enum
 * closed: ACA refuses an unknown value (e.g. triggerType 'Scheduled': microsoft/azure-container-apps#798).
 */
function prepared(schema: Obj, direction: Direction): Obj {
  const out: Obj = { ...schema };
  const xmsEnum = schema['x-ms-enum'] as { modelAsString?: boolean } | undefined;
  if (direction === 'response' && Array.isArray(schema.enum) && xmsEnum?.modelAsString) delete out.enum;
  if (schema.properties && typeof schema.properties === 'object') {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Obj>).map(([name, prop]) => {
        const p = prepared(prop, direction);
        return [name, required.has(name) ? p : { anyOf: [p, { type: 'null' }] }];
      }),
    );
  }
  if (schema.items && typeof schema.items === 'object') out.items = prepared(schema.items as Obj, direction);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.additionalProperties = prepared(schema.additionalProperties as Obj, direction);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) out[key] = (schema[key] as Obj[]).map((s) => prepared(s, direction));
  }
  return out;
}

function preparedDocument(direction: Direction): Obj {
  const definitions = Object.fromEntries(Object.entries(spec.definitions).map(([name, d]) => [name, prepared(d, direction)]));
  return { definitions };
}

type Direction = 'request' | 'response';
const instances = new Map<Direction, Ajv>();
const ajv = (direction: Direction): Ajv => {
  let made = instances.get(direction);
  if (made) return made;
  made = new Ajv({
    strict: false,
    allErrors: true,
    formats: {
      int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
      int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
      double: { type: 'number', validate: () => true },
      float: { type: 'number', validate: () => true },
      'date-time': { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) },
      uri: true,
      'arm-id': true,
      password: true,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    },
  });
  made.addSchema(preparedDocument(direction), SPEC_ID);
  instances.set(direction, made);
  return made;
};

interface Operation {
  bodyName?: string;
  body?: Obj;
  responses: Map<string, Obj>;
}

/** Schemas inside the paths point at `#/definitions/…` of the document: make them absolute. */
function rewriteRefs(node: unknown): Obj {
  return JSON.parse(JSON.stringify(node), (key, value) => (key === '$ref' && typeof value === 'string' ? `${SPEC_ID}${value}` : value)) as Obj;
}

const operations = new Map<string, Operation>();
for (const item of Object.values(spec.paths)) {
  for (const op of Object.values(item)) {
    const bodyParam = op.parameters?.find((p) => p.in === 'body');
    const responses = new Map<string, Obj>();
    for (const [status, response] of Object.entries(op.responses)) {
      if (response.schema) responses.set(status, rewriteRefs(response.schema));
    }
    operations.set(op.operationId, { ...(bodyParam?.schema ? { bodyName: String(bodyParam.name), body: rewriteRefs(bodyParam.schema) } : {}), responses });
  }
}

/** Compiled on first use: a simulator that never validates pays nothing. */
const compiled = new Map<Direction, WeakMap<Obj, ValidateFunction>>([['request', new WeakMap()], ['response', new WeakMap()]]);
function validator(schema: Obj, direction: Direction): ValidateFunction {
  const cache = compiled.get(direction)!;
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv(direction).compile(prepared(schema, direction));
    cache.set(schema, fn);
  }
  return fn;
}

function operation(operationId: string): Operation {
  const op = operations.get(operationId);
  if (!op) throw new Error(`the trimmed OpenAPI document has no operation ${operationId}`);
  return op;
}

/** `/properties/template/containers/0/name` as ARM names a field: `properties.template.containers[0].name`. */
function target(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String((error.params as { missingProperty: string }).missingProperty));
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function detail(error: ErrorObject): ArmErrorDetail {
  const at = target(error);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return { code: 'InvalidType', target: at, message: `Expected type ${String(params.type)} at '${at}'.` };
    case 'enum':
      return { code: 'InvalidEnumValue', target: at, message: `Value is not one of the allowed values [${(params.allowedValues as unknown[]).join(', ')}] at '${at}'.` };
    case 'required':
      return { code: 'MissingRequiredProperty', target: at, message: `Required property '${at}' is missing.` };
    case 'format':
      return { code: 'InvalidFormat', target: at, message: `Value does not match the format ${String(params.format)} at '${at}'.` };
    default:
      return { code: 'InvalidValue', target: at, message: `${error.message ?? 'Invalid value'} at '${at}'.` };
  }
}

/** The violations of `value`, or an empty list. */
function violations(validate: ValidateFunction, value: unknown): ArmErrorDetail[] {
  if (validate(value)) return [];
  // Swagger 2.0 has no anyOf: every anyOf is the `[schema, null]` of an optional property, whose
  // null branch and summary would only repeat the real complaint.
  const real = (validate.errors ?? []).filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null'));
  const details = real.map(detail);
  return details.filter((d, i) => details.findIndex((o) => o.target === d.target && o.code === d.code) === i);
}

/**
 * The 400 ARM answers for a body that does not match the operation's schema, in ARM's error
 * shape: code InvalidRequestContent (ARM's code for a body it cannot deserialize), one detail per
 * violation with its `target`. Undefined when the body conforms (or the operation has none).
 */
export function requestViolation(operationId: string, body: unknown): ArmError | undefined {
  const schema = operation(operationId).body;
  if (!schema || body === undefined) return undefined;
  const details = violations(validator(schema, 'request'), body);
  if (!details.length) return undefined;
  const summary = details.map((d) => d.message).join(' ');
  return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${summary}'`, details[0]!.target, details);
}

/** The violations of a response body for `status` (for checking examples and the simulator's own answers). */
export function responseViolations(operationId: string, status: string, body: unknown): ArmErrorDetail[] {
  const schema = operation(operationId).responses.get(status);
  return schema ? violations(validator(schema, 'response'), body) : [];
}

/** The name of the operation's body parameter (as an example file's `parameters` key), if it takes one. */
export const bodyParameter = (operationId: string): string | undefined => operation(operationId).bodyName;

/** The operation ids the trimmed document holds. */
export const operationIds = (): string[] => [...operations.keys()];
