// /effects: a menu of GStreamer effects applied live to your camera. Each choice is a new
// GStreamerFilter (its command comes from the catalog, never from the page) put in place of
// the previous one; "none" sends the camera straight back.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors';
import type { GStreamerFilter } from '../../kurento/client';
import { EffectsClientMessages, type FilterServerMessage } from '../../signaling/protocol/filters';
import { assertUnreachable } from '../../util/assert';
import { socketSessionDemo } from '../socket-session';
import type { OwnedPipeline } from '../media-placement';
import { EFFECTS, NONE } from './catalog';
import { FilterLoop } from './filter-loop';

function effectFilter(id: string): (pipeline: OwnedPipeline) => Promise<GStreamerFilter | null> {
  if (id === NONE) return async () => null;
  const effect = EFFECTS.find((e) => e.id === id);
  if (!effect) throw new AppError('BAD_MESSAGE', `there is no effect '${id}'`);
  return (pipeline) => pipeline.createGStreamerFilter(effect.command);
}

export async function effectsDemo(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof EffectsClientMessages, FilterServerMessage, FilterLoop<GStreamerFilter>>(
    app,
    '/effects',
    EffectsClientMessages,
    (send, log) => new FilterLoop<GStreamerFilter>('effects', app.media, send, log),
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
