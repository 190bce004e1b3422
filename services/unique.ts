/** Inserting a record whose id (or unique key) someone else may have taken, the same way everywhere. */
import type { DomainError } from '../domain/errors';

/** Runs the insert; a duplicate key (E11000) becomes the caller's refusal, anything else stays an error. */
export async function insertUnique<T>(insert: () => Promise<T>, duplicate: () => DomainError): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw duplicate();
    throw err;
  }
}
