// kurento-client writes what it has to say with console.log/warn/error/trace: reconnect attempts,
// ping time-outs, "Invalid Session", unknown objects and types. In a server those lines must
// go where every other line goes, with a level, so this routes them through the logger:
// routine reconnect chatter at debug, the rest at warn. Other console output passes as it is.

import { format } from 'node:util';
import type { Logger } from '../logging';

/** Lines kurento-client writes while it reconnects and pings: routine, at debug. */
const CHATTER = [/^reconnect to server /, /^notReconnectIfNumLessThan = /, /^Trying to send ping, but ping is not enabled/];

/** Lines that say something went wrong between kurento-client and the media server. */
const TROUBLE = [
  /^Server did not respond to ping message /,
  /^Invalid Session/,
  /^Unknown object id /,
  /^Unknown message type /,
  /^Unexpected request/,
  /^Invalid request instance/,
  /^Implicit transaction failed/,
  /^Unknown type '/,
  /^Could not check /,
];

let routedTo: Logger | undefined;

/**
 * Routes kurento-client's console output through `log` (once per process: the console is
 * global, and so is kurento-client's use of it).
 */
export function routeKurentoClientOutput(log: Logger): void {
  if (routedTo) return;
  const target = (routedTo = log.child({ component: 'kurento-client' }));
  // kurento-client's default callback traces the error of a request nobody waited for.
  const trace = console.trace.bind(console);
  console.trace = (...args: unknown[]): void => {
    if (args.length === 1 && args[0] instanceof Error) target.warn({ err: args[0] }, 'a request without a callback failed');
    else trace(...args);
  };
  for (const method of ['log', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      const line = format(...args);
      if (CHATTER.some((p) => p.test(line))) target.debug(line);
      else if (TROUBLE.some((p) => p.test(line))) target.warn(line);
      else original(...args);
    };
  }
}

/**
 * An 'error' a media object emitted (kurento-client does when subscribing to one of its
 * events fails: the media server timed out, or the object is already gone), logged where
 * the rest of kurento-client's trouble goes.
 */
export function reportObjectError(err: unknown, objectId: string): void {
  if (routedTo) routedTo.warn({ err, objectId }, 'a media object reported an error');
  else console.warn(`media object ${objectId}: ${err instanceof Error ? err.message : String(err)}`);
}
