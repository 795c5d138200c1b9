// KMS's SdpEndpoint: an endpoint negotiated with SDP offer/answer (WebRtcEndpoint,
// RtpEndpoint). It keeps both descriptions and answers for them as KMS does.

import { KmsError } from '../protocol/errors';
import { MediaElement } from './media-element';
import type { EngineContext, MediaObject } from './media-object';

export abstract class SdpEndpoint extends MediaElement {
  protected localSdp: string | undefined;
  protected remoteSdp: string | undefined;

  protected constructor(ctx: EngineContext, type: string, pipeline: MediaObject) {
    super(ctx, type, pipeline);
    this.handle('getLocalSessionDescriptor', () => {
      if (this.localSdp === undefined) throw new KmsError('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'No local SDP yet');
      return this.localSdp;
    });
    this.handle('getRemoteSessionDescriptor', () => {
      if (this.remoteSdp === undefined) throw new KmsError('SDP_END_POINT_NO_REMOTE_SDP_ERROR', 'No remote SDP yet');
      return this.remoteSdp;
    });
  }
}
