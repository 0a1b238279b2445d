/**
 * Proxy URLs as the config gives them: which schemes are proxies, and what is
 * wrong with one (never showing its credentials). Pure, and light: the config
 * schema imports it; the agents live in proxy-router.ts.
 */

export const PROXY_PROTOCOLS = ['http:', 'https:', 'socks:', 'socks4:', 'socks4a:', 'socks5:', 'socks5h:'] as const;

/** A proxy URL as the config gives it, checked: undefined when fine, else what is wrong (credentials never shown). */
export function proxyUrlProblem(value: string): string | undefined {
  if (value === 'direct') return undefined;
  let url: URL;
  try {
    url = new URL(value.replace(/\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/g, 'x'));
  } catch {
    return 'expected a proxy URL such as "http://user:password@proxy.example:3128" or "socks5://127.0.0.1:1080"';
  }
  if (!(PROXY_PROTOCOLS as readonly string[]).includes(url.protocol)) return `expected an http, https, socks4 or socks5 proxy URL, not ${url.protocol}`;
  if (url.hostname === '') return 'expected a proxy host';
  if (url.protocol.startsWith('socks') && url.port === '') return 'expected a port on a SOCKS proxy URL (e.g. socks5://127.0.0.1:1080)';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return 'expected no path, query or fragment in a proxy URL';
  return undefined;
}

