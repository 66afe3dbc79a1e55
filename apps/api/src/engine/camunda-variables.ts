import { HttpStatus } from '@nestjs/common';
import { AppError } from '../platform/errors';

/** A Camunda 7 typed value as it crosses /engine-rest. */
export interface TypedValue {
  type?: string;
  value: unknown;
  valueInfo?: Record<string, unknown>;
}

/** How a File variable is kept among the process variables (JSON, base64 content). */
export interface FileVariable {
  $type: 'File';
  filename: string;
  mimetype: string | null;
  encoding: string | null;
  base64: string;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function isFile(value: unknown): value is FileVariable {
  return typeof value === 'object' && value !== null && (value as { $type?: unknown }).$type === 'File';
}

export function toTypedValue(value: unknown): TypedValue {
  if (value === null || value === undefined) return { type: 'Null', value: null, valueInfo: {} };
  if (typeof value === 'string') return { type: 'String', value, valueInfo: {} };
  if (typeof value === 'boolean') return { type: 'Boolean', value, valueInfo: {} };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { type: 'Double', value, valueInfo: {} };
    return { type: value >= INT_MIN && value <= INT_MAX ? 'Integer' : 'Long', value, valueInfo: {} };
  }
  if (isFile(value)) {
    return {
      type: 'File',
      value: value.base64,
      valueInfo: { filename: value.filename, mimetype: value.mimetype, encoding: value.encoding },
    };
  }
  return { type: 'Json', value: JSON.stringify(value), valueInfo: {} };
}

export function toTypedVariables(variables: Record<string, unknown>, names?: string[] | null): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (names && !names.includes(name)) continue;
    out[name] = toTypedValue(value);
  }
  return out;
}

function invalid(name: string, message: string): AppError {
  return new AppError('INVALID_VARIABLE', `Cannot convert variable '${name}': ${message}`, HttpStatus.BAD_REQUEST);
}

export function fromTypedValue(name: string, typed: TypedValue): unknown {
  if (typeof typed !== 'object' || typed === null) throw invalid(name, 'expected {type, value}');
  const type = (typed.type ?? inferType(typed.value)).toLowerCase();
  const value = typed.value;
  switch (type) {
    case 'null':
      return null;
    case 'string':
      if (value !== null && typeof value !== 'string') throw invalid(name, 'String value must be a string');
      return value;
    case 'boolean':
      if (typeof value === 'boolean' || value === null) return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalid(name, 'Boolean value must be true or false');
    case 'short':
    case 'integer':
    case 'long': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (value === null) return null;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(name, `${typed.type} value must be a whole number`);
      return n;
    }
    case 'double': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (value === null) return null;
      if (typeof n !== 'number' || Number.isNaN(n)) throw invalid(name, 'Double value must be a number');
      return n;
    }
    case 'date':
      if (value === null) return null;
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalid(name, 'Date value must be an ISO date-time');
      return new Date(value).toISOString();
    case 'json':
    case 'object':
      if (value === null) return null;
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw invalid(name, `${typed.type} value is not valid JSON`);
      }
    case 'file': {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\r\n]*$/.test(value)) throw invalid(name, 'File value must be base64');
      const info = typed.valueInfo ?? {};
      const file: FileVariable = {
        $type: 'File',
        filename: String(info.filename ?? name),
        mimetype: typeof info.mimetype === 'string' ? info.mimetype : null,
        encoding: typeof info.encoding === 'string' ? info.encoding : null,
        base64: value.replace(/[\r\n]/g, ''),
      };
      return file;
    }
    default:
      throw invalid(name, `unsupported type ${typed.type}`);
  }
}

function inferType(value: unknown): string {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Double';
  if (typeof value === 'string') return 'String';
  return 'Json';
}

export function fromTypedVariables(variables: unknown): Record<string, unknown> {
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables)) throw invalid('variables', 'expected an object of typed values');
  const out: Record<string, unknown> = {};
  for (const [name, typed] of Object.entries(variables as Record<string, TypedValue>)) out[name] = fromTypedValue(name, typed);
  return out;
}
