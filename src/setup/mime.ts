/** Content types from the mime-db database (via mime-types). Setup only. */
import { contentType } from 'mime-types';

const DEFAULT_TYPE = 'application/octet-stream';
/** One string per extension: entries share it instead of holding copies. */
const byExtension = new Map<string, string>();

/**
 * The Content-Type for a file name: mime-db's type for its extension, with
 * `charset=utf-8` for text types (mime-types adds it), or
 * `application/octet-stream` as nginx's `default_type` does.
 */
export function getContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const slash = fileName.lastIndexOf('/');
  if (dot <= slash + 1) return DEFAULT_TYPE; // no extension, or a dotfile name only
  const extension = fileName.slice(dot + 1);
  let type = byExtension.get(extension);
  if (type === undefined) {
    type = contentType(extension) || DEFAULT_TYPE;
    byExtension.set(extension, type);
  }
  return type;
}
