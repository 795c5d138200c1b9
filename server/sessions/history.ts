// What the demos write to the store: call history, rooms, registrations and periodic stats
// snapshots. The store is a record, not part of the call: a write that fails is logged, and
// the call goes on.

import type { Logger } from '../logging';
import type { Webhooks } from '../webhooks/webhooks';
import type { KmsStats, WebRtcEndpoint } from '../kurento/client';
import { statsTotals, type StatsTotals } from '../kurento/stats-totals';
import type { CallKind, EndReason, Store } from '../store/store';

export class History {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Where the calls' life cycle is announced, whether or not the store took it. */
    private readonly webhooks?: Pick<Webhooks, 'emit'>,
  ) {}

  private guard<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    return work().catch((err: unknown) => {
      this.log.warn({ err, what }, 'store write failed; the call goes on');
      return undefined;
    });
  }

  async callStarted(kind: CallKind, participants: string[], room?: string): Promise<string | undefined> {
    const id = await this.guard('call start', () =>
      this.store.startCall({ kind, participants, startedAt: new Date(), ...(room ? { room } : {}) }),
    );
    this.webhooks?.emit('sessionCreated', { sessionId: id ?? null, kind, ...(room ? { room } : {}), participants });
    return id;
  }

  async participantAdded(id: string | undefined, name: string): Promise<void> {
    this.webhooks?.emit('participantJoined', { sessionId: id ?? null, participant: name });
    if (id) await this.guard('call participant', () => this.store.addCallParticipant(id, name));
  }

  /** A participant left a session that goes on (a group call's room). */
  participantLeft(id: string | undefined, name: string): void {
    this.webhooks?.emit('participantLeft', { sessionId: id ?? null, participant: name });
  }

  async callEnded(id: string | undefined, reason: EndReason): Promise<void> {
    this.webhooks?.emit('sessionDestroyed', { sessionId: id ?? null, reason });
    if (id) await this.guard('call end', () => this.store.endCall(id, reason));
  }

  /** A call that never started: rejected or busy. */
  async callRefused(kind: CallKind, participants: string[], reason: 'rejected' | 'busy'): Promise<void> {
    const now = new Date();
    await this.guard('call refused', () =>
      this.store.startCall({ kind, participants, startedAt: now, endedAt: now, endReason: reason }),
    );
  }

  online(name: string): Promise<void | undefined> {
    return this.guard('registration', () => this.store.setOnline(name));
  }

  offline(name: string): Promise<void | undefined> {
    return this.guard('registration', () => this.store.setOffline(name));
  }

  joined(room: string, kind: CallKind, participant: string): Promise<void | undefined> {
    return this.guard('room join', () => this.store.joinRoom(room, kind, participant));
  }

  left(room: string, participant: string): Promise<void | undefined> {
    return this.guard('room leave', () => this.store.leaveRoom(room, participant));
  }

  /** Starts taking a stats snapshot of `endpoint` every `seconds`; returns the stopper. */
  recordStats(sessionId: string | undefined, participant: string, endpoint: WebRtcEndpoint, seconds: number): () => void {
    if (!sessionId) return () => undefined;
    const sampler = new StatsSampler();
    let stopped = false;
    const timer = setInterval(() => {
      void sampler
        .sample(endpoint)
        .then((s) => (s ? this.guard('stats', () => this.store.addStats({ sessionId, participant, ...s })) : undefined))
        .catch((err: unknown) => {
          // A sample in flight when the call ended meets a released endpoint: expected, and quiet.
          if (!stopped) this.log.warn({ err, sessionId, participant }, 'stats sample failed');
        });
    }, seconds * 1000);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}

interface Totals extends StatsTotals {
  at: number;
}

/** Turns cumulative KMS counters into per-interval rates. */
export class StatsSampler {
  private last: Totals | undefined;

  async sample(endpoint: WebRtcEndpoint) {
    const [video, audio] = await Promise.all([endpoint.getStats('VIDEO'), endpoint.getStats('AUDIO')]);
    const totals: Totals = { at: Date.now(), ...statsTotals([...Object.values(video), ...Object.values(audio)]) };
    const prev = this.last;
    this.last = totals;
    if (!prev) return undefined;
    const seconds = Math.max(0.001, (totals.at - prev.at) / 1000);
    const bitrateInKbps = ((totals.bytesIn - prev.bytesIn) * 8) / seconds / 1000;
    const bitrateOutKbps = ((totals.bytesOut - prev.bytesOut) * 8) / seconds / 1000;
    // Snapshots are taken while media flows, not for an idle endpoint.
    if (bitrateInKbps <= 0 && bitrateOutKbps <= 0) return undefined;
    const expected = totals.packetsIn - prev.packetsIn + (totals.lostIn - prev.lostIn);
    const track = Object.values(video).find((s: KmsStats) => s.type === 'track');
    const outbound = Object.values(video).find((s: KmsStats) => s.type === 'outboundrtp');
    const rtt = outbound?.roundTripTime === undefined ? NaN : Number(outbound.roundTripTime);
    return {
      at: new Date(totals.at),
      bitrateInKbps: Math.round(bitrateInKbps),
      bitrateOutKbps: Math.round(bitrateOutKbps),
      packetLoss: expected > 0 ? Math.max(0, totals.lostIn - prev.lostIn) / expected : 0,
      // No round trip measured yet is "unknown", not 0 ms.
      ...(Number.isFinite(rtt) && rtt >= 0 ? { rttMs: Math.round(rtt * 1000) } : {}),
      width: Number(track?.frameWidth) || 0,
      height: Number(track?.frameHeight) || 0,
    };
  }
}
