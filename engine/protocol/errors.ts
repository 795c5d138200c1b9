// The media server's error catalogue: codes and type names as KMS sends them
// (module-core's KurentoException.hpp), plus the JSON-RPC 2.0 codes for malformed frames.
// kurento-client maps 40100/40101/40105 to TypeError/ReferenceError/SyntaxError
// and 40007 to "session lost", so these numbers are part of the wire contract.

export const ErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  MEDIA_ERROR: 40000,
  MARSHALL_ERROR: 40001,
  UNMARSHALL_ERROR: 40002,
  UNEXPECTED_ERROR: 40003,
  CONNECT_ERROR: 40004,
  UNSUPPORTED_MEDIA_TYPE: 40005,
  NOT_IMPLEMENTED: 40006,
  INVALID_SESSION: 40007,
  // NOTE: KMS's generated invoke() answers an unknown operation with this code too.
  MALFORMED_TRANSACTION: 40008,
  NOT_ENOUGH_RESOURCES: 40009,
  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  MEDIA_OBJECT_CAST_ERROR: 40102,
  MEDIA_OBJECT_HAS_NOT_PARENT: 40103,
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  MEDIA_OBJECT_NOT_AVAILABLE: 40108,
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 40110,
  MEDIA_OBJECT_OPERATION_NOT_SUPPORTED: 40111,
  SDP_PARSE_ERROR: 40201,
  SDP_END_POINT_NO_LOCAL_SDP_ERROR: 40202,
  SDP_END_POINT_NO_REMOTE_SDP_ERROR: 40203,
  SDP_END_POINT_GENERATE_OFFER_ERROR: 40204,
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  SDP_END_POINT_ALREADY_NEGOTIATED: 40208,
  HTTP_END_POINT_REGISTRATION_ERROR: 40300,
  ICE_GATHER_CANDIDATES_ERROR: 40400,
  ICE_ADD_CANDIDATE_ERROR: 40401,
  URI_PATH_FILE_NOT_FOUND: 40600,
  PLAYER_SEEK_FAIL: 40700,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export interface WireError {
  code: number;
  message: string;
  data?: { type: string };
}

/** An error that travels to the client as a JSON-RPC error object. */
export class KmsError extends Error {
  readonly code: number;
  readonly type: ErrorCodeName;

  constructor(type: ErrorCodeName, message: string) {
    super(message);
    this.name = 'KmsError';
    this.type = type;
    this.code = ErrorCode[type];
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, data: { type: this.type } };
  }
}

/** Turns anything thrown inside a handler into a wire error, never leaking a stack. */
export function toWireError(err: unknown): WireError {
  if (err instanceof KmsError) return err.toWire();
  if (err instanceof JsonRpcError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.UNEXPECTED_ERROR, message, data: { type: 'UNEXPECTED_ERROR' } };
}

/** A JSON-RPC level error (unknown method, malformed frame): a code and words, no KMS type. */
export class JsonRpcError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'JsonRpcError';
    this.code = code;
  }
}
