// A media worker thread: its own table of objects (the pipelines placed on it, with every
// element in them, their sockets, SRTP and helpers), driven by calls from the main thread.
// Its packets never cross threads: a pipeline and all it connects live here.

import pino from 'pino';
import { parentPort, workerData } from 'node:worker_threads';
import { JsonRpcError, KmsError, toWireError } from '../protocol/errors';
import { kmdPackages, TypeRegistry } from '../types/kmd';
import { LocalObjects } from './local-objects';
import type { Call, FromWorker, ToWorker, WorkerData } from './messages';

const port = parentPort;
if (!port) throw new Error('media-worker-main runs as a worker thread');
const { index, config, httpEndpointPort } = workerData as WorkerData;
const log = pino({ level: config.logLevel, base: { service: 'engine', worker: index } });
const say = (message: FromWorker): void => port.postMessage(message);

const objects = new LocalObjects(
  TypeRegistry.load(kmdPackages(config.addonModules)),
  config,
  log,
  {
    registered: (id, type) => say({ kind: 'registered', id, type }),
    unregistered: (id) => say({ kind: 'unregistered', id }),
    event: (objectId, type, data) => say({ kind: 'event', objectId, type, data }),
  },
  httpEndpointPort,
);

async function run(call: Call): Promise<unknown> {
  switch (call.op) {
    case 'create':
      return objects.create(call.type, call.params);
    case 'invoke':
      return objects.invoke(call.id, call.operation, call.params);
    case 'release':
      return objects.release(call.id);
    case 'close':
      return objects.close();
    case 'shard':
      return objects.shard(call.pipeline);
    case 'pipeOut':
      return objects.pipeOut(call.pipe, call.source, call.port);
    case 'pipeIn':
      return objects.pipeIn(call.source, call.type, call.port);
    case 'unpipe':
      return objects.unpipe(call.pipe);
  }
}

port.on('message', (message: ToWorker) => {
  const { seq, call } = message;
  run(call).then(
    (value) => {
      try {
        say({ kind: 'reply', seq, value });
      } catch (err) {
        // A value that cannot be cloned is a bug here, not the client's: answered, not lost.
        say({ kind: 'reply', seq, error: toWireError(err) });
      }
    },
    (err: unknown) => {
      if (!(err instanceof KmsError) && !(err instanceof JsonRpcError))
        log.warn({ err, op: call.op }, 'call failed unexpectedly');
      say({ kind: 'reply', seq, error: toWireError(err) });
    },
  );
});

say({ kind: 'ready' });
