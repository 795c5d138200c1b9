// /magicmirror: the official magic-mirror tutorial (a FaceOverlayFilter puts a hat on every
// face), with a chooser of overlays and none. The filter stays; a new choice changes its image.

import type { FastifyInstance } from 'fastify';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { Demo } from '../../../server/demo';
import { AppError } from '../../../server/errors';
import type { FaceOverlayFilter } from '../../../server/kurento/client';
import { NONE, type FilterServerMessage } from '../../../server/signaling/filter-messages';
import { assertUnreachable } from '../../../server/util/assert';
import { socketSessionDemo } from '../../../server/sessions/socket-session';
import { OVERLAYS, MagicMirrorClientMessages } from '../messages';
import { FilterLoop } from '../../../server/sessions/filter-loop';

const DEFAULT_OVERLAY = 'top-hat';

interface Overlay {
  path: string;
  place: (typeof OVERLAYS)[number]['place'];
}

class MagicMirrorSession extends FilterLoop<FaceOverlayFilter> {
  constructor(
    private readonly app: FastifyInstance,
    send: (m: FilterServerMessage) => void,
    log: FastifyInstance['log'],
    pipelines: PipelineFeed,
  ) {
    super('magicmirror', app.media, send, log, pipelines);
  }

  async startWith(sdpOffer: string, overlay = DEFAULT_OVERLAY): Promise<void> {
    const image = this.imageOf(overlay);
    await this.start(sdpOffer, (pipeline) => pipeline.createFaceOverlayFilter());
    // NOTE: once the filter is in place, so that an image the media server cannot read
    // reaches the page as the filter's Error event (KMS accepts it and draws nothing).
    if (this.filter) await this.show(this.filter, image);
  }

  async choose(overlay: string): Promise<void> {
    if (!this.filter) throw new AppError('NOT_STARTED');
    await this.show(this.filter, this.imageOf(overlay));
  }

  private imageOf(id: string): Overlay | null {
    if (id === NONE) return null;
    const choice = OVERLAYS.find((o) => o.id === id);
    if (!choice) throw new AppError('BAD_MESSAGE', `there is no overlay '${id}'`);
    return { path: this.app.demoImages.imageOf(choice.file), place: choice.place };
  }

  private async show(filter: FaceOverlayFilter, overlay: Overlay | null): Promise<void> {
    if (!overlay) return filter.unsetOverlayedImage();
    await filter.setOverlayedImage(overlay.path, overlay.place);
  }
}

async function routes(app: FastifyInstance): Promise<void> {
  socketSessionDemo<typeof MagicMirrorClientMessages, FilterServerMessage, MagicMirrorSession>(
    app,
    '/magicmirror',
    MagicMirrorClientMessages,
    (send, log, pipelines) => new MagicMirrorSession(app, send, log, pipelines),
    async (session, message) => {
      switch (message.id) {
        case 'start':
          return session.startWith(message.sdpOffer, message.overlay);
        case 'overlay':
          return session.choose(message.overlay);
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

export const magicMirrorDemo: Demo = {
  name: 'magic-mirror',
  page: '/magicmirror.html',
  title: 'Magic mirror',
  summary: 'A FaceOverlayFilter finds your face and puts a hat on it; choose the hat, or none.',
  routes,
};
