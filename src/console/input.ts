/** A request the console cannot serve as asked (bad range, unknown SLO): a 4xx with this message. */
export class ConsoleInputError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'ConsoleInputError';
    this.status = status;
  }
}
