import type { ClientReadableStream } from '@grpc/grpc-js';

/** Options of {@link readableToAsyncIterable}. */
export interface ReadableIterableOptions {
  /** Turns a stream error (a grpc-js `ServiceError`) into the error the consumer sees. */
  mapError: (error: unknown) => Error;
  /**
   * Messages buffered before the stream is paused (HTTP/2 flow control then slows the server).
   * @default 64
   */
  highWaterMark?: number;
}

/**
 * Adapts a grpc-js server stream to an `AsyncIterableIterator`:
 * - messages are yielded in order; a failed status is thrown (through `mapError`) after the
 *   messages that arrived before it;
 * - a consumer that stops early (`break`, `return`, a throw inside `for await`) cancels the
 *   call, so the server stops work at once; the resulting CANCELLED status is swallowed;
 * - when `highWaterMark` messages wait unread, the stream is paused (backpressure).
 *
 * Single consumer only.
 */
export function readableToAsyncIterable<T>(
  call: ClientReadableStream<T>,
  options: ReadableIterableOptions,
): AsyncIterableIterator<T> {
  const highWaterMark = options.highWaterMark ?? 64;
  const buffer: T[] = [];
  let failure: Error | undefined;
  let ended = false;
  let finished = false; // the consumer got done (or returned): no more work
  let paused = false;
  let wake: (() => void) | undefined;

  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onData = (message: T): void => {
    buffer.push(message);
    if (buffer.length >= highWaterMark && !paused) {
      paused = true;
      call.pause();
    }
    notify();
  };
  const onError = (error: unknown): void => {
    if (finished) return; // the CANCELLED that follows our own cancel()
    failure ??= options.mapError(error);
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  call.on('data', onData);
  call.on('error', onError);
  call.on('end', onEnd);

  const finish = (): void => {
    finished = true;
    call.removeListener('data', onData);
    call.removeListener('end', onEnd);
    // keep a no-op 'error' listener: grpc-js emits CANCELLED after cancel(), and an
    // unhandled 'error' event would crash the process.
    call.removeListener('error', onError);
    call.on('error', () => undefined);
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (finished) return { done: true, value: undefined };
        const message = buffer.shift();
        if (message !== undefined) {
          if (paused && buffer.length < highWaterMark / 2) {
            paused = false;
            call.resume();
          }
          return { done: false, value: message };
        }
        if (failure !== undefined) {
          const error = failure;
          finish();
          throw error;
        }
        if (ended) {
          finish();
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      if (!finished) {
        const complete = ended || failure !== undefined;
        finish();
        if (!complete) call.cancel();
      }
      buffer.length = 0;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

/**
 * An unbounded single-consumer async queue: a producer `push`es values and finally `end`s
 * or `fail`s it; one consumer iterates. `onReturn` runs when the consumer stops early.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private error: Error | undefined;
  private closed = false;
  private iterated = false;
  private wake: (() => void) | undefined;

  /** @param onReturn called when the consumer leaves before the queue ended. */
  constructor(private readonly onReturn: () => void = () => undefined) {}

  /** Adds a value (ignored after `end`/`fail`). */
  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.notify();
  }

  /** No more values: the consumer finishes after the buffered ones. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.notify();
  }

  /** The consumer gets `error` after the buffered values. */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const resolve = this.wake;
    this.wake = undefined;
    resolve?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new TypeError('this stream can be iterated only once');
    this.iterated = true;
    let done = false;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (done) return { done: true, value: undefined };
          if (this.items.length > 0) return { done: false, value: this.items.shift() as T };
          if (this.closed) {
            done = true;
            if (this.error !== undefined) throw this.error;
            return { done: true, value: undefined };
          }
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: async (): Promise<IteratorResult<T>> => {
        if (!done) {
          done = true;
          this.items.length = 0;
          if (!this.closed) this.onReturn();
        }
        return { done: true, value: undefined };
      },
    };
  }
}
