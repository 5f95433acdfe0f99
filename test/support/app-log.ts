import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';

export interface CapturedLog {
  /** Every line written since the capture began, raw. */
  readonly lines: string[];
  /** The lines that parse as JSON. */
  entries(): Array<Record<string, unknown>>;
  /** Gives the logger its stream and level back. */
  restore(): void;
}

/**
 * Captures the app's own pino output (its stream swapped for an array) at `level` — so a test reads what
 * production would write to stdout. Start the app with the default silent level, then capture.
 */
export function captureAppLog(level: pino.Level = 'info'): CapturedLog {
  const root = PinoLogger.root as pino.Logger & Record<symbol, unknown>;
  const stream = root[pino.symbols.streamSym];
  const previous = root.level;
  const lines: string[] = [];
  root[pino.symbols.streamSym] = { write: (line: string) => void lines.push(line) };
  root.level = level;
  return {
    lines,
    entries: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    restore() {
      root[pino.symbols.streamSym] = stream;
      root.level = previous;
    },
  };
}
