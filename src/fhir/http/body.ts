/**
 * Request body parsing for FHIR JSON. Accepts `application/fhir+json` and `application/json`
 * (and the old `application/json+fhir`), tolerating `fhirVersion=4.0` and `charset` parameters
 * (RUNNING.md §3.2: the HL7 runner sends `application/fhir+json; fhirVersion=4.0;charset=UTF-8`).
 * Size limits, malformed JSON and unsupported media types become OperationOutcomes via the
 * error vocabulary; nothing here writes to the response.
 */
import express, { type RequestHandler } from 'express';
import { InvalidRequestError, TerminologyError } from '../../errors.js';

const JSON_MEDIA_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Lenient media type parse: `type/subtype; a=b;c="d"` (parameter names lower-cased). */
export function parseMediaType(header: string): MediaType {
  const [first = '', ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name) params[name] = value;
  }
  return { type: first.trim().toLowerCase(), params };
}

export class UnsupportedMediaTypeError extends TerminologyError {
  constructor(message: string) {
    super(415, { code: 'not-supported', message });
  }
}

/** Throws 415 unless the Content-Type is FHIR JSON in UTF-8 for FHIR R4. */
export function assertJsonContentType(header: string | undefined): void {
  if (!header) throw new UnsupportedMediaTypeError('A request body needs a Content-Type of application/fhir+json or application/json');
  const media = parseMediaType(header);
  if (!JSON_MEDIA_TYPES.has(media.type)) {
    throw new UnsupportedMediaTypeError(`Unsupported Content-Type '${media.type}': use application/fhir+json or application/json`);
  }
  const charset = media.params.charset;
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaTypeError(`Unsupported charset '${charset}': request bodies must be UTF-8`);
  }
  const fhirVersion = media.params.fhirversion;
  if (fhirVersion !== undefined && !/^4\.0(\.\d+)?$/.test(fhirVersion)) {
    throw new UnsupportedMediaTypeError(`Unsupported fhirVersion '${fhirVersion}': this server speaks FHIR R4 (4.0)`);
  }
}

/** Parses a UTF-8 JSON buffer into an object; 400 `structure` with the parser's message otherwise. */
export function parseJsonObject(buffer: Buffer): Record<string, unknown> {
  let text = buffer.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestError(`Malformed JSON body: ${(err as Error).message}`, { code: 'structure' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequestError('The body must be a JSON object (a FHIR resource)', { code: 'structure' });
  }
  return value as Record<string, unknown>;
}

/**
 * Two middlewares: raw body capture with the size limit (body-parser raises `entity.too.large`,
 * mapped to 413 by the error handler), then content-type check and JSON parse. Afterwards
 * `req.body` is a parsed object or undefined (no body).
 */
export function fhirJsonBody(maxBodyBytes: number): RequestHandler[] {
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });
  const parse: RequestHandler = (req, _res, next) => {
    const buffer: unknown = req.body;
    if (!Buffer.isBuffer(buffer) || buffer.length === 0) {
      req.body = undefined;
      next();
      return;
    }
    assertJsonContentType(req.headers['content-type']);
    req.body = parseJsonObject(buffer);
    next();
  };
  return [raw, parse];
}
