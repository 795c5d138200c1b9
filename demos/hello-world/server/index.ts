// /helloworld: WebRTC loopback, speaking the official tutorial's messages (start,
// onIceCandidate, stop; startResponse, iceCandidate, error). One session per socket; a new
// `start` replaces the previous session, as in the tutorial.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { AppError } from '../../../server/errors';
import { MessageCodec } from '../../../server/signaling/codec';
import { SignalingConnection } from '../../../server/signaling/connection';
import { HelloWorldClientMessages, type HelloWorldServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import { HelloWorldSession } from './session';

const codec = new MessageCodec(HelloWorldClientMessages);

async function routes(app: FastifyInstance): Promise<void> {
  app.get('/helloworld', { websocket: true }, (socket, request) => {
    const connection = SignalingConnection.accept<typeof HelloWorldClientMessages, HelloWorldServerMessage>(
      app,
      'helloworld',
      socket,
      request,
      codec,
    );
    const log = connection.log;
    let session: HelloWorldSession | undefined;

    const end = async (reason: string): Promise<void> => {
      const s = session;
      session = undefined;
      if (!s) return;
      app.sessions.delete(s);
      await s.close(reason);
    };

    connection.listen({
      onMessage: async (message) => {
        switch (message.id) {
          case 'start': {
            await end('restarted');
            const s = new HelloWorldSession(app.media, (m) => connection.send(m), log, connection.pipelines);
            session = s;
            app.sessions.add(s);
            try {
              await s.start(message.sdpOffer);
            } catch (err) {
              if (session === s) await end('failed to start');
              throw err;
            }
            return;
          }
          case 'onIceCandidate':
            if (!session) throw new AppError('NOT_STARTED');
            return session.addCandidate(message.candidate);
          case 'stop':
            return end('stopped by user');
          default:
            return assertUnreachable(message);
        }
      },
      onClose: () => end('socket closed'),
    });
  });
}

export const helloWorldDemo: Demo = {
  name: 'hello-world',
  page: '/helloworld.html',
  title: 'Hello world',
  summary: 'WebRTC loopback: your camera comes back to you through the media server.',
  routes,
};
