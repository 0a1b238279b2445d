/**
 * Content-Type helpers (pure): which responses are worth reading and parsing.
 */

/**
 * The media type of a Content-Type value: lower-cased, parameters dropped.
 *
 * @example mediaType('Text/HTML; charset=UTF-8') // → 'text/html'
 */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/**
 * Whether a response with this Content-Type is parsed (its body kept). Compares
 * media types case-insensitively, ignoring parameters. A response without a
 * Content-Type counts as parsed: the parser sniffs it, and the body cap bounds it.
 *
 * @example isParsedContentType('text/html; charset=utf-8', ['text/html']) // → true
 * @example isParsedContentType('application/pdf', ['text/html']) // → false
 */
export function isParsedContentType(contentType: string | undefined, parseContentTypes: readonly string[]): boolean {
  const type = mediaType(contentType);
  if (type === undefined) return true;
  return parseContentTypes.some((allowed) => mediaType(allowed) === type);
}
