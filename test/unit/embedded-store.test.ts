// The store contract against the embedded (nedb, file-backed) store.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../server/store/embedded-store';
import type { Store } from '../../server/store/store';
import { storeContract } from '../store/contract';

describe('embedded store', () => {
  const dirs: string[] = [];
  let current: { dir: string; store: Store } | undefined;

  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  storeContract(() => ({
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'stage-store-'));
      dirs.push(dir);
      const store = new EmbeddedStore(dir);
      await store.open();
      current = { dir, store };
      return store;
    },
    async reopen() {
      await current!.store.close();
      const store = new EmbeddedStore(current!.dir);
      await store.open();
      current = { dir: current!.dir, store };
      return store;
    },
  }));
});
