import { InputError } from '../errors.js';

/**
 * Turns a name as stored in an archive (or found in a folder) into a safe POSIX path relative to
 * the bundle root, or throws one InputError naming the archive, the entry and the fix.
 *
 * Backslashes are an error, not a warning: Lambda extracts `src\index.js` as one literal file
 * name in `/var/task` (lambda-facts §7), so such a bundle cannot find its own modules there, and
 * silently normalising the name would hide the failure that awaits the user in AWS. Rebuilding
 * the zip with a tool that writes `/` is the fix, and the message says so.
 *
 * Returns `''` for the root itself (`./`), which callers skip.
 */
export function normalizeEntryPath(container: string, raw: string): string {
  if (raw.includes('\0')) {
    throw new InputError(`${container}: entry name ${JSON.stringify(raw)} contains a NUL byte, so the archive is corrupt; re-create it.`, 'E_CORRUPT_ARCHIVE');
  }
  if (/^[A-Za-z]:/.test(raw) || raw.startsWith('/') || raw.startsWith('\\')) {
    throw new InputError(
      `${container}: entry "${raw}" has an absolute path, which would be written outside the bundle; re-create the archive from inside the bundle folder so paths are relative.`,
      'E_ABSOLUTE_PATH',
    );
  }
  if (raw.includes('\\')) {
    throw new InputError(
      `${container}: entry "${raw}" uses backslashes, which Lambda extracts as a literal file name (not as "${raw.replace(/\\/g, '/')}"); re-create the archive with a tool that writes forward slashes (zip, 7-Zip, PowerShell 7 Compress-Archive) or rename the file.`,
      'E_BACKSLASH_PATH',
    );
  }
  const parts: string[] = [];
  for (const seg of raw.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      throw new InputError(
        `${container}: entry "${raw}" climbs out of the bundle with "..", a zip-slip path; lambdafit refuses the archive, re-create it from a clean folder.`,
        'E_ZIP_SLIP',
      );
    }
    parts.push(seg);
  }
  return parts.join('/');
}
