// AlphaBlending: KMS's hub that blends its ports' pictures into one, given out by every port
// with each port's own mix of the others' audio (kmsalphablending.c). The master port's
// picture fills the canvas, which takes the master's size (640x480 until it is known), at its
// z-order; a port given properties sits at fractions of the canvas (a position may be
// negative, or reach past the edge: the picture is cut there), at its z-order, the greatest
// on top; any other port fills the canvas at z-order 1. The master is the first port made
// until setMaster names another. Output is 15 fps, as KMS's.

import { KmsError } from '../../protocol/errors';
import type { EngineContext, MediaObject } from '../media-object';
import type { HubPort } from './hub-port';
import { MixingHub } from './mixing-hub';

interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
  zOrder: number;
}

export class AlphaBlending extends MixingHub {
  private master: { port: HubPort; zOrder: number } | undefined;
  private readonly placements = new Map<HubPort, Placement>();

  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'AlphaBlending', pipeline, { layout: 'alpha', audio: 'others' });
    this.handle('setMaster', (p) => {
      this.master = { port: this.ownPort(p.source), zOrder: p.zOrder as number };
      this.tell(this.masterCommand(this.master.port, this.master.zOrder));
    });
    this.handle('setPortProperties', (p) => {
      const port = this.ownPort(p.port);
      const placement = {
        x: p.relativeX as number,
        y: p.relativeY as number,
        width: p.relativeWidth as number,
        height: p.relativeHeight as number,
        zOrder: p.zOrder as number,
      };
      for (const value of [placement.x, placement.y, placement.width, placement.height]) {
        if (!Number.isFinite(value)) throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Port properties must be numbers');
      }
      this.placements.set(port, placement);
      this.tell(this.placementCommand(port, placement));
    });
  }

  private masterCommand(port: HubPort, zOrder: number): Record<string, unknown> {
    return { cmd: 'master', port: this.memberId(port), zOrder };
  }

  private placementCommand(port: HubPort, p: Placement): Record<string, unknown> {
    return { cmd: 'port-properties', port: this.memberId(port), ...p };
  }

  protected override stateCommands(): Record<string, unknown>[] {
    const commands = [...this.placements].map(([port, p]) => this.placementCommand(port, p));
    if (this.master) commands.push(this.masterCommand(this.master.port, this.master.zOrder));
    return commands;
  }

  protected override onPortRemoved(port: HubPort): void {
    this.placements.delete(port);
    if (this.master?.port === port) this.master = undefined;
    super.onPortRemoved(port);
  }
}
