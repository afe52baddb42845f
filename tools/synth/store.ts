/**
 * The Pulumi SDK keeps its runtime state in `global.asyncLocalStorage` (an AsyncLocalStorage, which
 * on Node 20 puts promise hooks on every promise the SDK creates) and reuses one that exists when
 * it loads. The offline engine evaluates one stack at a time (engine.ts serializes them), so a
 * plain "current store" does the same job without the hooks. This module must load before the
 * SDK; if the SDK was loaded first, `storage` is undefined and the SDK's own storage is used.
 */
export class SequentialStorage<T> {
  private current: T | undefined;

  getStore(): T | undefined {
    return this.current;
  }

  /** Makes `store` current for `callback` and everything it starts, until `exit()`. */
  run<R>(store: T, callback: (...args: unknown[]) => R, ...args: unknown[]): R {
    this.current = store;
    return callback(...args);
  }

  exit(): void {
    this.current = undefined;
  }
}

const g = globalThis as { asyncLocalStorage?: unknown };

export const storage: SequentialStorage<unknown> | undefined =
  g.asyncLocalStorage === undefined ? (g.asyncLocalStorage = new SequentialStorage<unknown>()) as SequentialStorage<unknown> : undefined;
