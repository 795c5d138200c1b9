// The embedded store: @seald-io/nedb collections, one append-only file each in DATA_DIR, so a
// laptop keeps its call history with nothing else installed.

import Datastore from '@seald-io/nedb';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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

type Doc<T> = T & { _id?: string };

export class EmbeddedStore implements Store {
  readonly kind = 'embedded';
  private readonly calls: Datastore<Doc<CallRecord>>;
  private readonly rooms: Datastore<Doc<RoomRecord>>;
  private readonly online: Datastore<Doc<Registration>>;
  private readonly stats: Datastore<Doc<StatsSnapshot>>;
  private readonly recordings: Datastore<Doc<RecordingRecord>>;

  constructor(private readonly dir: string) {
    const open = <T>(name: string): Datastore<Doc<T>> => new Datastore<Doc<T>>({ filename: join(dir, `${name}.db`) });
    this.calls = open('calls');
    this.rooms = open('rooms');
    this.online = open('registrations');
    this.stats = open('stats');
    this.recordings = open('recordings');
  }

  private get all(): Datastore<Doc<unknown>>[] {
    return [this.calls, this.rooms, this.online, this.stats, this.recordings] as Datastore<Doc<unknown>>[];
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await Promise.all(this.all.map((d) => d.loadDatabaseAsync()));
    await Promise.all([
      this.calls.ensureIndexAsync({ fieldName: 'id', unique: true }),
      this.calls.ensureIndexAsync({ fieldName: 'startedAt' }),
      this.rooms.ensureIndexAsync({ fieldName: 'name', unique: true }),
      this.online.ensureIndexAsync({ fieldName: 'name', unique: true }),
      this.stats.ensureIndexAsync({ fieldName: 'sessionId' }),
      this.recordings.ensureIndexAsync({ fieldName: 'id', unique: true }),
      this.recordings.ensureIndexAsync({ fieldName: 'createdAt' }),
    ]);
    // Online state belongs to the previous run's sockets, which are gone.
    await this.online.removeAsync({}, { multi: true });
    await this.calls.updateAsync(
      { endedAt: { $exists: false } },
      { $set: { endedAt: new Date(), endReason: 'disconnected' } },
      { multi: true },
    );
    const now = new Date();
    const rooms = await this.rooms.findAsync({});
    for (const r of rooms) {
      if (r.participants.some((p) => !p.leftAt)) {
        const participants = r.participants.map((p) => (p.leftAt ? p : { ...p, leftAt: now }));
        await this.rooms.updateAsync({ name: r.name }, { $set: { participants } });
      }
    }
    // Compact the append-only files once per start.
    await Promise.all(this.all.map((d) => d.compactDatafileAsync()));
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((d) => d.compactDatafileAsync().catch(() => undefined)));
  }

  /** Reachable while its files' directory is there to write to (a volume can go away). */
  async ping(): Promise<boolean> {
    return access(this.dir, constants.W_OK).then(
      () => true,
      () => false,
    );
  }

  async setOnline(name: string, at = new Date()): Promise<void> {
    await this.online.updateAsync({ name }, { name, onlineSince: at }, { upsert: true });
  }

  async setOffline(name: string): Promise<void> {
    await this.online.removeAsync({ name }, {});
  }

  async listOnline(): Promise<Registration[]> {
    return (await this.online.findAsync({}).sort({ name: 1 })).map(strip);
  }

  async startCall(call: Omit<CallRecord, 'id'>): Promise<string> {
    const id = randomUUID();
    await this.calls.insertAsync({ ...call, id });
    return id;
  }

  async addCallParticipant(id: string, name: string): Promise<void> {
    await this.calls.updateAsync({ id }, { $addToSet: { participants: name } });
  }

  async endCall(id: string, reason: EndReason, at = new Date()): Promise<void> {
    await this.calls.updateAsync({ id, endedAt: { $exists: false } }, { $set: { endedAt: at, endReason: reason } });
  }

  async getCall(id: string): Promise<CallRecord | undefined> {
    const doc = await this.calls.findOneAsync({ id });
    return doc ? strip(doc) : undefined;
  }

  async listCalls({ limit, offset }: PageQuery): Promise<Page<CallRecord>> {
    const [items, total] = await Promise.all([
      this.calls.findAsync({}).sort({ startedAt: -1 }).skip(offset).limit(limit),
      this.calls.countAsync({}),
    ]);
    return { items: items.map(strip), total, limit, offset };
  }

  async joinRoom(room: string, kind: CallKind, participant: string, at = new Date()): Promise<void> {
    const existing = await this.rooms.findOneAsync({ name: room });
    const entry = { name: participant, joinedAt: at };
    if (!existing) {
      await this.rooms.insertAsync({ name: room, kind, createdAt: at, participants: [entry] }).catch(async () => {
        // A concurrent first join created it: join that one.
        await this.rooms.updateAsync({ name: room }, { $push: { participants: entry } });
      });
      return;
    }
    await this.rooms.updateAsync({ name: room }, { $push: { participants: entry } });
  }

  async leaveRoom(room: string, participant: string, at = new Date()): Promise<void> {
    const doc = await this.rooms.findOneAsync({ name: room });
    if (!doc) return;
    const participants = doc.participants.map((p) => (p.name === participant && !p.leftAt ? { ...p, leftAt: at } : p));
    await this.rooms.updateAsync({ name: room }, { $set: { participants } });
  }

  async listRooms({ limit, offset }: PageQuery): Promise<Page<RoomRecord>> {
    const [items, total] = await Promise.all([
      this.rooms.findAsync({}).sort({ createdAt: -1 }).skip(offset).limit(limit),
      this.rooms.countAsync({}),
    ]);
    return { items: items.map(strip), total, limit, offset };
  }

  async addRecording(recording: RecordingRecord): Promise<void> {
    await this.recordings.insertAsync({ ...recording });
  }

  async getRecording(id: string): Promise<RecordingRecord | undefined> {
    const doc = await this.recordings.findOneAsync({ id });
    return doc ? strip(doc) : undefined;
  }

  async listRecordings({ limit, offset }: PageQuery): Promise<Page<RecordingRecord>> {
    const [items, total] = await Promise.all([
      this.recordings.findAsync({}).sort({ createdAt: -1 }).skip(offset).limit(limit),
      this.recordings.countAsync({}),
    ]);
    return { items: items.map(strip), total, limit, offset };
  }

  async allRecordingFiles(): Promise<Pick<RecordingRecord, 'id' | 'file' | 'thumbnail'>[]> {
    const docs = await this.recordings.findAsync({}, { id: 1, file: 1, thumbnail: 1, _id: 0 });
    return docs.map(strip);
  }

  async deleteRecording(id: string): Promise<boolean> {
    return (await this.recordings.removeAsync({ id }, {})) > 0;
  }

  async prune({ before, maxCalls }: Retention): Promise<number> {
    const ended = { endedAt: { $exists: true } };
    const old = await this.calls.findAsync({ ...ended, startedAt: { $lt: before } });
    const kept = (await this.calls.countAsync(ended)) - old.length;
    const surplus =
      kept > maxCalls
        ? await this.calls
            .findAsync({ ...ended, startedAt: { $gte: before } })
            .sort({ startedAt: 1 })
            .limit(kept - maxCalls)
        : [];
    const ids = [...old, ...surplus].map((c) => c.id);
    if (ids.length > 0) {
      await this.calls.removeAsync({ id: { $in: ids } }, { multi: true });
      await this.stats.removeAsync({ sessionId: { $in: ids } }, { multi: true });
    }
    // A room with someone still in it is live, whatever its age.
    // NOTE: nedb takes $not at the top level only (MongoDB takes it on the field).
    await this.rooms.removeAsync(
      { createdAt: { $lt: before }, $not: { participants: { $elemMatch: { leftAt: { $exists: false } } } } },
      { multi: true },
    );
    return ids.length;
  }

  async addStats(snapshot: StatsSnapshot): Promise<void> {
    await this.stats.insertAsync({ ...snapshot });
  }

  async listStats(sessionId: string, { limit, offset }: PageQuery): Promise<Page<StatsSnapshot>> {
    const [items, total] = await Promise.all([
      this.stats.findAsync({ sessionId }).sort({ at: 1 }).skip(offset).limit(limit),
      this.stats.countAsync({ sessionId }),
    ]);
    return { items: items.map(strip), total, limit, offset };
  }
}

function strip<T>(doc: Doc<T>): T {
  const { _id, ...rest } = doc;
  void _id;
  return rest as T;
}
