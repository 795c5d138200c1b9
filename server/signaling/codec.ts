// Turns a WebSocket frame into a typed message, or into a coded error that says what was
// wrong. Each demo hands in its table of schemas keyed by message id; the compiled checkers
// are built once per table.

import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { AppError } from '../errors';

export type SchemaTable = Record<string, TSchema>;
export type MessageOf<T extends SchemaTable> = { [K in keyof T]: Static<T[K]> }[keyof T];

export class MessageCodec<T extends SchemaTable> {
  private readonly checks = new Map<string, TypeCheck<TSchema>>();

  constructor(table: T) {
    for (const [id, schema] of Object.entries(table)) this.checks.set(id, TypeCompiler.Compile(schema));
  }

  decode(frame: string): MessageOf<T> {
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      throw new AppError('BAD_JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AppError('BAD_MESSAGE', 'expected a JSON object with an "id"');
    }
    const id = (value as { id?: unknown }).id;
    if (typeof id !== 'string') throw new AppError('BAD_MESSAGE', 'the "id" field is missing');
    const check = this.checks.get(id);
    if (!check)
      throw new AppError('UNKNOWN_MESSAGE', `'${id.slice(0, 64)}'; expected one of ${[...this.checks.keys()].join(', ')}`);
    const first = check.Errors(value).First();
    if (first) {
      const field = first.path.replace(/^\//, '').replace(/\//g, '.') || 'message';
      throw new AppError('BAD_MESSAGE', `'${id}' ${field}: ${first.message}`);
    }
    return value as MessageOf<T>;
  }
}
