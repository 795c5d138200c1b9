// /player: play a URL or a recording into the page (the official player tutorial's
// messages). One session per socket.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { PlayerClientMessages, type PlayerServerMessage } from '../messages';
import { assertUnreachable } from '../../../server/util/assert';
import { socketSessionDemo } from '../../../server/sessions/socket-session';
import { PlayerSession } from './session';

async function routes(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof PlayerClientMessages, PlayerServerMessage, PlayerSession>(
    app,
    '/player',
    PlayerClientMessages,
    (send, log, pipelines) =>
      new PlayerSession(app.media, app.recordings, send, log, { allowPrivate: app.config.ALLOW_PRIVATE_URLS }, pipelines),
    async (session, message) => {
      switch (message.id) {
        case 'start':
          return session.start(message.sdpOffer, message.videourl);
        case 'pause':
          return session.pause();
        case 'resume':
          return session.resume();
        case 'doSeek':
          return session.seek(message.position);
        case 'getPosition':
          return session.position();
        case 'stop':
          return session.stop();
        case 'onIceCandidate':
          return session.addCandidate(message.candidate);
        default:
          return assertUnreachable(message);
      }
    },
  );
}

export const playerDemo: Demo = {
  name: 'player',
  page: '/player.html',
  title: 'Player',
  summary: 'The media server plays any http(s) video, or a recording, into your browser; pause, seek, position.',
  routes,
};
