/**
 * The command fan-out of SeplConnector: one pump reads the session's commands and hands each to
 * the `'command'` listeners and to every iterator, never dropping one; full buffers stop the pump
 * (and so the socket: backpressure) until the application takes commands.
 */
import type { Logger } from '@x/http-core';
import type { SeplCommand } from './command.js';
import { CommandStream } from './command-stream.js';

/** What the fan-out asks of its connector. */
export interface CommandFanoutHooks {
  /** Whether `'command'` listeners are registered. */
  listened(): boolean;
  /** Emits `'command'` to them. */
  emit(command: SeplCommand): void;
  /** Whether the connector is closed (a closed connector's pump is never held back). */
  closed(): boolean;
}

export class CommandFanout {
  readonly #streams = new Set<CommandStream>();
  readonly #unclaimed: SeplCommand[] = [];
  readonly #maxBuffered: number;
  readonly #logger: Logger;
  readonly #hooks: CommandFanoutHooks;
  #relieved: (() => void) | undefined;
  #pump: Promise<void> | undefined;
  #fatal: Error | undefined;

  constructor(maxBuffered: number, logger: Logger, hooks: CommandFanoutHooks) {
    this.#maxBuffered = maxBuffered;
    this.#logger = logger;
    this.#hooks = hooks;
  }

  /**
   * A new iterator: it gets every command from now on (the first one also those that arrived
   * while nobody listened); it ends at once after the connector closed, throws its fatal error.
   */
  iterator(): AsyncIterableIterator<SeplCommand> {
    const stream = new CommandStream(
      this.#maxBuffered,
      (s) => {
        this.#streams.delete(s);
        this.relieve();
      },
      () => this.relieve(),
    );
    if (this.#fatal) {
      stream.fail(this.#fatal);
      return stream;
    }
    if (this.#hooks.closed()) {
      stream.end();
      return stream;
    }
    this.#streams.add(stream);
    for (const command of this.#unclaimed.splice(0)) stream.push(command);
    this.relieve();
    return stream;
  }

  /**
   * Reads `source` (once; later calls keep the first pump) and fans each command out. While a
   * buffer holds `maxBufferedCommands`, it stops taking from the source, whose own buffer then
   * pauses the socket until the application takes commands.
   */
  start(source: AsyncIterable<SeplCommand>): void {
    this.#pump ??= (async () => {
      try {
        for await (const command of source) {
          this.#deliver(command);
          if (this.#congested()) await this.#untilRelieved();
        }
        this.#endStreams();
      } catch {
        // the fatal error already went to the streams and listeners (closed event)
      }
    })();
  }

  /** The connector stopped on `error`: every iterator (and every later one) throws it. */
  fail(error: Error): void {
    this.#fatal = error;
    for (const stream of [...this.#streams]) stream.fail(error);
  }

  /** After the session closed: lets the pump finish; without a pump (never started) ends the iterators. */
  async settle(): Promise<void> {
    this.relieve();
    await this.#pump;
    if (!this.#pump) this.#endStreams();
  }

  /** Lets the pump go on once no buffer is full any more (or the connector closes). */
  relieve(): void {
    if (!this.#relieved || (this.#congested() && !this.#hooks.closed())) return;
    const relieved = this.#relieved;
    this.#relieved = undefined;
    this.#logger.info('reading resumed');
    relieved();
  }

  #endStreams(): void {
    for (const stream of [...this.#streams]) stream.end();
  }

  #deliver(command: SeplCommand): void {
    const listened = this.#hooks.listened();
    if (listened) this.#hooks.emit(command);
    if (this.#streams.size === 0) {
      if (!listened) this.#unclaimed.push(command);
    } else {
      for (const stream of this.#streams) stream.push(command);
    }
  }

  #congested(): boolean {
    if (this.#unclaimed.length >= this.#maxBuffered) return true;
    for (const stream of this.#streams) if (stream.full) return true;
    return false;
  }

  #untilRelieved(): Promise<void> {
    this.#logger.warn('command buffer full; reading paused until the application takes commands', { limit: this.#maxBuffered });
    return new Promise((resolve) => (this.#relieved = resolve));
  }
}
