// The store contract against MongoDB 7, started by testcontainers. Without Docker it skips
// and says why.

import type { StartedTestContainer } from 'testcontainers';
import { MongoStore } from '../../server/store/mongo-store';
import type { Store } from '../../server/store/store';
import { describeWithDocker } from '../helpers/docker';
import { storeContract } from '../store/contract';

describeWithDocker('MongoDB store (testcontainers)', () => {
  let container: StartedTestContainer | undefined;
  let db = 0;
  let current: { url: string; store: Store } | undefined;

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer('mongo:7').withExposedPorts(27017).withWaitStrategy(Wait.forListeningPorts()).start();
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  storeContract(() => ({
    async fresh() {
      const url = `mongodb://${container!.getHost()}:${container!.getMappedPort(27017)}/contract${++db}`;
      const store = new MongoStore(url);
      await store.open();
      current = { url, store };
      return store;
    },
    async reopen() {
      await current!.store.close();
      const store = new MongoStore(current!.url);
      await store.open();
      current = { url: current!.url, store };
      return store;
    },
  }));
});
