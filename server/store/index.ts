// Chooses the store from the configuration: MongoDB when MONGODB_URL is set, else the
// embedded file-backed store in DATA_DIR.

import { EmbeddedStore } from './embedded-store';
import { MongoStore } from './mongo-store';
import type { Store } from './store';

export function createStore(config: { MONGODB_URL?: string; DATA_DIR: string }): Store {
  return config.MONGODB_URL ? new MongoStore(config.MONGODB_URL) : new EmbeddedStore(config.DATA_DIR);
}

export type { Store } from './store';
