import { Tag } from 'antd';
import type { Light } from '../api/types';
import { useT } from '../i18n';

// Colours with text: the light is never told by colour alone (WCAG 1.4.1).
const COLOURS: Record<Light, string> = { green: 'success', yellow: 'warning', red: 'error' };
const DOTS: Record<Light, string> = { green: '●', yellow: '▲', red: '■' };

export function LightTag({ light }: { light: Light | null | undefined }) {
  const { v } = useT();
  if (!light) return <Tag>{v('none')}</Tag>;
  return (
    <Tag color={COLOURS[light]} data-light={light} aria-label={v(light)}>
      {DOTS[light]} {v(light)}
    </Tag>
  );
}

/** Red first, then yellow, then green; within a colour the earliest due first. */
export const urgencyOrder = (
  a: { light: Light | null; nextDueAt: string | null },
  b: typeof a,
): number => {
  const rank = (l: Light | null) => (l === 'red' ? 0 : l === 'yellow' ? 1 : l === 'green' ? 2 : 3);
  return (
    rank(a.light) - rank(b.light) || (a.nextDueAt ?? '9999').localeCompare(b.nextDueAt ?? '9999')
  );
};
