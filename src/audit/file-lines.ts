import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

export interface FileLine {
  /** The line without its newline. */
  text: string;
  /** 1-based. */
  number: number;
  /** False for a last line the file cuts off before its newline. */
  complete: boolean;
}

/** The lines of a UTF-8 file in order, streaming; a final line without a newline is reported as incomplete. */
export async function* readLines(path: string): AsyncGenerator<FileLine> {
  let pending = "";
  let number = 0;
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      number += 1;
      yield { text: pending.slice(0, newline), number, complete: true };
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  if (pending.length > 0) yield { text: pending, number: number + 1, complete: false };
}

/** The tail of a file: its last complete line (if any), and the byte offset where the complete lines end. */
export async function readTail(path: string): Promise<{ lastLine?: string; completeBytes: number; size: number }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    let window = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lastNewline = buffer.lastIndexOf(0x0a);
      if (lastNewline === -1) {
        if (start === 0) return { completeBytes: 0, size };
        window *= 4;
        continue;
      }
      const previousNewline = buffer.lastIndexOf(0x0a, lastNewline - 1);
      if (previousNewline === -1 && start > 0) {
        window *= 4;
        continue;
      }
      return { lastLine: buffer.subarray(previousNewline + 1, lastNewline).toString("utf8"), completeBytes: start + lastNewline + 1, size };
    }
  } finally {
    await handle.close();
  }
}
