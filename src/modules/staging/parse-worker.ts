import { parentPort, workerData } from 'node:worker_threads';
import { BatchParser } from './batch-parser.js';
import type { FromParser, ParsedBatch, ParseSetup, ToParser } from './parse-protocol.js';
import { FatalImportError } from './pipeline-errors.js';

/** The parse thread: chunks in, batches out, asking for the next chunk when done with one. */
const port = parentPort!;
const parser = new BatchParser(workerData as ParseSetup);
const send = (message: FromParser): void => port.postMessage(message);
/** The COPY bytes are transferred, not copied. */
const sendBatch = (batch: ParsedBatch): void => port.postMessage({ type: 'batch', ...batch } satisfies FromParser, [batch.copyText.buffer as ArrayBuffer]);

port.on('message', (message: ToParser) => {
  try {
    if (message.type === 'chunk') {
      for (const batch of parser.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength))) {
        sendBatch(batch);
      }
      send({ type: 'need' });
    } else {
      sendBatch(parser.end());
    }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    send(error instanceof FatalImportError ? { type: 'fatal', message: text } : { type: 'crash', message: text });
  }
});
send({ type: 'need' });
