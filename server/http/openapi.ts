// The REST API's OpenAPI 3.1 description (GET /api/openapi.json), generated from the routes
// themselves: each route that gives its schema a `summary` is listed under its tag, with its
// path and query parameters taken from the same TypeBox schemas that validate requests, and
// the one error shape every failure has. The /api-docs page renders it. A route under /api
// without a summary is reported (`undocumented`), and a test keeps that list empty.

import type { FastifyInstance } from 'fastify';
import { ErrorCatalogue } from '../errors';

declare module 'fastify' {
  interface FastifySchema {
    /** One line: what the route does (OpenAPI's summary). */
    summary?: string;
    /** More, where a line is not enough. */
    description?: string;
    /** The API section it belongs to. */
    tags?: string[];
  }
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

interface Route {
  method: string;
  url: string;
  schema: { summary?: string; description?: string; tags?: string[]; params?: unknown; querystring?: unknown };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'code', 'message'],
  properties: {
    error: { type: 'string', enum: Object.keys(ErrorCatalogue), description: 'The stable name of the failure' },
    code: { type: 'integer', description: 'Its stable number (server/errors.ts)' },
    message: { type: 'string', description: 'What went wrong, in words' },
  },
};

/** Paths that are part of the API, and so must be documented. */
const isApi = (url: string): boolean => url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(url);

export class OpenApi {
  private readonly routes: Route[] = [];
  /** API routes registered without a summary. */
  readonly undocumented: string[] = [];

  /** Watches the routes `app` registers from now on; call before any is registered. */
  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const schema = (route.schema ?? {}) as Route['schema'];
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || !isApi(route.url)) continue;
        if (schema.summary) this.routes.push({ method, url: route.url, schema });
        else this.undocumented.push(`${method} ${route.url}`);
      }
    });
  }

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operation(route);
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Kurento Stage',
        version,
        description:
          'The application server’s REST API: health, history, live sessions and admin actions, recordings, pipelines, ICE servers and metrics. With API_TOKEN set, every route needs it (a bearer token, or the login cookie).',
      },
      paths,
      components: {
        schemas: { Error: ERROR_SCHEMA },
        securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' } },
      },
      security: [{ token: [] }, {}],
    };
  }
}

function operation(route: Route): Record<string, unknown> {
  const { summary, description, tags, params, querystring } = route.schema;
  const parameters = [
    ...parametersOf(params as JsonSchema | undefined, 'path'),
    ...parametersOf(querystring as JsonSchema | undefined, 'query'),
  ];
  const success = route.method === 'DELETE' ? '204' : '200';
  return {
    summary,
    ...(description ? { description } : {}),
    ...(tags ? { tags } : {}),
    ...(parameters.length ? { parameters } : {}),
    responses: {
      [success]: { description: success === '204' ? 'Done; no body' : 'OK' },
      default: {
        description: 'A failure, in the one error shape',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    // A required property with a default is filled in when absent: the client may leave it out.
    required: where === 'path' || ((schema?.required ?? []).includes(name) && property.default === undefined),
    // JSON keeps the JSON Schema keywords and drops TypeBox's symbol-keyed markers.
    schema: JSON.parse(JSON.stringify(property)) as unknown,
  }));
}
