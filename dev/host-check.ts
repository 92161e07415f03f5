/**
 * DNS rebinding: a web page on attacker.example whose name is re-pointed at 127.0.0.1 can make the browser
 * talk to a server on this machine as if it were same-origin, and read the answers. The browser still
 * sends the attacker's name in `Host`, so a local server that answers only to its own address (and to
 * `localhost`) is out of reach (https://developer.mozilla.org/docs/Web/Security/Attacks/DNS_rebinding).
 */
export function isOwnHost(hostHeader: string | undefined, port: number, boundHost: string): boolean {
  if (!hostHeader) return false;
  const names = new Set([
    'localhost',
    '127.0.0.1',
    '[::1]',
    boundHost.includes(':') ? `[${boundHost}]` : boundHost,
  ]);
  return [...names].some((name) => hostHeader.toLowerCase() === `${name}:${port}`);
}

export const MISDIRECTED = JSON.stringify({
  error: { code: 'host_not_allowed', message: 'This local server answers only to its own address.' },
});
