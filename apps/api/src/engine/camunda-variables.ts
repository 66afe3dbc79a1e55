import { HttpStatus } from '@nestjs/common';
import { AppError } from '../platform/errors';

/**
 * Camunda 7 typed variables, exact both ways.
 *
 * The design: a case's `variables` keep plain JSON values, because the diagram's expressions read them (a Date is
 * its ISO-8601 instant in UTC, which compares and sorts as time does; a Double 2.0 is the number 2; Json and Object
 * are the parsed value). Where the plain value alone would be read back as another type (a Date looks like a String,
 * a Double 2.0 like an Integer, a Long 5 like an Integer, an Object like Json, Bytes like a String, a typed null like
 * Null), the type written is kept beside it in `process_instances.variable_types`. A name leaves that map as soon as
 * a step changes its value, so a value the diagram or a person overwrote is typed by what it is now.
 */

export type CamundaType =
  'String' | 'Boolean' | 'Short' | 'Integer' | 'Long' | 'Double' | 'Date' | 'Json' | 'Object' | 'Bytes' | 'File' | 'Null';

/** A Camunda 7 typed value as it crosses /engine-rest. */
export interface TypedValue {
  type?: string;
  value: unknown;
  valueInfo?: Record<string, unknown>;
}

/** The type a variable was written with, kept where the plain value does not tell it. */
export interface VariableType {
  type: CamundaType;
  /** Object: objectTypeName and serializationDataFormat, handed back as they came. */
  valueInfo?: Record<string, unknown>;
}

export type VariableTypes = Record<string, VariableType>;

/** Variables read from a request: plain values for the case, and the type each was sent as. */
export interface TypedVariables {
  values: Record<string, unknown>;
  types: VariableTypes;
}

/** How a File variable is kept among the process variables (JSON, base64 content). */
export interface FileVariable {
  $type: 'File';
  filename: string;
  mimetype: string | null;
  encoding: string | null;
  base64: string;
}

const CANONICAL: Record<string, CamundaType> = {
  string: 'String',
  boolean: 'Boolean',
  short: 'Short',
  integer: 'Integer',
  long: 'Long',
  double: 'Double',
  date: 'Date',
  json: 'Json',
  object: 'Object',
  bytes: 'Bytes',
  file: 'File',
  null: 'Null',
};

const SHORT = 2 ** 15;
const INT = 2 ** 31;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;
/** ISO-8601 date-time with an offset: Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` and the `Z` / `+08:00` forms. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isFile(value: unknown): value is FileVariable {
  return typeof value === 'object' && value !== null && (value as { $type?: unknown }).$type === 'File';
}

/** The type a plain value reads as when nothing else is known (what Camunda's REST infers from JSON). */
export function inferType(value: unknown): CamundaType {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'Double';
    return value >= -INT && value < INT ? 'Integer' : 'Long';
  }
  if (typeof value === 'string') return 'String';
  if (isFile(value)) return 'File';
  return 'Json';
}

/** Camunda's REST date format (`yyyy-MM-dd'T'HH:mm:ss.SSSZ`), in UTC. */
export function formatCamundaDate(iso: string): string {
  return new Date(iso).toISOString().replace(/Z$/, '+0000');
}

/** A plain value of the case as Camunda hands it out, with the type it was written as where one is kept. */
export function toTypedValue(value: unknown, declared?: VariableType): TypedValue {
  const type = declared && fits(declared.type, value) ? declared.type : inferType(value);
  if (value === null || value === undefined) return { type, value: null, valueInfo: type === 'Object' ? { ...declared?.valueInfo } : {} };
  switch (type) {
    case 'Date':
      return { type, value: formatCamundaDate(value as string), valueInfo: {} };
    case 'Json':
      return { type, value: JSON.stringify(value), valueInfo: {} };
    case 'Object':
      return {
        type,
        value: JSON.stringify(value),
        valueInfo: { ...declared?.valueInfo, serializationDataFormat: 'application/json' },
      };
    case 'File': {
      // As Camunda: the content is not sent with the task; the client loads it from the variable's data route.
      // camunda-external-task-client-js reads (and writes back) `mimetype` where Camunda says `mimeType`: both are
      // sent, so a File the client echoes keeps its type.
      const file = value as FileVariable;
      return {
        type,
        value: null,
        valueInfo: { filename: file.filename, mimeType: file.mimetype, mimetype: file.mimetype, encoding: file.encoding },
      };
    }
    default:
      return { type, value, valueInfo: {} };
  }
}

/** Whether a kept type still describes the plain value (a stale entry never turns a String into a Date). */
function fits(type: CamundaType, value: unknown): boolean {
  if (value === null || value === undefined) return type !== 'File';
  switch (type) {
    case 'String':
    case 'Bytes':
      return typeof value === 'string';
    case 'Date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'Boolean':
      return typeof value === 'boolean';
    case 'Short':
    case 'Integer':
    case 'Long':
      return Number.isInteger(value);
    case 'Double':
      return typeof value === 'number';
    case 'File':
      return isFile(value);
    case 'Json':
    case 'Object':
      return true;
    case 'Null':
      return false;
  }
}

export function toTypedVariables(
  variables: Record<string, unknown>,
  types: VariableTypes = {},
  names?: string[] | null,
): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (names && !names.includes(name)) continue;
    out[name] = toTypedValue(value, types[name]);
  }
  return out;
}

function invalid(name: string, message: string): AppError {
  return new AppError('INVALID_VARIABLE', `Cannot convert variable '${name}': ${message}`, HttpStatus.BAD_REQUEST);
}

function wholeNumber(name: string, type: CamundaType, value: unknown, limit: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(name, `${type} value must be a whole number`);
  if (n < -limit || n >= limit) throw invalid(name, `${type} value ${n} is out of range`);
  // JSON numbers are doubles here: a Long beyond 2^53 would not come back as it was sent.
  if (!Number.isSafeInteger(n)) throw invalid(name, `${type} value ${n} cannot be kept exactly (beyond ±9007199254740991)`);
  return n;
}

function parseJson(name: string, type: CamundaType, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalid(name, `${type} value is not valid JSON`);
  }
}

/** One typed value of a request: its plain value for the case, and the type it was sent as. */
export function fromTypedValue(name: string, typed: TypedValue): { value: unknown; type: VariableType } {
  if (typeof typed !== 'object' || typed === null || Array.isArray(typed)) throw invalid(name, 'expected {type, value}');
  const declared = typed.type === undefined || typed.type === null ? inferType(typed.value) : CANONICAL[String(typed.type).toLowerCase()];
  if (!declared) throw invalid(name, `unsupported type ${String(typed.type)}`);
  const value = typed.value;
  const info = typed.valueInfo && typeof typed.valueInfo === 'object' ? typed.valueInfo : {};
  const typeOnly: VariableType = { type: declared };
  if (value === null || value === undefined) {
    if (declared === 'File') throw invalid(name, 'File value must be base64');
    if (declared === 'Object') return { value: null, type: { type: declared, valueInfo: objectInfo(name, info) } };
    return { value: null, type: typeOnly };
  }
  switch (declared) {
    case 'Null':
      return { value: null, type: typeOnly };
    case 'String':
      if (typeof value !== 'string') throw invalid(name, 'String value must be a string');
      return { value, type: typeOnly };
    case 'Boolean':
      if (typeof value === 'boolean') return { value, type: typeOnly };
      if (value === 'true' || value === 'false') return { value: value === 'true', type: typeOnly };
      throw invalid(name, 'Boolean value must be true or false');
    case 'Short':
      return { value: wholeNumber(name, declared, value, SHORT), type: typeOnly };
    case 'Integer':
      return { value: wholeNumber(name, declared, value, INT), type: typeOnly };
    case 'Long':
      return { value: wholeNumber(name, declared, value, 2 ** 63), type: typeOnly };
    case 'Double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(name, 'Double value must be a number');
      return { value: n, type: typeOnly };
    }
    case 'Date':
      if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
        throw invalid(
          name,
          `Date value must be a date-time with an offset such as 2026-11-24T08:00:00.000+0800, not ${JSON.stringify(value)}`,
        );
      return { value: new Date(value).toISOString(), type: typeOnly };
    case 'Json':
      return { value: parseJson(name, declared, value), type: typeOnly };
    case 'Object': {
      const valueInfo = objectInfo(name, info);
      return { value: parseJson(name, declared, value), type: { type: declared, valueInfo } };
    }
    case 'Bytes':
      if (typeof value !== 'string' || !BASE64.test(value)) throw invalid(name, 'Bytes value must be base64');
      return { value: value.replace(/[\r\n]/g, ''), type: typeOnly };
    case 'File': {
      if (typeof value !== 'string' || !BASE64.test(value)) throw invalid(name, 'File value must be base64');
      // Camunda names it mimeType; camunda-external-task-client-js sends mimetype.
      const mime = info.mimeType ?? info.mimetype;
      const file: FileVariable = {
        $type: 'File',
        filename: typeof info.filename === 'string' && info.filename ? info.filename : name,
        mimetype: typeof mime === 'string' ? mime : null,
        encoding: typeof info.encoding === 'string' ? info.encoding : null,
        base64: value.replace(/[\r\n]/g, ''),
      };
      return { value: file, type: typeOnly };
    }
  }
}

/** Objects are kept as JSON: a Java-serialized or XML object cannot be read here (nor by the diagram's expressions). */
function objectInfo(name: string, info: Record<string, unknown>): Record<string, unknown> {
  const format = info.serializationDataFormat;
  if (format !== undefined && format !== null && format !== 'application/json')
    throw invalid(name, `Object values are accepted only as JSON (serializationDataFormat application/json), not ${String(format)}`);
  const out: Record<string, unknown> = { serializationDataFormat: 'application/json' };
  if (typeof info.objectTypeName === 'string') out.objectTypeName = info.objectTypeName;
  return out;
}

/** A request's `variables` (or `processVariables`, `correlationKeys`, …): an object of typed values, or nothing. */
export function readTypedVariables(variables: unknown, field = 'variables'): TypedVariables {
  const out: TypedVariables = { values: {}, types: {} };
  if (variables === undefined || variables === null) return out;
  if (typeof variables !== 'object' || Array.isArray(variables)) throw invalid(field, 'expected an object of typed values');
  for (const [name, typed] of Object.entries(variables as Record<string, TypedValue>)) {
    const read = fromTypedValue(name, typed);
    out.values[name] = read.value;
    out.types[name] = read.type;
  }
  return out;
}

/** Plain values only (callers that have no use for the types). */
export function fromTypedVariables(variables: unknown): Record<string, unknown> {
  return readTypedVariables(variables).values;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * The types kept after a step: a name whose value the step changed loses its type, then the types this command
 * wrote are kept for the values that are still what was written (unless the plain value tells the type anyway).
 */
export function nextVariableTypes(
  previous: VariableTypes | null | undefined,
  changed: Record<string, unknown>,
  after: Record<string, unknown>,
  written?: { values?: Record<string, unknown>; types?: VariableTypes },
): VariableTypes {
  const next: VariableTypes = {};
  for (const [name, type] of Object.entries(previous ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(changed, name) && Object.prototype.hasOwnProperty.call(after, name)) next[name] = type;
  }
  for (const [name, type] of Object.entries(written?.types ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(after, name) || !sameValue(after[name], written?.values?.[name])) continue;
    if (type.type === inferType(after[name]) && type.type !== 'Object') delete next[name];
    else next[name] = type;
  }
  return next;
}

/** The kept types of some variables (a call activity hands its variables and their types to the called case). */
export function typesOf(types: VariableTypes | null | undefined, names: Iterable<string>): VariableTypes {
  const out: VariableTypes = {};
  for (const name of names) if (types?.[name]) out[name] = types[name];
  return out;
}
