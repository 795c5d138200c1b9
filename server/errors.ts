// The application's coded errors: one catalogue, with a stable code, an HTTP status and a
// wire form. HTTP routes and WebSocket signaling both map through here, so a client sees
// the same code for the same failure wherever it happens.

export const ErrorCatalogue = {
  BAD_JSON: { code: 4000, status: 400, message: 'The message is not valid JSON' },
  BAD_MESSAGE: { code: 4001, status: 400, message: 'The message is malformed' },
  UNKNOWN_MESSAGE: { code: 4002, status: 400, message: 'Unknown message id' },
  BAD_SDP: { code: 4003, status: 400, message: 'The SDP was rejected by the media server' },
  BAD_CANDIDATE: { code: 4004, status: 400, message: 'The ICE candidate was rejected' },
  UNAUTHORIZED: {
    code: 4010,
    status: 401,
    message: 'This server needs its access token: log in at /login, or send Authorization: Bearer <API_TOKEN>',
  },
  HOST_NOT_ALLOWED: { code: 4031, status: 403, message: 'This host name is not served here' },
  ORIGIN_NOT_ALLOWED: { code: 4032, status: 403, message: 'Requests from this origin are not allowed' },
  ADMIN_NEEDS_TOKEN: {
    code: 4034,
    status: 403,
    message: 'Admin actions need API_TOKEN on a server shared on the network',
  },
  NOT_FOUND: { code: 4040, status: 404, message: 'Not found' },
  BAD_REQUEST: { code: 4006, status: 400, message: 'The request is malformed' },
  METHOD_NOT_ALLOWED: { code: 4050, status: 405, message: 'This method is not allowed here' },
  TOO_LARGE: { code: 4130, status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { code: 4150, status: 415, message: 'This content type is not accepted here' },
  RANGE_NOT_SATISFIABLE: { code: 4160, status: 416, message: 'The requested range is not in the file' },
  NOTHING_RECORDED: { code: 4041, status: 404, message: 'There is no recording to play yet; record one first' },
  BAD_URL: { code: 4005, status: 400, message: 'The video URL is not one the player accepts' },
  NOT_STARTED: { code: 4009, status: 409, message: 'There is no session to act on; start one first' },
  TOO_MANY_MESSAGES: { code: 4029, status: 429, message: 'Too many messages; slow down' },
  TOO_MANY_PENDING: { code: 4030, status: 429, message: 'Too many messages waiting; wait for the answers' },
  TOO_MANY_SOCKETS: { code: 4033, status: 429, message: 'Too many connections from this address' },
  ENDED_BY_OPERATOR: { code: 4100, status: 410, message: 'The session was ended by an operator' },
  REMOVED_BY_OPERATOR: { code: 4101, status: 410, message: 'An operator removed you from the session' },
  MEDIA_SERVER_UNAVAILABLE: { code: 5003, status: 503, message: 'The media server is not reachable right now' },
  MEDIA_CONNECTION_LOST: { code: 5005, status: 503, message: 'The media connection was lost; the session ended' },
  MEDIA_SERVER_LOST: { code: 5004, status: 503, message: 'The media server was lost; the session ended' },
  MEDIA_SERVER_ERROR: { code: 5002, status: 502, message: 'The media server failed the request' },
  MEDIA_MODULE_MISSING: { code: 5006, status: 501, message: 'The media server lacks the module this needs' },
  INTERNAL: { code: 5000, status: 500, message: 'Internal error' },
} as const;

export type ErrorReason = keyof typeof ErrorCatalogue;

export class AppError extends Error {
  readonly reason: ErrorReason;
  readonly code: number;
  readonly status: number;

  /** `status`: an HTTP status other than the catalogue's (Fastify's own refusals keep theirs). */
  constructor(reason: ErrorReason, detail?: string, status?: number) {
    const entry = ErrorCatalogue[reason];
    super(detail ? `${entry.message}: ${detail}` : entry.message);
    this.name = 'AppError';
    this.reason = reason;
    this.code = entry.code;
    this.status = status ?? entry.status;
  }

  /** The signaling form: the tutorials' `{id: 'error', message}` plus code and reason. */
  toMessage(): { id: 'error'; message: string; code: number; reason: ErrorReason } {
    return { id: 'error', message: this.message, code: this.code, reason: this.reason };
  }

  /** The HTTP body form. */
  toJSON(): { error: ErrorReason; code: number; message: string } {
    return { error: this.reason, code: this.code, message: this.message };
  }
}

function isMediaServerError(err: unknown): err is Error {
  const e = err as { code?: unknown; data?: { type?: unknown } } | undefined;
  return err instanceof Error && typeof e?.code === 'number' && typeof e.data?.type === 'string';
}

/** HTTP refusals that Fastify makes itself (schemas, body limits, routes), by status. */
const HTTP_REFUSALS: Partial<Record<number, ErrorReason>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
};

/**
 * Any error an HTTP route ends with, as the one shape every REST error has. A client's
 * mistake keeps its 4xx status and says what was wrong; only a failure of ours is INTERNAL,
 * and it says nothing more.
 */
export function httpError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The status Fastify chose stands, even where the catalogue has no entry for it.
    return new AppError(HTTP_REFUSALS[status] ?? 'BAD_REQUEST', (err as Error).message, status);
  }
  return asAppError(err);
}

/** Anything thrown to an AppError; unknown failures become INTERNAL without leaking details. */
export function asAppError(err: unknown, fallback: ErrorReason = 'INTERNAL'): AppError {
  if (err instanceof AppError) return err;
  // A media server's refusal (KMS's coded errors, as kurento-client hands them on) is written
  // for its user: a full port range, a missing module, an unreadable file.
  if (isMediaServerError(err)) return new AppError('MEDIA_SERVER_ERROR', err.message);
  const detail = fallback === 'INTERNAL' ? undefined : err instanceof Error ? err.message : String(err);
  return new AppError(fallback, detail);
}
