import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ArmError, type ArmErrorDetail } from './arm-error';

/**
 * Validation of request and response bodies against official OpenAPI (Swagger 2.0) documents
 * (see spec/README.md): the Microsoft.App 2026-07-01 one (trimmed to the operations the simulator
 * serves) and the Log Analytics query API v1 one. Types, enums and required fields, as ARM checks
 * them before the resource provider sees a request.
 */

type Obj = Record<string, unknown>;

interface SwaggerDocument {
  definitions: Record<string, Obj>;
  parameters?: Record<string, Obj>;
  paths: Record<string, Record<string, { operationId: string; parameters?: Obj[]; responses: Record<string, { schema?: Obj }> }>>;
}

const INT32 = 2 ** 31;

/**
 * The document as the Azure specs' own validator (oav) reads Swagger 2.0: a property that is not
 * `required` may be null; in responses (`direction: 'response'`) an array item may be null too
 * (Log Analytics answers null cells where the v1 document says string), and an enum marked
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
  if (schema.items && typeof schema.items === 'object') {
    const items = prepared(schema.items as Obj, direction);
    out.items = direction === 'response' ? { anyOf: [items, { type: 'null' }] } : items;
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.additionalProperties = prepared(schema.additionalProperties as Obj, direction);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) out[key] = (schema[key] as Obj[]).map((s) => prepared(s, direction));
  }
  return out;
}

type Direction = 'request' | 'response';

function makeAjv(): Ajv {
  return new Ajv({
    strict: false,
    allErrors: true,
    formats: {
      int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
      int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
      double: { type: 'number', validate: () => true },
      float: { type: 'number', validate: () => true },
      'date-time': { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) },
      duration: true,
      uri: true,
      'arm-id': true,
      password: true,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    },
  });
}

interface Operation {
  bodyName?: string;
  bodyRequired?: boolean;
  body?: Obj;
  responses: Map<string, Obj>;
}

/** One OpenAPI document; schemas are compiled on first use, so a simulator that never validates pays nothing. */
export class OpenApiDocument {
  readonly #id: string;
  readonly #spec: SwaggerDocument;
  readonly #operations = new Map<string, Operation>();
  readonly #ajv = new Map<Direction, Ajv>();
  readonly #compiled = new Map<Direction, WeakMap<Obj, ValidateFunction>>([['request', new WeakMap()], ['response', new WeakMap()]]);

  constructor(file: URL, id: string) {
    this.#id = id;
    this.#spec = JSON.parse(readFileSync(file, 'utf8')) as SwaggerDocument;
    for (const item of Object.values(this.#spec.paths)) {
      for (const op of Object.values(item)) {
        if (!op || typeof op !== 'object' || !('operationId' in op)) continue;
        const bodyParam = (op.parameters ?? []).map((p) => this.#parameter(p)).find((p) => p.in === 'body');
        const responses = new Map<string, Obj>();
        for (const [status, response] of Object.entries(op.responses)) {
          if (response.schema) responses.set(status, this.#absolute(response.schema));
        }
        this.#operations.set(op.operationId, { ...(bodyParam?.schema ? { bodyName: String(bodyParam.name), bodyRequired: bodyParam.required === true, body: this.#absolute(bodyParam.schema) } : {}), responses });
      }
    }
  }

  #parameter(p: Obj): Obj {
    const ref = p.$ref;
    if (typeof ref !== 'string') return p;
    return this.#spec.parameters?.[ref.replace('#/parameters/', '')] ?? {};
  }

  /** Schemas inside the paths point at `#/definitions/…` of the document: make them absolute. */
  #absolute(node: unknown): Obj {
    return JSON.parse(JSON.stringify(node), (key, value) => (key === '$ref' && typeof value === 'string' ? `${this.#id}${value}` : value)) as Obj;
  }

  #validator(schema: Obj, direction: Direction): ValidateFunction {
    const cache = this.#compiled.get(direction)!;
    let fn = cache.get(schema);
    if (fn) return fn;
    let ajv = this.#ajv.get(direction);
    if (!ajv) {
      ajv = makeAjv();
      const definitions = Object.fromEntries(Object.entries(this.#spec.definitions).map(([name, d]) => [name, prepared(d, direction)]));
      ajv.addSchema({ definitions }, this.#id);
      this.#ajv.set(direction, ajv);
    }
    fn = ajv.compile(prepared(schema, direction));
    cache.set(schema, fn);
    return fn;
  }

  #operation(operationId: string): Operation {
    const op = this.#operations.get(operationId);
    if (!op) throw new Error(`the OpenAPI document ${this.#id} has no operation ${operationId}`);
    return op;
  }

  /**
   * The 400 ARM answers for a body that does not match the operation's schema, in ARM's error
   * shape: code InvalidRequestContent (ARM's code for a body it cannot deserialize), one detail per
   * violation with its `target`. Undefined when the body conforms (or the operation takes none).
   */
  requestViolation(operationId: string, body: unknown): ArmError | undefined {
    const { body: schema, bodyRequired, bodyName } = this.#operation(operationId);
    if (!schema) return undefined;
    if (body === undefined) {
      if (!bodyRequired) return undefined;
      const message = `The request content was invalid and could not be deserialized: 'The request body (${bodyName}) is required.'`;
      return new ArmError(400, 'InvalidRequestContent', message, undefined, [{ code: 'MissingRequiredProperty', message: 'The request body is required.', target: bodyName }]);
    }
    const details = violations(this.#validator(schema, 'request'), body);
    if (!details.length) return undefined;
    const summary = details.map((d) => d.message).join(' ');
    return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${summary}'`, details[0]!.target, details);
  }

  /** The violations of a response body for `status` (for checking examples and the simulator's own answers). */
  responseViolations(operationId: string, status: string, body: unknown): ArmErrorDetail[] {
    const schema = this.#operation(operationId).responses.get(status);
    return schema ? violations(this.#validator(schema, 'response'), body) : [];
  }

  /** The name of the operation's body parameter (an example file's `parameters` key), if it takes one. */
  bodyParameter(operationId: string): string | undefined {
    return this.#operation(operationId).bodyName;
  }
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

export const microsoftApp = new OpenApiDocument(new URL('./spec/microsoft-app-2026-07-01.trimmed.json', import.meta.url), 'microsoft-app');
export const logAnalyticsQuery = new OpenApiDocument(new URL('./spec/operational-insights-v1.json', import.meta.url), 'operational-insights');

/** Microsoft.App's {@link OpenApiDocument.requestViolation}. */
export const requestViolation = (operationId: string, body: unknown) => microsoftApp.requestViolation(operationId, body);
