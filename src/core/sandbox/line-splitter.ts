import { StringDecoder } from 'node:string_decoder';

/** Splits a byte stream into lines (without the newline), decoding UTF-8 across chunk borders. */
export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Emits a last line that has no newline. */
  flush(): void;
}

/** Creates a splitter that calls `onLine` for each complete line. */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  return {
    push(chunk) {
      const text = partial + decoder.write(chunk);
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush() {
      const rest = partial + decoder.end();
      partial = '';
      if (rest) onLine(rest);
    },
  };
}
