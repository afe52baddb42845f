/**
 * The shipped stack files as tests edit them: a fresh copy of a stack's raw config, and the
 * ConfigError message the loader raises for an edited copy.
 */
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { readProject } from "../../config/project";
import { PROJECT_DIR } from "./synth";

/** Every Pulumi.<stack>.yaml of the repository, read once per test file. */
export const shippedFiles = readProject(PROJECT_DIR);

/** A deep copy of a shipped stack's raw config, safe to edit. */
export function shippedRaw(stack: string): Record<string, any> {
  const f = shippedFiles.stacks.find((s) => s.stack === stack);
  if (!f) throw new Error(`no shipped stack ${stack}`);
  return structuredClone(f.raw) as Record<string, any>;
}

/** The loader's error for the shipped `stack` after `edit`; fails the test when there is none. */
export function configErrorOf(stack: string, edit: (r: Record<string, any>) => void, opts: { file?: string } = {}): string {
  const r = shippedRaw(stack);
  edit(r);
  try {
    loadStackConfig(r, { stack, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}
