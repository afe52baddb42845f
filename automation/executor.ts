/**
 * The seam between the orchestration logic (pure, unit-tested with fake executors) and the Pulumi
 * Automation API (`localExecutor.ts`).
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

export const STACK_OPS = ["preview", "up", "refresh", "destroy", "outputs"] as const;
export type StackOp = (typeof STACK_OPS)[number];

export interface StackOutput {
  value: unknown;
  secret: boolean;
}

export interface OpHooks {
  /** Every structured engine event of the operation, as it arrives. */
  onEvent: (event: EngineEvent) => void;
  /** Cancels the operation (the CLI receives SIGINT and stops gracefully). */
  signal?: AbortSignal;
  /** `up` only: update just these URN globs and what depends on them (a late pass). */
  targets?: string[];
}

export interface OpResult {
  /** Change counts reported by the operation itself (used when no summary event arrived). */
  resourceChanges?: OpMap;
  /** Stack outputs, for `outputs` (and after `up`). */
  outputs?: Record<string, StackOutput>;
}

export interface StackExecutor {
  run(op: StackOp, stack: string, hooks: OpHooks): Promise<OpResult>;
  /** Creates the stack in the backend if it does not exist (no deployment). */
  ensureStack?(stack: string): Promise<void>;
}

/** A stack operation failed; `details` holds the most useful lines of the CLI's error output. */
export class StackOpError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "StackOpError";
  }
}

/** The stack does not exist in the backend (so there is nothing to refresh, destroy or read). */
export class StackMissingError extends StackOpError {
  constructor(stack: string, backend: string) {
    super(`stack "${stack}" does not exist in the backend ${backend}`);
    this.name = "StackMissingError";
  }
}
