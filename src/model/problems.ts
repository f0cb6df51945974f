/**
 * The error a definition fails with. A module of its own so that validators outside the model (the routing
 * options) can report into the same error without importing the model's resolver,
 * which imports them.
 */

/** One problem with a definition: the field, the value found, and what is allowed. */
export interface DefinitionProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Where a validator reports problems, so the caller can list them together with its own. */
export type ProblemSink = (field: string, value: unknown, allowed: string) => void;

/** Thrown at synth time when a definition is invalid. Lists every problem, not just the first. */
export class ServiceDefinitionError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly DefinitionProblem[],
  ) {
    super(
      `Invalid service definition "${service}" (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.field}: got ${show(p.value)}; ${p.allowed}`).join('\n'),
    );
    this.name = 'ServiceDefinitionError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
