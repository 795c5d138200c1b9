// The MongoDB store, through the official driver: one collection per record kind, indexes
// created at start-up, history kept across restarts and online state cleared.

import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Db } from 'mongodb';
import type {
  Retention,
  CallKind,
  CallRecord,
  EndReason,
  Page,
  PageQuery,
  RecordingRecord,
  Registration,
  RoomRecord,
  StatsSnapshot,
  Store,
} from './store';

const NO_ID = { projection: { _id: 0 } } as const;

export class MongoStore implements Store {
  readonly kind = 'mongodb';
  private readonly client: MongoClient;
  private db!: Db;

  constructor(url: string) {
    // Fail fast when MongoDB is unreachable rather than queueing requests for 30 s.
    this.client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  }

  private get calls(): Collection<CallRecord> {
    return this.db.collection<CallRecord>('calls');
  }
  private get rooms(): Collection<RoomRecord> {
    return this.db.collection<RoomRecord>('rooms');
  }
  private get online(): Collection<Registration> {
    return this.db.collection<Registration>('registrations');
  }
  private get stats(): Collection<StatsSnapshot> {
    return this.db.collection<StatsSnapshot>('stats');
  }

  private get recordings(): Collection<RecordingRecord> {
    return this.db.collection<RecordingRecord>('recordings');
  }

  async open(): Promise<void> {
    await this.client.connect();
    // The database named in the URL, or `kurento-stage`.
    this.db = this.client.db(this.client.options.dbName === 'test' ? 'kurento-stage' : undefined);
    await Promise.all([
      this.calls.createIndex({ id: 1 }, { unique: true }),
      this.calls.createIndex({ startedAt: -1 }),
      this.rooms.createIndex({ name: 1 }, { unique: true }),
      this.rooms.createIndex({ createdAt: -1 }),
      this.online.createIndex({ name: 1 }, { unique: true }),
      this.stats.createIndex({ sessionId: 1, at: 1 }),
      this.recordings.createIndex({ id: 1 }, { unique: true }),
      this.recordings.createIndex({ createdAt: -1 }),
    ]);
    const now = new Date();
    await this.online.deleteMany({});
    await this.calls.updateMany({ endedAt: { $exists: false } }, { $set: { endedAt: now, endReason: 'disconnected' } });
    await this.rooms.updateMany(
      { 'participants.leftAt': { $exists: false } },
      { $set: { 'participants.$[open].leftAt': now } },
      { arrayFilters: [{ 'open.leftAt': { $exists: false } }] },
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async setOnline(name: string, at = new Date()): Promise<void> {
    await this.online.updateOne({ name }, { $set: { name, onlineSince: at } }, { upsert: true });
  }

  async setOffline(name: string): Promise<void> {
    await this.online.deleteOne({ name });
  }

  async listOnline(): Promise<Registration[]> {
    return this.online.find({}, NO_ID).sort({ name: 1 }).toArray();
  }

  async startCall(call: Omit<CallRecord, 'id'>): Promise<string> {
    const id = randomUUID();
    await this.calls.insertOne({ ...call, id });
    return id;
  }

  async addCallParticipant(id: string, name: string): Promise<void> {
    await this.calls.updateOne({ id }, { $addToSet: { participants: name } });
  }

  async endCall(id: string, reason: EndReason, at = new Date()): Promise<void> {
    await this.calls.updateOne({ id, endedAt: { $exists: false } }, { $set: { endedAt: at, endReason: reason } });
  }

  async getCall(id: string): Promise<CallRecord | undefined> {
    return (await this.calls.findOne({ id }, NO_ID)) ?? undefined;
  }

  async listCalls({ limit, offset }: PageQuery): Promise<Page<CallRecord>> {
    const [items, total] = await Promise.all([
      this.calls.find({}, NO_ID).sort({ startedAt: -1 }).skip(offset).limit(limit).toArray(),
      this.calls.countDocuments({}),
    ]);
    return { items, total, limit, offset };
  }

  async joinRoom(room: string, kind: CallKind, participant: string, at = new Date()): Promise<void> {
    // Upsert: concurrent first joins make one room.
    await this.rooms.updateOne(
      { name: room },
      { $setOnInsert: { name: room, kind, createdAt: at }, $push: { participants: { name: participant, joinedAt: at } } },
      { upsert: true },
    );
  }

  async leaveRoom(room: string, participant: string, at = new Date()): Promise<void> {
    await this.rooms.updateOne(
      { name: room },
      { $set: { 'participants.$[p].leftAt': at } },
      { arrayFilters: [{ 'p.name': participant, 'p.leftAt': { $exists: false } }] },
    );
  }

  async listRooms({ limit, offset }: PageQuery): Promise<Page<RoomRecord>> {
    const [items, total] = await Promise.all([
      this.rooms.find({}, NO_ID).sort({ createdAt: -1 }).skip(offset).limit(limit).toArray(),
      this.rooms.countDocuments({}),
    ]);
    return { items, total, limit, offset };
  }

  async addRecording(recording: RecordingRecord): Promise<void> {
    await this.recordings.insertOne({ ...recording });
  }

  async getRecording(id: string): Promise<RecordingRecord | undefined> {
    return (await this.recordings.findOne({ id }, NO_ID)) ?? undefined;
  }

  async listRecordings({ limit, offset }: PageQuery): Promise<Page<RecordingRecord>> {
    const [items, total] = await Promise.all([
      this.recordings.find({}, NO_ID).sort({ createdAt: -1 }).skip(offset).limit(limit).toArray(),
      this.recordings.countDocuments({}),
    ]);
    return { items, total, limit, offset };
  }

  async allRecordingFiles(): Promise<Pick<RecordingRecord, 'id' | 'file' | 'thumbnail'>[]> {
    return this.recordings.find({}, { projection: { _id: 0, id: 1, file: 1, thumbnail: 1 } }).toArray();
  }

  async deleteRecording(id: string): Promise<boolean> {
    return (await this.recordings.deleteOne({ id })).deletedCount > 0;
  }

  async prune({ before, maxCalls }: Retention): Promise<number> {
    const ended = { endedAt: { $exists: true } };
    const old = await this.calls.find({ ...ended, startedAt: { $lt: before } }, { projection: { id: 1 } }).toArray();
    const kept = (await this.calls.countDocuments(ended)) - old.length;
    const surplus =
      kept > maxCalls
        ? await this.calls
            .find({ ...ended, startedAt: { $gte: before } }, { projection: { id: 1 } })
            .sort({ startedAt: 1 })
            .limit(kept - maxCalls)
            .toArray()
        : [];
    const ids = [...old, ...surplus].map((c) => c.id);
    if (ids.length > 0) {
      await this.calls.deleteMany({ id: { $in: ids } });
      await this.stats.deleteMany({ sessionId: { $in: ids } });
    }
    // A room with someone still in it is live, whatever its age.
    await this.rooms.deleteMany({
      createdAt: { $lt: before },
      participants: { $not: { $elemMatch: { leftAt: { $exists: false } } } },
    });
    return ids.length;
  }

  async addStats(snapshot: StatsSnapshot): Promise<void> {
    await this.stats.insertOne({ ...snapshot });
  }

  async listStats(sessionId: string, { limit, offset }: PageQuery): Promise<Page<StatsSnapshot>> {
    const [items, total] = await Promise.all([
      this.stats.find({ sessionId }, NO_ID).sort({ at: 1 }).skip(offset).limit(limit).toArray(),
      this.stats.countDocuments({ sessionId }),
    ]);
    return { items, total, limit, offset };
  }
}
