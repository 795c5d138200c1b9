// The one ServerManager object (id "manager_ServerManager", as in KMS): what the server is,
// which pipelines and sessions it holds, and how much CPU and memory it uses.

import { cpus } from 'node:os';
import { KmsError } from '../protocol/errors';
import { MediaObject, type EngineContext } from './media-object';

export const SERVER_MANAGER_ID = 'manager_ServerManager';
/** The KMS version whose protocol and interface definitions the engine follows. */
export const KMS_VERSION = '7.2.0';

export interface ServerManagerDeps {
  pipelines(): string[];
  sessions(): string[];
  /**
   * What each media worker holds: its pipelines, and the elements placed on it (a pipeline
   * spread over several workers counts where it was placed, and its elements where they are).
   * Empty when pipelines run on the main thread.
   */
  workerLoads(): { pipelines: number; elements: number }[];
}

export class ServerManager extends MediaObject {
  private lastCpu = { at: process.hrtime.bigint(), usage: process.cpuUsage() };

  constructor(ctx: EngineContext, deps: ServerManagerDeps) {
    super(ctx, 'ServerManager', undefined, SERVER_MANAGER_ID);
    this.name = SERVER_MANAGER_ID;
    this.handle('getInfo', () => this.info());
    this.handle('getPipelines', () => deps.pipelines());
    this.handle('getSessions', () => deps.sessions());
    this.handle('getMetadata', () => {
      return JSON.stringify({ engine: 'kurento-stage-embedded', workers: deps.workerLoads() });
    });
    this.handle('getCpuCount', () => cpus().length);
    this.handle('getUsedCpu', (p) => this.usedCpu(p.interval as number));
    // KMS reports resident memory in KiB.
    this.handle('getUsedMemory', () => Math.round(process.memoryUsage().rss / 1024));
    this.handle('getKmd', (p) => {
      throw new KmsError('NOT_IMPLEMENTED', `getKmd(${String(p.moduleName)}) is not supported by the embedded media server`);
    });
  }

  get mediaPipeline(): undefined {
    return undefined;
  }

  private info(): Record<string, unknown> {
    const registry = this.ctx.registry;
    return {
      version: KMS_VERSION,
      type: 'KMS',
      capabilities: ['transactions'],
      modules: registry.modules.map((m) => ({
        name: m.name,
        version: m.version,
        generationTime: 'embedded',
        factories: [],
        __module__: 'kurento',
        __type__: 'ModuleInfo',
      })),
      __module__: 'kurento',
      __type__: 'ServerInfo',
    };
  }

  /** CPU use of this process in percent of all cores, averaged since the last call. */
  private usedCpu(intervalMs: number): number {
    void intervalMs; // KMS samples over `interval`; we average since the previous call instead
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const elapsedUs = Number(now - this.lastCpu.at) / 1000;
    const usedUs = usage.user - this.lastCpu.usage.user + (usage.system - this.lastCpu.usage.system);
    this.lastCpu = { at: now, usage };
    if (elapsedUs <= 0) return 0;
    return Math.round((usedUs / elapsedUs / cpus().length) * 10000) / 100;
  }
}
