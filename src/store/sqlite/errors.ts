import { UnavailableError } from '../../errors.js';

/** SQLite failures that are about the database, not the request, become 503 so clients retry. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB)/;

export function mapSqliteError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) {
      throw new UnavailableError(`embedded database unavailable (${code}): ${(err as Error).message}`);
    }
    if (err instanceof TypeError && /database connection is not open/.test(err.message)) {
      throw new UnavailableError('embedded database is closed');
    }
    throw err;
  }
}
