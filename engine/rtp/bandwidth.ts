// Receiver-side bandwidth estimation, reported to the sender as REMB (as KMS does).
//
// Chrome takes the smaller of its own loss-based estimate and the receiver's REMB. With no
// feedback at all it stays near its start rate (about 450 kbps in a trial), so the engine
// must tell it how much it may send. The estimate follows what arrives and what is lost:
// it grows while loss stays low, holds under moderate loss, and falls to the rate actually
// received under heavy loss, within the endpoint's min/max receive bandwidth.

/** What one interval of received packets looked like. */
export interface ReceiveSample {
  /** Bits per second received over the interval. */
  bitrate: number;
  /** Fraction of expected packets that did not arrive, 0..1. */
  loss: number;
}

/** Counts bytes and sequence gaps of one RTP stream, and turns them into samples. */
export class ReceiveMeter {
  private bytes = 0;
  private received = 0;
  private highest: number | undefined; // extended sequence number
  private intervalBase: number | undefined;
  private intervalStart = Date.now();

  add(sequenceNumber: number, size: number): void {
    this.bytes += size;
    this.received++;
    if (this.highest === undefined) {
      this.highest = sequenceNumber;
      this.intervalBase = sequenceNumber - 1;
      return;
    }
    // Extend the 16-bit sequence number across wrap-around; late packets do not move it back.
    const last = this.highest & 0xffff;
    let delta = (sequenceNumber - last) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    if (delta > 0) this.highest += delta;
  }

  /** The sample since the last call, and a fresh interval. */
  take(now = Date.now()): ReceiveSample {
    const seconds = Math.max((now - this.intervalStart) / 1000, 0.001);
    const expected = this.highest !== undefined && this.intervalBase !== undefined ? this.highest - this.intervalBase : 0;
    const loss = expected > 0 ? Math.max(0, Math.min(1, (expected - this.received) / expected)) : 0;
    const sample = { bitrate: (this.bytes * 8) / seconds, loss };
    this.bytes = 0;
    this.received = 0;
    this.intervalBase = this.highest;
    this.intervalStart = now;
    return sample;
  }
}

export interface EstimatorLimits {
  /** bps; never announce less than this. */
  min: number;
  /** bps; 0 for no limit beyond the estimator's own ceiling. */
  max: number;
}

/** The estimate announced before anything is known: Chrome adopts it during its first seconds. */
export const START_BITRATE = 1_500_000;
/** A ceiling when the endpoint sets none: well above a 720p camera's rate. */
const DEFAULT_CEILING = 8_000_000;
const MIN_FLOOR = 30_000;
const GROWTH = 1.08;
/** The estimate may run ahead of what is received by this factor, to leave the sender room. */
const HEADROOM = 2;
const LOSS_HOLD = 0.02;
const LOSS_BACKOFF = 0.1;

export class BandwidthEstimator {
  private estimate = START_BITRATE;

  constructor(private readonly limits: () => EstimatorLimits) {}

  get current(): number {
    return this.clamp(this.estimate);
  }

  /** Folds in one interval's sample and returns the new estimate in bps. */
  update(sample: ReceiveSample): number {
    if (sample.loss > LOSS_BACKOFF) {
      this.estimate = sample.bitrate * (1 - 0.5 * sample.loss);
    } else if (sample.loss <= LOSS_HOLD) {
      const grown = this.estimate * GROWTH;
      this.estimate = Math.min(grown, Math.max(sample.bitrate * HEADROOM, START_BITRATE));
    }
    this.estimate = this.clamp(this.estimate);
    return this.estimate;
  }

  private clamp(bps: number): number {
    const { min, max } = this.limits();
    const ceiling = max > 0 ? max : DEFAULT_CEILING;
    return Math.round(Math.max(Math.max(min, MIN_FLOOR), Math.min(ceiling, bps)));
  }
}

/** KMS forgets a sink's estimate after this long without a new one (kmsutils.c). */
export const SINK_ESTIMATE_TTL_MS = 10_000;

/**
 * What one sink's peer says it can receive (its REMB), within the endpoint's send limits:
 * minVideoSendBandwidth is the floor one slow viewer cannot push the others below, and
 * maxVideoSendBandwidth the ceiling (KMS's BaseRtpEndpoint; 0 for none). KMS clamps the
 * same way before it hands the figure upstream (kmsremb.c, send_remb_event).
 */
export class PeerEstimate {
  private bps = 0;
  private at = 0;

  record(bps: number, now = Date.now()): void {
    this.bps = bps;
    this.at = now;
  }

  /** The clamped estimate, or 0 when the peer never sent one or went quiet. */
  value(limits: EstimatorLimits, now = Date.now()): number {
    if (this.bps <= 0 || now - this.at > SINK_ESTIMATE_TTL_MS) return 0;
    const floored = Math.max(this.bps, limits.min);
    return limits.max > 0 ? Math.min(floored, limits.max) : floored;
  }
}

/** REMB's bitrate field: an 18-bit mantissa and a 6-bit exponent. */
export function rembFields(bps: number): { brExp: number; brMantissa: number } {
  let brExp = 0;
  let mantissa = Math.max(0, Math.floor(bps));
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    brExp++;
  }
  return { brExp, brMantissa: mantissa };
}

/**
 * Owns one endpoint's REMB loop: meters the incoming video, updates the estimate once a
 * second and hands a REMB to `send`. What it announces is also held to what the sinks of
 * this video can take (`sinks`, 0 for no limit), but never below the receive floor: a
 * publisher sends no faster than its slowest viewer can follow, down to that viewer's
 * minVideoSendBandwidth (KMS: kms_remb_local_on_sending_rtcp). Stops with `close()`.
 */
export class RembFeedback {
  private readonly meter = new ReceiveMeter();
  private readonly estimator: BandwidthEstimator;
  private timer: NodeJS.Timeout | undefined;
  private mediaSsrcs = new Set<number>();
  /** The last estimate announced, in bps (0 before the first). */
  announced = 0;

  constructor(
    private readonly limits: () => EstimatorLimits,
    private readonly send: (bitrate: number, ssrcs: number[]) => void,
    private readonly sinks: () => number = () => 0,
  ) {
    this.estimator = new BandwidthEstimator(limits);
  }

  onPacket(ssrc: number, sequenceNumber: number, size: number): void {
    this.meter.add(sequenceNumber, size);
    if (!this.mediaSsrcs.has(ssrc)) {
      this.mediaSsrcs.add(ssrc);
      // Announce at once: Chrome adopts the receiver's estimate during its start phase.
      this.announce(this.estimator.current);
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.announce(this.estimator.update(this.meter.take())), 1000);
      this.timer.unref();
    }
  }

  private announce(estimate: number): void {
    const sinks = this.sinks();
    const bps = Math.round(Math.max(sinks > 0 ? Math.min(estimate, sinks) : estimate, this.limits().min, MIN_FLOOR));
    this.announced = bps;
    this.send(bps, [...this.mediaSsrcs]);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
