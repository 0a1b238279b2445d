/**
 * htmlparser2 in HTML mode with entities decoded: the options of the
 * streaming scan (scan-document.ts) and of every cheerio document, so both
 * see the same tree. Apart from both so that checking a config's selectors
 * (compile-extract-rules.ts) does not load the parser.
 */
export const HTML_PARSER_OPTIONS = { xmlMode: false, decodeEntities: true } as const;
