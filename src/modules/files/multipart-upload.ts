import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough } from 'node:stream';
import { PayloadTooLargeError, ValidationError } from '../http/domain-errors.js';
import { FileTooLargeError } from './file-store.js';

export interface UploadedPart<T> {
  fileName: string;
  stored: T;
}

export interface Multipart<T> {
  fields: Record<string, string>;
  file: UploadedPart<T> | undefined;
}

const MAX_FIELD_BYTES = 1024 * 1024;

/**
 * Streams a multipart request: the `file` part goes to `store` as it arrives (never held whole in
 * memory), the other parts are collected as text fields.
 */
export function readMultipart<T>(
  request: Request,
  maxFileBytes: number,
  store: (fileName: string, bytes: AsyncIterable<Buffer>) => Promise<T>,
): Promise<Multipart<T>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fileSize: maxFileBytes + 1, fieldSize: MAX_FIELD_BYTES, files: 1 } });
    } catch {
      reject(new ValidationError('Send the file as multipart/form-data with a "file" part.', [{ field: 'file', message: 'required' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Promise<UploadedPart<T>> | undefined;
    let failed = false;
    let currentFile: PassThrough | undefined;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      request.resume();
      reject(error);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ValidationError(`The "${name}" field is larger than 1 MiB.`, [{ field: name, message: 'too large' }]));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      const bytes = new PassThrough();
      currentFile = bytes;
      stream.on('limit', () => bytes.destroy(new FileTooLargeError(maxFileBytes)));
      stream.pipe(bytes);
      file = store(info.filename || 'upload.csv', bytes).then((stored) => ({ fileName: info.filename || 'upload.csv', stored }));
      file.catch((error: Error) => fail(error instanceof FileTooLargeError ? tooLarge(maxFileBytes) : error));
    });
    parser.on('error', (error: Error) => fail(new ValidationError(`The multipart body could not be read: ${error.message}`)));
    // A client that goes away mid-upload: stop storing, so the transaction rolls back now.
    let finished = false;
    request.on('close', () => {
      if (!finished && !request.complete) {
        const gone = new ValidationError('The upload was interrupted before the whole body arrived.');
        currentFile?.destroy(gone);
        fail(gone);
      }
    });
    parser.on('close', () => {
      finished = true;
      if (failed) return;
      if (!file) {
        resolve({ fields, file: undefined });
        return;
      }
      file.then((stored) => resolve({ fields, file: stored }), () => undefined);
    });
    request.pipe(parser);
  });
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The file is larger than the upload limit of ${maxBytes} bytes (ROSTERSYNC_MAX_UPLOAD_BYTES).`);
}
