/** An error meant for a person: what was wrong, where (file:line when it is a
 * file), and what to do. Thrown at the boundary, printed once by the CLI. */
export class MlmonError extends Error {
  readonly code: string;
  readonly location: string | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, opts: { location?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MlmonError';
    this.code = code;
    this.location = opts.location;
    this.hint = opts.hint;
  }

  /** `config/slos.yaml:14: objective must be below 100 (hint)` */
  format(): string {
    const where = this.location ? `${this.location}: ` : '';
    const hint = this.hint ? `\n  ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

export function isMlmonError(e: unknown): e is MlmonError {
  return e instanceof MlmonError;
}
