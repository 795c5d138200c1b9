// Checks constructor and operation parameters against their kmd declarations, so a
// bad call fails at the boundary with a message naming the parameter, never deep inside.

import { KmsError } from '../protocol/errors';
import type { KmdParam, TypeRegistry } from './kmd';

export type Params = Record<string, unknown>;

const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);

function checkValue(registry: TypeRegistry, type: string, value: unknown, where: string): void {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) throw bad(where, `an array of ${type.slice(0, -2)}`);
    value.forEach((v, i) => checkValue(registry, type.slice(0, -2), v, `${where}[${i}]`));
    return;
  }
  switch (type) {
    case 'String':
      if (typeof value !== 'string') throw bad(where, 'a string');
      return;
    case 'int':
    case 'int64':
      if (!isInt(value)) throw bad(where, 'an integer');
      return;
    case 'float':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(where, 'a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad(where, 'a boolean');
      return;
    case 'Object':
      return;
  }
  if (registry.isClassName(type)) {
    // Object references travel as ids; the caller resolves and type-checks them.
    if (typeof value !== 'string') throw bad(where, `the id of a ${type}`);
    return;
  }
  const complex = registry.getComplexType(type);
  if (!complex) return; // a type we do not know cannot be checked; the handler decides
  if (complex.typeFormat === 'ENUM') {
    if (typeof value !== 'string' || !complex.values?.includes(value)) {
      throw bad(where, `one of ${(complex.values ?? []).join(', ')}`);
    }
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(where, `a ${type}`);
  const record = value as Params;
  for (const p of complex.properties ?? []) {
    const v = record[p.name];
    if (v === undefined || v === null) {
      if (!p.optional) throw new KmsError('MARSHALL_ERROR', `'${where}.${p.name}' is required`);
      continue;
    }
    checkValue(registry, p.type, v, `${where}.${p.name}`);
  }
}

function bad(where: string, expected: string): KmsError {
  return new KmsError('MARSHALL_ERROR', `'${where}' must be ${expected}`);
}

/** Validates `given` against `declared`; returns the params with defaults filled in. */
export function checkParams(registry: TypeRegistry, declared: KmdParam[], given: unknown): Params {
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given))) {
    throw new KmsError('MARSHALL_ERROR', 'parameters must be an object');
  }
  const input = (given ?? {}) as Params;
  const out: Params = {};
  for (const p of declared) {
    const v = input[p.name];
    if (v === undefined || v === null) {
      if (!p.optional) throw new KmsError('MARSHALL_ERROR', `'${p.name}' parameter is required`);
      if (p.defaultValue !== undefined) out[p.name] = p.defaultValue;
      continue;
    }
    checkValue(registry, p.type, v, p.name);
    out[p.name] = v;
  }
  return out;
}
