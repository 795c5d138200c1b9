// A worker process of the fan-out benchmark: hosts headless viewers, so that receiving and
// decrypting hundreds of streams does not share a process (and its event loop) with the
// publisher whose send times the delay is measured against. Driven over IPC by fanout.ts.

import { HeadlessPeer, type Candidate } from '../lib/headless-peer';

export type ToSinks =
  | { op: 'add'; id: number; decrypt: boolean }
  | { op: 'answer'; id: number; sdp: string }
  | { op: 'candidate'; id: number; candidate: Candidate }
  | { op: 'stats' }
  | { op: 'closeAll' };

export type FromSinks =
  | { op: 'offer'; id: number; sdp: string }
  | { op: 'candidate'; id: number; candidate: Candidate }
  | { op: 'stats'; sinks: { id: number; bytes: number; packets: number; lost: number }[]; delays: number[] }
  | { op: 'closed' };

const viewers = new Map<number, HeadlessPeer>();
const send = (m: FromSinks): void => {
  process.send?.(m);
};

process.on('message', (m: ToSinks) => {
  void handle(m).catch((err: unknown) => console.error('fanout sink worker:', err));
});
process.on('disconnect', () => process.exit(0));

async function handle(m: ToSinks): Promise<void> {
  switch (m.op) {
    case 'add': {
      const viewer = HeadlessPeer.viewer({ decrypt: m.decrypt });
      viewer.delaySampling = 5;
      viewers.set(m.id, viewer);
      viewer.onCandidate((candidate) => send({ op: 'candidate', id: m.id, candidate }));
      send({ op: 'offer', id: m.id, sdp: await viewer.createOffer() });
      return;
    }
    case 'answer':
      await viewers.get(m.id)?.setAnswer(m.sdp);
      return;
    case 'candidate':
      await viewers.get(m.id)?.addCandidate(m.candidate);
      return;
    case 'stats': {
      const delays: number[] = [];
      const sinks = [...viewers].map(([id, v]) => {
        delays.push(...v.received.delays.splice(0));
        return { id, bytes: v.received.bytes, packets: v.received.packets, lost: v.received.lost };
      });
      send({ op: 'stats', sinks, delays });
      return;
    }
    case 'closeAll':
      await Promise.all([...viewers.values()].map((v) => v.close()));
      viewers.clear();
      send({ op: 'closed' });
      return;
  }
}
