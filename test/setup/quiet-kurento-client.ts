// kurento-client writes its reconnect and ping chatter with console.log, from timers that can
// fire after a test file has finished (a ping sent just before close times out 10 s later),
// which jest reports as "Cannot log after tests are done" and counts as a failure. These
// lines say nothing a test asserts on (the adapter reports the same states as events), so
// they are dropped here, in tests only; every other console.log passes through.

const KURENTO_CLIENT_CHATTER = [
  /^reconnect to server /,
  /^notReconnectIfNumLessThan = /,
  /^Server did not respond to ping message /,
  /^Trying to send ping, but ping is not enabled/,
  /^Invalid Session/,
];

const original = console.log.bind(console);
console.log = (...args: unknown[]): void => {
  const line = args.map(String).join(' ');
  if (KURENTO_CLIENT_CHATTER.some((p) => p.test(line))) return;
  original(...args);
};
