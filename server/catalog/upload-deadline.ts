// An upload's body gets a deadline: a recorder that sends a few bytes and then nothing would otherwise
// hold its reservation of the catalog (and a connection) for ever. Past the deadline the body is cut
// off with a 408 that names the setting; the caller closes the connection after answering.
import { PassThrough, type Readable } from 'node:stream';
import { FurnaceError } from '../../core/contract/errors.ts';

export const UPLOAD_TIMEOUT_SETTING = 'recorder.uploadTimeoutSeconds';

export interface DeadlineBody {
  body: Readable;
  /** Stops the timer once the upload has ended, whichever way. */
  clear: () => void;
}

/** `body` as a stream that fails with ERR_REQUEST_TIMEOUT when it has not ended `seconds` from now. */
export function withUploadDeadline(body: Readable, seconds: number): DeadlineBody {
  const guarded = new PassThrough();
  body.pipe(guarded);
  body.on('error', (error) => guarded.destroy(error));
  const timer = setTimeout(() => {
    body.unpipe(guarded);
    guarded.destroy(
      new FurnaceError(
        'ERR_REQUEST_TIMEOUT',
        `the upload did not finish within ${seconds} s (${UPLOAD_TIMEOUT_SETTING})`,
        { field: UPLOAD_TIMEOUT_SETTING, limit: seconds },
      ),
    );
  }, seconds * 1000);
  timer.unref();
  return { body: guarded, clear: () => clearTimeout(timer) };
}
