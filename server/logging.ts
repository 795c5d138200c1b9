// pino, set up once. Pretty lines when a person watches a terminal, JSON otherwise (decided
// by whether stdout is a TTY, not by NODE_ENV). Levels follow the rubric in STYLE.md: info
// for lifecycle changes, debug for SDP, candidates and single messages.

import type { FastifyBaseLogger } from 'fastify';
import pino, { type LoggerOptions } from 'pino';

export type Logger = FastifyBaseLogger;

export function loggerOptions(level: string): LoggerOptions {
  const options: LoggerOptions = { level, base: { service: 'server' } };
  if (process.stdout.isTTY) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } };
  }
  return options;
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
