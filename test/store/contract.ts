// The store contract: what every Store implementation must do, run against each of them
// (embedded here, MongoDB under testcontainers). `reopen` makes a new Store on the same data,
// as a server restart does.

import type { Store } from '../../server/store/store';

export interface StoreFactory {
  /** A store on fresh, empty data. */
  fresh(): Promise<Store>;
  /** A second store on the data of the last `fresh()` one (that one is closed first). */
  reopen(): Promise<Store>;
}

export function storeContract(factory: () => StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await factory().fresh();
  });

  afterEach(async () => {
    await store.close();
  });

  test('calls: started, ended once, listed newest first with pagination', async () => {
    const t0 = new Date('2026-01-01T10:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await store.startCall({
          kind: 'one2one',
          participants: [`a${i}`, `b${i}`],
          startedAt: new Date(t0.getTime() + i * 1000),
        }),
      );
    }
    await store.addCallParticipant(ids[1]!, 'c1');
    await store.addCallParticipant(ids[1]!, 'c1'); // once only
    await store.endCall(ids[1]!, 'rejected', new Date(t0.getTime() + 1500));
    await store.endCall(ids[1]!, 'error'); // a second end changes nothing
    const call = await store.getCall(ids[1]!);
    expect(call).toMatchObject({ id: ids[1], kind: 'one2one', participants: ['a1', 'b1', 'c1'], endReason: 'rejected' });
    expect(call?.endedAt?.getTime()).toBe(t0.getTime() + 1500);

    const page = await store.listCalls({ limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.items.map((c) => c.id)).toEqual([ids[3], ids[2]]);
    expect(await store.getCall('no-such-call')).toBeUndefined();
  });

  test('prune: ended calls past the age or beyond the count go with their stats; open calls and live rooms stay', async () => {
    const day = 24 * 3600 * 1000;
    const now = new Date('2026-06-01T00:00:00Z').getTime();
    const call = async (ageDays: number, ended: boolean): Promise<string> => {
      const startedAt = new Date(now - ageDays * day);
      const id = await store.startCall({ kind: 'one2one', participants: ['a', 'b'], startedAt });
      if (ended) await store.endCall(id, 'busy', startedAt);
      await store.addStats({
        sessionId: id,
        participant: 'a',
        at: startedAt,
        bitrateInKbps: 1,
        bitrateOutKbps: 1,
        packetLoss: 0,
        width: 1,
        height: 1,
      });
      return id;
    };
    const ancient = await call(100, true);
    const ancientButOpen = await call(100, false);
    const recent = [await call(3, true), await call(2, true), await call(1, true)];
    await store.joinRoom('old-empty', 'groupcall', 'ann', new Date(now - 100 * day));
    await store.leaveRoom('old-empty', 'ann', new Date(now - 100 * day));
    await store.joinRoom('old-live', 'groupcall', 'ben', new Date(now - 100 * day));

    const removed = await store.prune({ before: new Date(now - 30 * day), maxCalls: 2 });
    expect(removed).toBe(2); // the ancient one, and the oldest recent one beyond the two kept
    const left = (await store.listCalls({ limit: 10, offset: 0 })).items.map((c) => c.id).sort();
    expect(left).toEqual([ancientButOpen, recent[1], recent[2]].sort());
    expect((await store.listStats(ancient, { limit: 10, offset: 0 })).total).toBe(0);
    expect((await store.listStats(recent[0]!, { limit: 10, offset: 0 })).total).toBe(0);
    expect((await store.listStats(recent[2]!, { limit: 10, offset: 0 })).total).toBe(1);
    expect((await store.listRooms({ limit: 10, offset: 0 })).items.map((r) => r.name)).toEqual(['old-live']);
  });

  test('rooms: created on first join, with join and leave times', async () => {
    await Promise.all([store.joinRoom('blue', 'groupcall', 'ann'), store.joinRoom('blue', 'groupcall', 'ben')]);
    await store.leaveRoom('blue', 'ann');
    const { items, total } = await store.listRooms({ limit: 10, offset: 0 });
    expect(total).toBe(1);
    const room = items[0]!;
    expect(room.name).toBe('blue');
    expect(room.participants.map((p) => p.name).sort()).toEqual(['ann', 'ben']);
    expect(room.participants.find((p) => p.name === 'ann')?.leftAt).toBeInstanceOf(Date);
    expect(room.participants.find((p) => p.name === 'ben')?.leftAt).toBeUndefined();
  });

  test('stats snapshots: per session, oldest first', async () => {
    for (let i = 0; i < 3; i++) {
      await store.addStats({
        sessionId: 's1',
        participant: 'ann',
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i * 10)),
        bitrateInKbps: 1000 + i,
        bitrateOutKbps: 900,
        packetLoss: 0,
        rttMs: 3,
        width: 640,
        height: 480,
      });
    }
    const page = await store.listStats('s1', { limit: 10, offset: 0 });
    expect(page.total).toBe(3);
    expect(page.items.map((s) => s.bitrateInKbps)).toEqual([1000, 1001, 1002]);
    expect((await store.listStats('other', { limit: 10, offset: 0 })).total).toBe(0);
  });

  test('stats snapshots: an unmeasured round trip stays unknown, not 0 ms', async () => {
    const snapshot = {
      sessionId: 's2',
      participant: 'ann',
      at: new Date(Date.UTC(2026, 0, 1)),
      bitrateInKbps: 1000,
      bitrateOutKbps: 900,
      packetLoss: 0.25,
      width: 640,
      height: 480,
    };
    await store.addStats(snapshot);
    const [read] = (await store.listStats('s2', { limit: 10, offset: 0 })).items;
    expect(read?.packetLoss).toBe(0.25);
    expect(read).not.toHaveProperty('rttMs');
  });

  test('recordings: newest first, read by id, deleted once', async () => {
    const base = { profile: 'WEBM', sizeBytes: 1000, durationMs: 5000, demo: 'recording', participants: ['ann'] };
    for (let i = 0; i < 3; i++) {
      await store.addRecording({ ...base, id: `r${i}`, file: `r${i}.webm`, createdAt: new Date(Date.UTC(2026, 0, 1, i)) });
    }
    const page = await store.listRecordings({ limit: 2, offset: 0 });
    expect(page.total).toBe(3);
    expect(page.items.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect((await store.getRecording('r0'))?.file).toBe('r0.webm');
    expect((await store.allRecordingFiles()).map((r) => r.file).sort()).toEqual(['r0.webm', 'r1.webm', 'r2.webm']);
    expect(await store.deleteRecording('r1')).toBe(true);
    expect(await store.deleteRecording('r1')).toBe(false);
    expect(await store.getRecording('r1')).toBeUndefined();
  });

  test('a restart keeps the history and rebuilds online state empty', async () => {
    await store.setOnline('ann');
    await store.setOnline('ben');
    await store.setOffline('ben');
    expect((await store.listOnline()).map((r) => r.name)).toEqual(['ann']);
    const finished = await store.startCall({ kind: 'one2one', participants: ['ann', 'ben'], startedAt: new Date() });
    await store.endCall(finished, 'hang-up');
    const open = await store.startCall({ kind: 'one2many', room: 'r', participants: ['ann'], startedAt: new Date() });
    await store.joinRoom('r', 'one2many', 'ann');

    store = await factory().reopen();
    expect(await store.listOnline()).toEqual([]);
    expect((await store.getCall(finished))?.endReason).toBe('hang-up');
    // A call the previous run never ended was cut off by the restart.
    expect((await store.getCall(open))?.endReason).toBe('disconnected');
    const room = (await store.listRooms({ limit: 1, offset: 0 })).items[0];
    expect(room?.participants[0]?.leftAt).toBeInstanceOf(Date);
  });
}
