// Packets dropped with iptables, as a network that goes silent drops them: no FIN, no RST,
// the TCP connection stays open at both ends. Tests run in their own network namespace
// (scripts/test.sh), so the rules touch nothing outside it.

import { execFileSync } from 'node:child_process';

/** Drops every TCP packet to and from a local port until the returned function is called. */
export function silenceTcpPort(port: number): () => void {
  const rules = [
    ['INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP'],
    ['OUTPUT', '-p', 'tcp', '--sport', String(port), '-j', 'DROP'],
  ];
  for (const rule of rules) execFileSync('iptables', ['-I', ...rule]);
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    for (const rule of rules) execFileSync('iptables', ['-D', ...rule]);
  };
}
