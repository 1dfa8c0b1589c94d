/**
 * The root logger (pino, JSON lines). One child per HTTP request or HL7 message carries its
 * request id or MSH-10 control id. Never log patient data or whole HL7 messages above debug.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'rimag-tx' } });
}

/** A logger that writes nothing, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
