import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/cases/<id>`): the server needs no knowledge of them, a reload or a
 * shared link lands on the same page, and the browser's back button works.
 */
export function useRoute(): string[] {
  const read = () =>
    window.location.hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

export const go = (path: string): void => {
  window.location.hash = `#/${path}`;
};
