/**
 * @module ops/lazyLogger
 * Request loggers made when a line is written, not when the request arrives. Fastify gives
 * every request (and every WebSocket, whose upgrade is a request) a pino child logger, and
 * `ops/logging` adds another with the caller's ids: two children per request, each with its
 * own level functions and serialised bindings. At the production level (`warn`) almost none
 * of them ever writes a line; the load bench measured their making at ≈ 3 % of a set-up's
 * CPU, and each idle socket kept both. A lazy child keeps its parent and bindings, answers a
 * disabled level without doing anything, and makes the real pino child (with the same
 * bindings, in the same order) the first time a line is written at an enabled level.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's numeric levels ('silent' is above every other). */
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

class LazyLogger {
  private real: FastifyBaseLogger | undefined;
  private ownLevel: string | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions | undefined,
  ) {
    // pino fixes a child's level when it is made; so does this one, unless it is told another.
    this.ownLevel = options?.level ?? parent.level;
  }

  get level(): string {
    return this.real?.level ?? this.ownLevel ?? 'info';
  }

  set level(level: string) {
    this.ownLevel = level;
    if (this.real) this.real.level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return lazyChild(this as unknown as FastifyBaseLogger, bindings, options);
  }

  private write(level: Level, args: unknown[]): void {
    if ((LEVELS[level] ?? 0) < (LEVELS[this.level] ?? 0)) return;
    const real = this.materialize();
    (real[level] as (...a: unknown[]) => void).apply(real, args);
  }

  private materialize(): FastifyBaseLogger {
    if (!this.real) {
      const parent = this.parent instanceof LazyLogger ? this.parent.materialize() : this.parent;
      this.real = parent.child(this.bindings, this.options);
      if (this.ownLevel !== undefined && this.real.level !== this.ownLevel) this.real.level = this.ownLevel;
    }
    return this.real;
  }
}

/** A child of `parent` that becomes a real one only when it first writes (Fastify's `childLoggerFactory`). */
export function lazyChild(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options?: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
