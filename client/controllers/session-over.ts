// Signaling errors after which the server holds nothing more for the page: its media server
// was lost, its media connection died, or an operator ended the session or removed this
// user. A page that hears one leaves its call; any other error is news, and the call goes on.

const SESSION_OVER = new Set(['MEDIA_SERVER_LOST', 'MEDIA_CONNECTION_LOST', 'ENDED_BY_OPERATOR', 'REMOVED_BY_OPERATOR']);

export function endsSession(error: { reason?: string }): boolean {
  return error.reason !== undefined && SESSION_OVER.has(error.reason);
}
