/**
 * Requests that Node's HTTP parser rejects before any handler runs (raw non-ASCII bytes in the
 * request line, oversized headers, garbage) would otherwise get an empty `400` and a closed
 * socket. Answer them with an OperationOutcome too, so a client sees why: the usual cause is a
 * URL with unencoded Chinese, e.g. `curl "…/$expand?filter=颅脑"` (use `--data-urlencode`).
 */
import type { Socket } from 'node:net';
import { operationOutcome, toIssue } from '../../errors.js';

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const message = tooLarge
    ? 'The request headers are too large'
    : `Malformed HTTP request (${err.code ?? err.message}); characters outside ASCII in the URL must be percent-encoded`;
  const body = JSON.stringify(operationOutcome([toIssue({ code: tooLarge ? 'too-long' : 'structure', message })]));
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/fhir+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
