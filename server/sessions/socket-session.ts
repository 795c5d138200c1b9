// The wiring of a demo whose page has one session for the life of its socket (recording,
// player): validate each message against the demo's schemas, hand it to the session, and
// close the session (releasing its pipeline) when the socket closes.

import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logging';
import { MessageCodec, type MessageOf, type SchemaTable } from '../signaling/codec';
import { SignalingConnection } from '../signaling/connection';
import type { PipelineFeed } from '../signaling/pipeline-feed';
import type { DemoSession } from './session-registry';

export function socketSessionDemo<T extends SchemaTable, Out extends { id: string }, S extends DemoSession>(
  app: FastifyInstance,
  path: string,
  messages: T,
  create: (send: (message: Out) => void, log: Logger, pipelines: PipelineFeed) => S,
  dispatch: (session: S, message: MessageOf<T>) => Promise<void>,
): void {
  const codec = new MessageCodec(messages);
  const demo = path.slice(1);
  app.get(path, { websocket: true }, (socket, request) => {
    const connection = SignalingConnection.accept<T, Out>(app, demo, socket, request, codec);
    const log = connection.log;
    const session = create((m) => connection.send(m), log, connection.pipelines);
    app.sessions.add(session);
    connection.listen({
      onMessage: (message) => dispatch(session, message),
      onClose: async () => {
        app.sessions.delete(session);
        await session.close('socket closed');
      },
    });
  });
}
