// This application's version, as package.json gives it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths';

export const APP_VERSION = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
