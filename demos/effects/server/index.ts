// /effects: a menu of GStreamer effects applied live to your camera. Each choice is a new
// GStreamerFilter (its command comes from the catalog, never from the page) put in place of
// the previous one; "none" sends the camera straight back.

import type { FastifyInstance } from 'fastify';
import type { Demo } from '../../../server/demo';
import { AppError } from '../../../server/errors';
import type { GStreamerFilter } from '../../../server/kurento/client';
import { NONE, type FilterServerMessage } from '../../../server/signaling/filter-messages';
import { assertUnreachable } from '../../../server/util/assert';
import { socketSessionDemo } from '../../../server/sessions/socket-session';
import type { OwnedPipeline } from '../../../server/sessions/media-placement';
import { EFFECTS, EffectsClientMessages } from '../messages';
import { FilterLoop } from '../../../server/sessions/filter-loop';

function effectFilter(id: string): (pipeline: OwnedPipeline) => Promise<GStreamerFilter | null> {
  if (id === NONE) return async () => null;
  const effect = EFFECTS.find((e) => e.id === id);
  if (!effect) throw new AppError('BAD_MESSAGE', `there is no effect '${id}'`);
  return (pipeline) => pipeline.createGStreamerFilter(effect.command);
}

async function routes(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof EffectsClientMessages, FilterServerMessage, FilterLoop<GStreamerFilter>>(
    app,
    '/effects',
    EffectsClientMessages,
    (send, log, pipelines) => new FilterLoop<GStreamerFilter>('effects', app.media, send, log, pipelines),
    async (session, message) => {
      switch (message.id) {
        case 'start':
          return session.start(message.sdpOffer, effectFilter(message.effect ?? NONE));
        case 'effect':
          return session.replace(effectFilter(message.effect), message.effect);
        case 'onIceCandidate':
          return session.addCandidate(message.candidate);
        case 'stop':
          return session.stop();
        default:
          return assertUnreachable(message);
      }
    },
  );
}

export const effectsDemo: Demo = {
  name: 'effects',
  page: '/effects.html',
  title: 'Effects',
  summary: 'GStreamer effects (black and white, mirror, edges, sepia, old film) applied live by the media server.',
  routes,
};
