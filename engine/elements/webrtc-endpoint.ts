// A WebRTC endpoint on werift: negotiates with a browser (either side may offer), trickles
// ICE candidates as KMS events once `gatherCandidates` is called, publishes what the browser
// sends as this element's outputs, and sends whatever its inputs carry back to the browser,
// by RTP pass-through (no decoding). The peer connection is created on first negotiation,
// so that STUN/TURN properties set after `create` still apply, and closed on release. Made
// with useDataChannels, it also negotiates SCTP, and its data channel is its DATA media.

import { networkInterfaces } from 'node:os';
import {
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useFIR,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  type RTCIceCandidate,
  type RTCIceServer,
  type RTCRtpSender,
  type RTCRtpTransceiver,
} from 'werift';
import type { DataMessage } from '../media/data-fanout';
import { KmsError } from '../protocol/errors';
import { PeerEstimate, RembFeedback, rembFields } from '../rtp/bandwidth';
import { startDtlsAtOnce } from '../rtp/dtls-start';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import { ForwardingSender } from '../rtp/forwarding-sender';
import { nativeSend } from '../rtp/native-send';
import { RtpRestamper } from '../rtp/restamper';
import { DataChannels } from './data-channels';
import { announceCandidate, looksLikeSdp, stripCandidates, type CandidatePolicy } from './ice-candidates';
import { answerInShape, negotiatedMid, normaliseOffer, offeredPosition, rejectingAnswer, type OfferShape } from './sdp-compat';
import { withRecvLimits } from './sdp-bandwidth';
import { toKmsStats } from './webrtc-stats';
import type { EngineContext, MediaObject } from './media-object';
import { SdpEndpoint } from './sdp-endpoint';

export interface WebRtcEndpointOptions {
  recvonly?: boolean;
  sendonly?: boolean;
  useDataChannels?: boolean;
}

type IceCandidateWire = { candidate: string; sdpMid?: string; sdpMLineIndex?: number };

const ICE_STATE: Record<string, string> = {
  new: 'GATHERING',
  checking: 'CONNECTING',
  connected: 'CONNECTED',
  completed: 'READY',
  disconnected: 'DISCONNECTED',
  failed: 'FAILED',
  closed: 'DISCONNECTED',
};

export class WebRtcEndpoint extends SdpEndpoint {
  private readonly options: WebRtcEndpointOptions;
  private pc: RTCPeerConnection | undefined;
  private dataChannels: DataChannels | undefined;
  private readonly senders = new Map<MediaKind, RTCRtpSender>();
  /**
   * What this endpoint sends stays one continuous stream when its source changes (a filter
   * swapped for another, a loopback replaced by a filter): the browser's jitter buffer would
   * drop a stream whose sequence numbers jump to another source's.
   */
  private readonly restampers = { audio: new RtpRestamper(48000), video: new RtpRestamper(90000) };
  private readonly forwarders = new WeakMap<RTCRtpSender, ForwardingSender | null>();
  private readonly remoteSsrc = new Map<MediaKind, number>();
  private readonly localCandidates: IceCandidateWire[] = [];
  private readonly earlyRemoteCandidates: IceCandidateWire[] = [];
  private gatheringRequested = false;
  private gatheringDone = false;
  private gatheringDoneRaised = false;
  /** The shape of the offer this endpoint answered, so answers and candidates keep to it. */
  private offerShape: OfferShape | undefined;
  private connectionState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';
  private mediaState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';
  private dtlsState = 'NEW';
  stunServerAddress = '';
  stunServerPort = 3478;
  turnUrl = '';
  minVideoSendBandwidth = 100;
  maxVideoSendBandwidth = 500;
  minVideoRecvBandwidth = 0;
  maxVideoRecvBandwidth = 0;
  maxAudioRecvBandwidth = 0;
  externalIPv4 = '';
  externalIPv6 = '';
  networkInterfaces = '';
  private readonly remb: RembFeedback;
  /** The REMB this endpoint's peer sent about the video we send it. */
  private readonly peerVideoEstimate = new PeerEstimate();
  /** Sinks whose codec differs from their source's: told once, then dropped (no transcoding here). */
  private readonly codecMismatchReported = new Set<MediaKind>();

  constructor(ctx: EngineContext, pipeline: MediaObject, options: WebRtcEndpointOptions) {
    super(ctx, 'WebRtcEndpoint', pipeline);
    if (options.recvonly && options.sendonly) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'recvonly and sendonly cannot both be true');
    }
    this.options = options;
    if (ctx.config.stunServer) {
      this.stunServerAddress = ctx.config.stunServer.address;
      this.stunServerPort = ctx.config.stunServer.port;
    }
    this.turnUrl = ctx.config.turnUrl ?? '';
    this.externalIPv4 = ctx.config.externalIPv4 ?? '';
    this.externalIPv6 = ctx.config.externalIPv6 ?? '';
    // KMS's properties are in kbps; 0 means no limit of our own.
    this.remb = new RembFeedback(
      () => ({ min: this.minVideoRecvBandwidth * 1000, max: this.maxVideoRecvBandwidth * 1000 }),
      (bitrate, ssrcs) => this.sendRemb(bitrate, ssrcs),
      () => this.sinksEstimate('video'),
    );
    this.registerOperations();
  }

  private get direction(): 'sendrecv' | 'recvonly' | 'sendonly' {
    return this.options.recvonly ? 'recvonly' : this.options.sendonly ? 'sendonly' : 'sendrecv';
  }

  // ---- negotiation ---------------------------------------------------------------------

  private async processOffer(offer: string): Promise<string> {
    if (!looksLikeSdp(offer)) throw new KmsError('SDP_PARSE_ERROR', 'The SDP offer could not be parsed');
    if (this.remoteSdp !== undefined) {
      throw new KmsError('SDP_END_POINT_ALREADY_NEGOTIATED', 'This endpoint has already negotiated a session');
    }
    const { sdp, shape } = normaliseOffer(offer, { data: this.options.useDataChannels ?? false });
    this.offerShape = shape;
    if (shape.negotiatedMids.length === 0) {
      this.remoteSdp = offer;
      this.localSdp = rejectingAnswer(shape, String(Date.now()));
      return this.localSdp;
    }
    const pc = this.ensurePeerConnection();
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      startDtlsAtOnce(pc);
      this.assertAlive();
      for (const t of pc.getTransceivers()) this.adoptTransceiver(t);
      const answer = await pc.createAnswer();
      this.assertAlive();
      await pc.setLocalDescription(answer);
    } catch (err) {
      if (err instanceof KmsError) throw err;
      throw new KmsError('SDP_END_POINT_PROCESS_OFFER_ERROR', `The SDP offer was rejected: ${errorText(err)}`);
    }
    this.assertAlive();
    this.remoteSdp = offer;
    this.localSdp = answerInShape(this.ownSdp(pc), this.offerShape!);
    await this.flushEarlyCandidates();
    return this.localSdp;
  }

  /** The local description as the peer sees it: no candidates (they trickle), our receive limits. */
  private ownSdp(pc: RTCPeerConnection): string {
    return withRecvLimits(stripCandidates(pc.localDescription?.sdp ?? ''), {
      audio: this.maxAudioRecvBandwidth,
      video: this.maxVideoRecvBandwidth,
    });
  }

  private async generateOffer(): Promise<string> {
    if (this.localSdp !== undefined) {
      throw new KmsError('SDP_END_POINT_ALREADY_NEGOTIATED', 'This endpoint has already generated an offer');
    }
    const pc = this.ensurePeerConnection();
    try {
      for (const kind of ['audio', 'video'] as MediaKind[]) {
        this.adoptTransceiver(pc.addTransceiver(kind, { direction: this.direction }));
      }
      // KMS offers an SCTP section when data channels are on, with no channel yet. werift adds
      // one once it has an SCTP transport, which it makes public only with a first channel.
      if (this.options.useDataChannels) (pc as unknown as { createSctpTransport(): void }).createSctpTransport();
      const offer = await pc.createOffer();
      this.assertAlive();
      await pc.setLocalDescription(offer);
      startDtlsAtOnce(pc);
    } catch (err) {
      if (err instanceof KmsError) throw err;
      throw new KmsError('SDP_END_POINT_GENERATE_OFFER_ERROR', `Could not generate an offer: ${errorText(err)}`);
    }
    this.assertAlive();
    this.localSdp = this.ownSdp(pc);
    return this.localSdp;
  }

  private async processAnswer(answer: string): Promise<string> {
    if (this.localSdp === undefined) {
      throw new KmsError('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'processAnswer needs a prior generateOffer');
    }
    if (!looksLikeSdp(answer)) throw new KmsError('SDP_PARSE_ERROR', 'The SDP answer could not be parsed');
    try {
      await this.ensurePeerConnection().setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (err) {
      throw new KmsError('SDP_END_POINT_PROCESS_ANSWER_ERROR', `The SDP answer was rejected: ${errorText(err)}`);
    }
    this.assertAlive();
    this.remoteSdp = answer;
    await this.flushEarlyCandidates();
    return this.localSdp;
  }

  /** Wires one m-line: what the browser sends becomes our output; our input goes to it. */
  private adoptTransceiver(t: RTCRtpTransceiver): void {
    const kind = t.kind as MediaKind;
    if (kind !== 'audio' && kind !== 'video') return;
    t.setDirection(this.direction);
    this.senders.set(kind, t.sender);
    t.sender.onPictureLossIndication.subscribe(() => this.requestKeyframeUpstream(kind));
    // werift counts FIR (RFC 5104) nowhere; a sink may use it instead of PLI.
    t.sender.onRtcp.subscribe((rtcp) => {
      // KMS calls media CONNECTED once RTCP flows, so a receive-only peer counts too.
      this.markMediaConnected();
      if (!(rtcp instanceof RtcpPayloadSpecificFeedback)) return;
      if (rtcp.feedback.count === FIR_FMT) this.requestKeyframeUpstream(kind);
      if (rtcp.feedback instanceof ReceiverEstimatedMaxBitrate && kind === 'video') {
        this.peerVideoEstimate.record(Number(rtcp.feedback.bitrate));
      }
    });
    // NOTE: werift hands a PLI or FIR to whatever its *sender* SSRC names first. A peer that
    // also sends (a browser in a call) names its own stream, which is our receiver's, so the
    // request for our stream lands there and our sender never hears it. It is taken back here
    // by the media SSRC it is about: without this, a sink that lost a keyframe stayed frozen.
    t.receiver.onRtcp.subscribe((rtcp) => {
      if (!(rtcp instanceof RtcpPayloadSpecificFeedback)) return;
      const { count } = rtcp.feedback;
      if (count !== PLI_FMT && count !== FIR_FMT) return;
      const about = (rtcp.feedback as { mediaSsrc?: number }).mediaSsrc;
      for (const [sinkKind, sender] of this.senders) if (sender.ssrc === about) this.requestKeyframeUpstream(sinkKind);
    });
  }

  private ensurePeerConnection(): RTCPeerConnection {
    if (this.pc) return this.pc;
    const { config } = this.ctx;
    const pc = new RTCPeerConnection({
      iceServers: this.iceServers(),
      // werift leaves loopback out unless asked; a laptop demo and our tests live there.
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      icePortRange: config.portRange,
      // NOTE: with werift's default (max-compat) an offer gathers one transport per m-line,
      // and the ones BUNDLE makes redundant are dropped without closing their UDP sockets.
      // KMS offers BUNDLE too, and every browser accepts it.
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
        // VP8 first, as KMS prefers it; H.264 when the peer offers only that.
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()],
          }),
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
            rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()],
          }),
        ],
      },
      headerExtensions: { audio: [useSdesMid()], video: [useSdesMid(), useAbsSendTime()] },
    });
    // NOTE: the track event fires inside setRemoteDescription, so listen before it.
    pc.onTrack.subscribe((track) => {
      const kind = track.kind as MediaKind;
      const out = this.output(kind);
      if (track.ssrc !== undefined) this.remoteSsrc.set(kind, track.ssrc);
      if (track.codec) out.codec = { mimeType: track.codec.mimeType, clockRate: track.codec.clockRate };
      track.onReceiveRtp.subscribe((packet) => {
        if (track.ssrc === undefined) this.remoteSsrc.set(kind, packet.header.ssrc);
        if (kind === 'video') {
          this.remb.onPacket(packet.header.ssrc, packet.header.sequenceNumber, packet.serializeSize);
        }
        out.push(packet);
        this.markMediaConnected();
      });
    });
    if (this.options.useDataChannels) {
      this.dataChannels = new DataChannels(pc, {
        opened: (channelId) => this.raise('DataChannelOpened', { channelId }),
        closed: (channelId) => this.raise('DataChannelClosed', { channelId }),
        message: (message) => this.dataOut.push(message),
      });
    }
    pc.onIceCandidate.subscribe((candidate) => this.onLocalCandidate(candidate));
    pc.iceConnectionStateChange.subscribe((state) => {
      this.raise('IceComponentStateChanged', { state: ICE_STATE[state] ?? 'FAILED', streamId: 1, componentId: 1 });
    });
    pc.connectionStateChange.subscribe((state) => this.onConnectionState(state));
    this.pc = pc;
    return pc;
  }

  private iceServers(): RTCIceServer[] {
    // NOTE: werift defaults to a public STUN server; we use only what the operator set.
    const servers: RTCIceServer[] = [];
    if (this.stunServerAddress) servers.push({ urls: `stun:${this.stunServerAddress}:${this.stunServerPort}` });
    if (this.turnUrl) {
      // KMS's form and KMS's reading of it (kmswebrtcsession.c): the user runs to the last
      // ':' before the password, so coturn's REST names ("expiry:who") pass whole; the
      // address is an IPv4 address.
      const m = /^(.+):(.+)@([0-9.]+):([0-9]+)(?:\?transport=(udp|tcp|tls))?$/.exec(this.turnUrl);
      if (m) {
        const transport = m[5] ? `?transport=${m[5]}` : '';
        servers.push({ urls: `turn:${m[3]}:${m[4]}${transport}`, username: m[1], credential: m[2] });
      } else {
        this.raiseError(
          'ICE_ERROR',
          "turnUrl not allowed. It must have this format: 'user:password@address:port(?transport=[udp|tcp|tls])'",
        );
      }
    }
    return servers;
  }

  private sendRemb(bitrate: number, ssrcs: number[]): void {
    const receiver = this.pc?.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    if (!receiver || this.released) return;
    const feedback = new ReceiverEstimatedMaxBitrate({
      senderSsrc: receiver.rtcpSsrc,
      mediaSsrc: 0,
      ssrcNum: ssrcs.length,
      ssrcFeedbacks: ssrcs,
      bitrate: BigInt(Math.round(bitrate)),
      ...rembFields(bitrate),
    });
    receiver.dtlsTransport
      ?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback })])
      .catch((err: unknown) => this.log.debug({ err }, 'REMB not sent'));
  }

  private onConnectionState(state: string): void {
    const dtls: Record<string, string> = {
      new: 'NEW',
      connecting: 'CONNECTING',
      connected: 'CONNECTED',
      failed: 'FAILED',
      closed: 'CLOSED',
      disconnected: 'CLOSED',
    };
    this.dtlsState = dtls[state] ?? 'FAILED';
    this.raise('DtlsConnectionStateChange', {
      state: this.dtlsState,
      streamId: '1',
      componentId: '1',
      connectionId: this.id,
    });
    const next = state === 'connected' ? 'CONNECTED' : 'DISCONNECTED';
    if (next !== this.connectionState) {
      this.raise('ConnectionStateChanged', { oldState: this.connectionState, newState: next });
      this.connectionState = next;
    }
    // The source's first keyframe went out before this sink could decrypt it: ask again.
    if (state === 'connected') {
      this.requestKeyframeUpstream('video');
      this.raiseSelectedPair();
    }
  }

  private raiseSelectedPair(): void {
    const candidatePair = this.selectedPair();
    if (candidatePair) this.raise('NewCandidatePairSelected', { candidatePair });
  }

  /** The nominated pair as KMS's IceCandidatePair (one stream, one component: BUNDLE + rtcp-mux). */
  private selectedPair(): Record<string, unknown> | undefined {
    const pair = this.pc?.iceTransports[0]?.getSelectedCandidatePair();
    if (!pair) return undefined;
    const line = (c: string): string => (c.startsWith('candidate:') ? c : `candidate:${c}`);
    return {
      streamId: '1',
      componentId: 1,
      localCandidate: line(pair.local.candidate),
      remoteCandidate: line(pair.remote.candidate),
      __module__: 'kurento',
      __type__: 'IceCandidatePair',
    };
  }

  private candidatePolicy(): CandidatePolicy {
    const configured = this.ctx.config.addresses;
    let addresses = configured.length > 0 ? configured : undefined;
    // KMS's networkInterfaces names interfaces ("eth0,lo"); candidates keep to their addresses.
    // An unknown name selects nothing, which is what the operator asked for.
    const names = this.networkInterfaces
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length > 0) {
      const nics = networkInterfaces();
      const named = names.flatMap((n) => (nics[n] ?? []).map((a) => a.address));
      addresses = addresses ? addresses.filter((a) => named.includes(a)) : named;
    }
    return {
      addresses,
      externalIPv4: this.externalIPv4 || undefined,
      externalIPv6: this.externalIPv6 || undefined,
    };
  }

  private markMediaConnected(): void {
    if (this.mediaState === 'DISCONNECTED') this.setMediaState('CONNECTED');
  }

  private setMediaState(next: 'CONNECTED' | 'DISCONNECTED'): void {
    this.raise('MediaStateChanged', { oldState: this.mediaState, newState: next });
    this.mediaState = next;
  }

  // ---- ICE -------------------------------------------------------------------------------

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    if (!candidate) {
      this.gatheringDone = true;
      this.maybeRaiseGatheringDone();
      return;
    }
    const line = announceCandidate(candidate.candidate, this.candidatePolicy());
    if (!line) return;
    const position = this.offerShape
      ? offeredPosition(this.offerShape, candidate.sdpMid)
      : { sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex ?? 0 };
    const wire = { candidate: line, ...position };
    this.localCandidates.push(wire);
    if (this.gatheringRequested) this.raiseCandidate(wire);
  }

  private raiseCandidate(c: IceCandidateWire): void {
    this.raise('IceCandidateFound', { candidate: { ...c, __module__: 'kurento', __type__: 'IceCandidate' } });
  }

  private maybeRaiseGatheringDone(): void {
    if (this.gatheringRequested && this.gatheringDone && !this.gatheringDoneRaised) {
      this.gatheringDoneRaised = true;
      if (this.localCandidates.length === 0) this.raiseError('ICE_GATHER_CANDIDATES_ERROR', this.noCandidateReason());
      this.raise('IceGatheringDone');
    }
  }

  /**
   * Why gathering found nothing. werift logs a failed bind and carries on, so without this
   * a user whose call found every port taken got an answer with no candidate and no error.
   */
  private noCandidateReason(): string {
    const range = this.ctx.config.portRange;
    return range
      ? `No ICE candidate could be gathered: no UDP port is free from ${range[0]} to ${range[1]} (ENGINE_MIN_PORT..ENGINE_MAX_PORT); the media server is at its limit of calls`
      : 'No ICE candidate could be gathered: no local address could be bound';
  }

  private gatherCandidates(): void {
    if (this.gatheringRequested) return;
    if (this.localSdp === undefined) {
      // KMS needs a local description first; so does werift.
      throw new KmsError('ICE_GATHER_CANDIDATES_ERROR', 'gatherCandidates needs a negotiated SDP first');
    }
    if (this.gatheringDone && this.localCandidates.length === 0) {
      throw new KmsError('NOT_ENOUGH_RESOURCES', this.noCandidateReason());
    }
    this.gatheringRequested = true;
    for (const c of this.localCandidates) this.raiseCandidate(c);
    this.maybeRaiseGatheringDone();
  }

  private async addIceCandidate(c: IceCandidateWire): Promise<void> {
    if (!this.pc || this.remoteSdp === undefined) {
      this.earlyRemoteCandidates.push(c);
      return;
    }
    try {
      // NOTE: a candidate names its section as the offer did; werift knows it by its own mid.
      const sdpMid = this.offerShape ? negotiatedMid(this.offerShape, c.sdpMid, c.sdpMLineIndex) : c.sdpMid;
      if (this.offerShape && sdpMid === undefined) return; // for a section answered rejected
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid, sdpMLineIndex: c.sdpMLineIndex });
    } catch (err) {
      throw new KmsError('ICE_ADD_CANDIDATE_ERROR', `The ICE candidate was rejected: ${errorText(err)}`);
    }
  }

  private async flushEarlyCandidates(): Promise<void> {
    const early = this.earlyRemoteCandidates.splice(0);
    for (const c of early) {
      await this.addIceCandidate(c).catch((err: unknown) => this.log.debug({ err }, 'early candidate rejected'));
    }
  }

  // ---- media -----------------------------------------------------------------------------

  protected override onKeyframeRequested(kind: MediaKind): void {
    const ssrc = this.remoteSsrc.get(kind);
    if (ssrc === undefined || !this.pc) return;
    const t = this.pc.getTransceivers().find((x) => x.kind === kind);
    t?.receiver.sendRtcpPLI(ssrc).catch((err: unknown) => this.log.debug({ err }, 'PLI not sent'));
  }

  /** What our peer says it can take of the video we send, within the send limits (kbps). */
  protected override sendEstimate(kind: MediaKind): number {
    if (kind !== 'video') return 0;
    return this.peerVideoEstimate.value({ min: this.minVideoSendBandwidth * 1000, max: this.maxVideoSendBandwidth * 1000 });
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    const sender = this.senders.get(kind);
    if (!sender || this.direction === 'recvonly') return;
    if (!this.codecMatches(kind, sender, source)) return;
    const { header } = packet;
    const restamper = this.restampers[kind];
    restamper.advance(header.ssrc, header.timestamp, header.sequenceNumber);
    const { timestamp, sequenceNumber } = restamper;
    if (this.forwarderOf(sender)?.send(timestamp, sequenceNumber, header.marker, packet.payload)) return;
    // NOTE: werift's sender rewrites SSRC, payload type, sequence and extensions in place, and
    // the same packet goes to every sink: give each its own header. Source extension ids mean
    // nothing on this connection, so they are dropped; the sender adds its own.
    const own = new RtpHeader({ ...header, extensions: [], timestamp, sequenceNumber });
    sender.sendRtp(new RtpPacket(own, packet.payload)).catch(() => undefined);
  }

  /** The fast forwarding path for a sender, once it has a codec (null: it needs sendRtp). */
  private forwarderOf(sender: RTCRtpSender): ForwardingSender | undefined {
    let forwarder = this.forwarders.get(sender);
    if (forwarder === undefined && sender.codec) {
      forwarder = ForwardingSender.for(sender, this.ctx.config.nativeSend ? nativeSend() : undefined) ?? null;
      this.forwarders.set(sender, forwarder);
    }
    return forwarder ?? undefined;
  }

  protected override onInputData(message: DataMessage): void {
    this.dataChannels?.send(message);
  }

  /** The data channels, once SCTP was negotiated; KMS refuses channel operations before. */
  private negotiatedDataChannels(): DataChannels {
    if (!this.dataChannels || this.remoteSdp === undefined || !this.pc?.sctpTransport) {
      throw new KmsError('MEDIA_OBJECT_OPERATION_NOT_SUPPORTED', 'Data channels are not supported');
    }
    return this.dataChannels;
  }

  /** Pass-through needs the same codec on both sides; say so once rather than send garbage. */
  private codecMatches(kind: MediaKind, sender: RTCRtpSender, source: RtpFanout): boolean {
    // Per packet and per sink: the common case is the same string, compared without copies.
    const want = sender.codec?.mimeType;
    const have = source.codec?.mimeType;
    if (!want || !have || want === have || want.toLowerCase() === have.toLowerCase()) return true;
    if (!this.codecMismatchReported.has(kind)) {
      this.codecMismatchReported.add(kind);
      this.raiseError(
        'CODEC_MISMATCH',
        `The source sends ${have} but this endpoint negotiated ${want}; the embedded media server does not transcode`,
        40212,
      );
    }
    return false;
  }

  private async stats(mediaType: unknown): Promise<Record<string, unknown>> {
    const kinds: MediaKind[] = mediaType === 'AUDIO' ? ['audio'] : mediaType === 'VIDEO' ? ['video'] : ['audio', 'video'];
    const report = this.pc ? await this.pc.getStats() : new Map();
    this.assertAlive();
    return toKmsStats(report.values() as Iterable<never>, {
      kinds,
      rembOut: this.remb.announced,
      rembIn: (kind) => Number(this.senders.get(kind)?.receiverEstimatedMaxBitrate ?? 0),
      outputs: this.outputs,
      elementId: this.id,
    });
  }

  protected override async dispose(): Promise<void> {
    this.remb.close();
    await super.dispose();
    this.dataChannels?.dispose();
    this.dataChannels = undefined;
    const pc = this.pc;
    this.pc = undefined;
    await pc?.close();
  }

  private assertAlive(): void {
    if (this.released) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${this.id}' was released`);
  }

  private registerOperations(): void {
    this.handle('processOffer', (p) => this.processOffer(p.offer as string));
    this.handle('generateOffer', () => this.generateOffer());
    this.handle('processAnswer', (p) => this.processAnswer(p.answer as string));
    this.handle('gatherCandidates', () => this.gatherCandidates());
    this.handle('addIceCandidate', (p) => this.addIceCandidate(p.candidate as IceCandidateWire));
    this.handle('getConnectionState', () => this.connectionState);
    this.handle('getMediaState', () => this.mediaState);
    this.handle('getStats', (p) => this.stats(p.mediaType));
    this.handle('createDataChannel', (p) =>
      this.negotiatedDataChannels().create({
        label: (p.label as string | undefined) ?? '',
        ordered: (p.ordered as boolean | undefined) ?? true,
        maxPacketLifeTime: (p.maxPacketLifeTime as number | undefined) ?? -1,
        maxRetransmits: (p.maxRetransmits as number | undefined) ?? -1,
        protocol: (p.protocol as string | undefined) ?? '',
      }),
    );
    this.handle('closeDataChannel', (p) => this.negotiatedDataChannels().close(p.channelId as number));
    this.handle('getICECandidatePairs', () => {
      const pair = this.selectedPair();
      return pair ? [pair] : [];
    });
    this.handle('getIceConnectionState', () => [
      {
        streamId: '1',
        componentId: 1,
        state: ICE_STATE[this.pc?.iceConnectionState ?? 'new'],
        __module__: 'kurento',
        __type__: 'IceConnection',
      },
    ]);
    this.handle('getDtlsConnectionState', () => [
      {
        streamId: '1',
        componentId: '1',
        connectionId: this.id,
        state: this.dtlsState,
        __module__: 'kurento',
        __type__: 'DtlsConnection',
      },
    ]);
    // The send limits bound what this endpoint, as a sink, asks of the publisher upstream
    // (sendEstimate): the engine forwards without encoding, so the publisher's rate is the
    // only one there is to limit.
    for (const prop of [
      'minVideoSendBandwidth',
      'maxVideoSendBandwidth',
      'stunServerAddress',
      'stunServerPort',
      'turnUrl',
      'minVideoRecvBandwidth',
      'maxVideoRecvBandwidth',
      'maxAudioRecvBandwidth',
      'externalIPv4',
      'externalIPv6',
      'networkInterfaces',
    ] as const) {
      const cap = prop.charAt(0).toUpperCase() + prop.slice(1);
      this.handle(`get${cap}`, () => this[prop]);
      this.handle(`set${cap}`, (p) => {
        (this as Record<typeof prop, unknown>)[prop] = p[prop];
      });
    }
  }
}

/** RTCP payload-specific feedback formats: 1 Picture Loss Indication, 4 Full Intra Request. */
const PLI_FMT = 1;
const FIR_FMT = 4;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
