/**
 * Size of a function's environment as Lambda measures it for the 4 KB rule: the UTF-8 bytes of
 * the map serialised as JSON without whitespace (`{"K":"V",…}`), all syntax included.
 */
export function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(environment), 'utf8');
}

/**
 * The serialised environment with every value replaced by `***`, for quoting in error messages:
 * AWS quotes the measured string verbatim, but lambdafit's output ends up in CI logs and
 * environment values are often secrets.
 */
export function maskedEnvironmentJson(environment: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(environment).map((key) => [key, '***'])));
}
