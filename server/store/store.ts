// The session metadata store: one interface, two implementations (MongoDB when MONGODB_URL
// is set, an embedded file-backed store otherwise), one contract test suite for both.
// History (calls, rooms, stats) survives a restart; online state (registrations) is rebuilt
// empty at start-up, and calls a previous run left open are closed as `disconnected`.

export type CallKind = 'one2one' | 'one2many' | 'groupcall';
/**
 * Why a call ended. 'media-server-lost': the media server holding it died, restarted or stayed
 * unreachable; 'ended-by-operator': through the operator's API.
 */
export type EndReason = 'hang-up' | 'rejected' | 'busy' | 'disconnected' | 'error' | 'media-server-lost' | 'ended-by-operator';

export interface CallRecord {
  id: string;
  kind: CallKind;
  /** one2many and group calls: the room's name. */
  room?: string;
  participants: string[];
  startedAt: Date;
  endedAt?: Date;
  endReason?: EndReason;
}

export interface RoomRecord {
  name: string;
  kind: CallKind;
  createdAt: Date;
  participants: { name: string; joinedAt: Date; leftAt?: Date }[];
}

export interface Registration {
  name: string;
  onlineSince: Date;
}

export interface StatsSnapshot {
  /** The call (or broadcast, or room) the endpoint belongs to. */
  sessionId: string;
  /** Whose stream: the participant's name. */
  participant: string;
  at: Date;
  bitrateInKbps: number;
  bitrateOutKbps: number;
  /** Fraction of packets lost, 0..1, since the previous snapshot. */
  packetLoss: number;
  /** Round-trip time of the outgoing video; absent while the media server has measured none. */
  rttMs?: number;
  width: number;
  height: number;
}

/** A file in the media repository (MEDIA_DIR) and where it came from. */
export interface RecordingRecord {
  id: string;
  /** The file's name inside MEDIA_DIR, made by the server, never by a user. */
  file: string;
  profile: string;
  sizeBytes: number;
  durationMs: number;
  createdAt: Date;
  /** The demo that made it, and its call or session when there is one. */
  demo: string;
  sessionId?: string;
  participants: string[];
  /** A JPEG frame from the file, next to it in MEDIA_DIR, when one could be taken. */
  thumbnail?: string;
}

export interface PageQuery {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** How much history is kept: ended calls (with their stats) and empty rooms. */
export interface Retention {
  /** Ended calls that started before this, and empty rooms created before it, go. */
  before: Date;
  /** Of the ended calls, at most this many, the newest, are kept. */
  maxCalls: number;
}

export interface Store {
  readonly kind: 'mongodb' | 'embedded';
  /** Connects, creates indexes, and clears the online state a previous run left. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Answers whether the store can be reached now (for /readyz). */
  ping(): Promise<boolean>;

  setOnline(name: string, at?: Date): Promise<void>;
  setOffline(name: string): Promise<void>;
  listOnline(): Promise<Registration[]>;

  /** Records a call (one refused outright comes with its end already); returns its id. */
  startCall(call: Omit<CallRecord, 'id'>): Promise<string>;
  /** Adds a participant to a call's list (a group call grows as people join). */
  addCallParticipant(id: string, name: string): Promise<void>;
  endCall(id: string, reason: EndReason, at?: Date): Promise<void>;
  getCall(id: string): Promise<CallRecord | undefined>;
  /** Newest first. */
  listCalls(page: PageQuery): Promise<Page<CallRecord>>;

  /** Creates the room record on first join. */
  joinRoom(room: string, kind: CallKind, participant: string, at?: Date): Promise<void>;
  leaveRoom(room: string, participant: string, at?: Date): Promise<void>;
  listRooms(page: PageQuery): Promise<Page<RoomRecord>>;

  addRecording(recording: RecordingRecord): Promise<void>;
  getRecording(id: string): Promise<RecordingRecord | undefined>;
  /** Newest first. */
  listRecordings(page: PageQuery): Promise<Page<RecordingRecord>>;
  /** Every recording's id and files, for the start-up check against MEDIA_DIR. */
  allRecordingFiles(): Promise<Pick<RecordingRecord, 'id' | 'file' | 'thumbnail'>[]>;
  /** Returns whether there was such a recording. */
  deleteRecording(id: string): Promise<boolean>;

  /** Deletes history beyond the retention; calls still open are never touched. Returns how many calls went. */
  prune(retention: Retention): Promise<number>;

  addStats(snapshot: StatsSnapshot): Promise<void>;
  /** Oldest first, for a chart. */
  listStats(sessionId: string, page: PageQuery): Promise<Page<StatsSnapshot>>;
}
