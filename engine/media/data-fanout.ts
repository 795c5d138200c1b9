// One element's outgoing data (KMS's DATA media type): the messages its data channel received,
// and the sinks connected to hear them. A message keeps its kind: text stays text and binary
// stays binary on its way to another data channel, as KMS's SCTP elements carry the PPID.

export type DataMessage = string | Buffer;
type DataListener = (message: DataMessage) => void;

export class DataFanout {
  private readonly listeners = new Set<DataListener>();

  subscribe(listener: DataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(message: DataMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  close(): void {
    this.listeners.clear();
  }
}
