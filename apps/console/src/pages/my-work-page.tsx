import { Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { LedgerRow, Page } from '../api/types';
import { LightTag, urgencyOrder } from '../components/light-tag';
import { formatTime, useT, type Key } from '../i18n';
import type { Session } from '../session';
import { useSession } from '../session';

interface Bucket {
  label: Key;
  query: Record<string, string>;
  keep?: (r: LedgerRow) => boolean;
}

/** What each role must do next, as ledger queries (the same filters as the ledger). */
function bucketsFor(s: Session): Bucket[] {
  const dept = s.me.department.id;
  const lead = (r: LedgerRow) => r.leadDepartmentId === dept;
  const buckets: Bucket[] = [];
  if (s.has('dispatcher')) buckets.push({ label: 'dispatch', query: { status: 'registered' } });
  if (s.has('handler', 'mediator', 'petition_officer')) {
    buckets.push({
      label: 'accept',
      query: { status: 'dispatched', departmentId: dept },
      keep: lead,
    });
  }
  if (s.has('mediator')) {
    for (const status of ['accepted', 'in_progress'])
      buckets.push({
        label: 'mediate',
        query: { status, departmentId: dept },
        keep: (r) => lead(r) && r.track === 'mediation',
      });
  }
  if (s.has('petition_officer')) {
    for (const status of ['accepted', 'in_progress'])
      buckets.push({
        label: 'decide',
        query: { status, departmentId: dept },
        keep: (r) => lead(r) && r.track === 'petition',
      });
  }
  if (s.has('handler')) {
    for (const status of ['accepted', 'in_progress'])
      buckets.push({
        label: 'resolve',
        query: { status, departmentId: dept },
        keep: (r) => lead(r) && r.track === 'direct',
      });
  }
  if (s.has('supervisor', 'grid_worker')) {
    for (const status of ['resolved', 'referred', 'terminated'])
      buckets.push({ label: 'followUp', query: { status } });
  }
  if (s.has('supervisor')) buckets.push({ label: 'close', query: { status: 'followed_up' } });
  return buckets;
}

export function MyWorkPage() {
  const { t, v } = useT();
  const session = useSession();
  const [groups, setGroups] = useState<{ label: Key; rows: LedgerRow[] }[] | null>(null);

  useEffect(() => {
    const buckets = bucketsFor(session);
    void Promise.all(
      buckets.map(async (b) => {
        const page = await api.get<Page<LedgerRow>>('/cases', { ...b.query, limit: 200 });
        return { label: b.label, rows: page.items.filter(b.keep ?? (() => true)) };
      }),
    ).then((found) => {
      const merged = new Map<Key, LedgerRow[]>();
      for (const g of found) merged.set(g.label, [...(merged.get(g.label) ?? []), ...g.rows]);
      setGroups([...merged].map(([label, rows]) => ({ label, rows: rows.sort(urgencyOrder) })));
    });
  }, [session]);

  if (!groups) return <Card loading />;
  if (groups.every((g) => g.rows.length === 0)) return <Empty description={t('noCases')} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {groups
        .filter((g) => g.rows.length > 0)
        .map((g) => (
          <Card
            key={g.label}
            size="small"
            title={
              <span>
                {t(g.label)} <Tag>{g.rows.length}</Tag>
              </span>
            }
            data-testid={`work-${g.label}`}
          >
            <List
              dataSource={g.rows}
              renderItem={(r) => (
                <List.Item extra={<LightTag light={r.light} />}>
                  <List.Item.Meta
                    title={
                      <a href={`#/cases/${r.id}`}>
                        {r.number} · {r.title}
                      </a>
                    }
                    description={
                      <Typography.Text type="secondary">
                        {v(r.status)} · {session.categoryName(r.category)} ·{' '}
                        {session.regionName(r.regionCode)} · {t('nextDue')}{' '}
                        {formatTime(r.nextDueAt)}
                      </Typography.Text>
                    }
                  />
                </List.Item>
              )}
            />
          </Card>
        ))}
    </Space>
  );
}
