/** A clock the test moves by hand (milliseconds). */
export function clock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

/** A browser's cookie jar, applying `Set-Cookie` headers (`Max-Age=0` removes a cookie). */
export function jar() {
  const cookies = new Map<string, string>();
  return {
    cookies,
    apply(headers: string[]) {
      for (const header of headers) {
        const [pair] = header.split(';') as [string];
        const name = pair.slice(0, pair.indexOf('='));
        if (/Max-Age=0/.test(header)) cookies.delete(name);
        else cookies.set(name, pair.slice(pair.indexOf('=') + 1));
      }
    },
    /** The `Cookie` header the browser would send. */
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}
