// The bare client IP for `$tk.client_ip` (PRODUCT §3): no port, no `ipv4:` /
// `ipv6:` prefix, no brackets, IPv4-mapped IPv6 shown as IPv4.
export function clientIpOf(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  let p = peer.replace(/^(ipv4|ipv6):/i, '');
  try {
    p = decodeURIComponent(p); // grpc URI-escapes brackets and zone ids
  } catch {
    /* not escaped */
  }
  if (p.startsWith('[')) {
    const end = p.indexOf(']');
    p = end === -1 ? p.slice(1) : p.slice(1, end);
  } else if (/^[^:]+:\d+$/.test(p)) {
    p = p.slice(0, p.lastIndexOf(':')); // IPv4 or name with a port
  }
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(p);
  if (mapped) return mapped[1];
  return p === '' ? undefined : p;
}
