import { Card, Col, DatePicker, Row, Table, Tabs, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { LedgerRow, Page } from '../api/types';
import { Bars } from '../components/chart';
import { formatTime, useT, type Key } from '../i18n';
import { useSession } from '../session';

type GroupBy = 'department' | 'category' | 'region' | 'month';
interface StatsRow {
  group: {
    departmentId?: string;
    category?: string;
    regionCode?: string;
    month?: string;
    name?: string;
  };
  registered: number;
  dispatched: number;
  accepted: number;
  resolved: number;
  referred: number;
  closed: number;
  reopened: number;
  overdue: number;
  onTimeRate: number | null;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  compositeScore: number | null;
  repeatRate: number | null;
}
interface Notice {
  id?: string;
  noticeId?: string;
  caseId: string;
  issuedAt?: string;
  regionCode?: string;
  text?: string;
  reason?: string;
  departmentId?: string;
}

const COUNTS = [
  'registered',
  'dispatched',
  'accepted',
  'resolved',
  'referred',
  'closed',
  'reopened',
  'overdue',
] as const;
const RATES = [
  'onTimeRate',
  'responseRate',
  'resolutionRate',
  'satisfactionRate',
  'compositeScore',
  'repeatRate',
] as const;
const percent = (x: number | null) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;

function StatsTab({ groupBy, from, to }: { groupBy: GroupBy; from: string; to: string }) {
  const { t } = useT();
  const s = useSession();
  const [rows, setRows] = useState<StatsRow[] | null>(null);
  useEffect(() => {
    setRows(null);
    let current = true; // a later choice of grouping or period supersedes this answer
    void api
      .get<{ items: StatsRow[] }>('/stats', { groupBy, from, to })
      .then((r) => current && setRows(r.items));
    return () => {
      current = false;
    };
  }, [groupBy, from, to]);
  const name = (g: StatsRow['group']) =>
    g.name ??
    (g.departmentId
      ? s.departmentName(g.departmentId)
      : g.category
        ? s.categoryName(g.category)
        : g.regionCode
          ? s.regionName(g.regionCode)
          : (g.month ?? '—'));
  const labels = useMemo(() => (rows ?? []).map((r) => name(r.group)), [rows]);
  const series = useMemo(
    () => [
      { name: t('registeredCount'), values: (rows ?? []).map((r) => r.registered) },
      { name: t('resolved'), values: (rows ?? []).map((r) => r.resolved), colour: '#389e0d' },
      { name: t('overdue'), values: (rows ?? []).map((r) => r.overdue), colour: '#cf1322' },
    ],
    [rows, t],
  );
  return (
    <>
      <Bars labels={labels} series={series} label={`${t('dashboard')} ${groupBy}`} />
      <Table<StatsRow>
        size="small"
        rowKey={(r) => name(r.group)}
        loading={!rows}
        dataSource={rows ?? []}
        pagination={false}
        scroll={{ x: 1100 }}
        data-testid={`stats-${groupBy}`}
        columns={[
          {
            title: t('group'),
            key: 'group',
            fixed: 'left',
            render: (_: unknown, r) => name(r.group),
          },
          ...COUNTS.map((c) => ({
            title: t(c === 'registered' ? 'registeredCount' : (c as Key)),
            dataIndex: c,
            className: c === 'overdue' ? 'overdue' : undefined,
          })),
          ...RATES.map((c) => ({
            title: t(c as Key),
            dataIndex: c,
            render: (x: number | null) =>
              c === 'compositeScore' ? (x === null ? '—' : x.toFixed(1)) : percent(x),
          })),
        ]}
      />
    </>
  );
}

/** For supervisors: /stats by department, category, region and month; overdue cases by holder; notices. */
export function DashboardPage() {
  const { t } = useT();
  const s = useSession();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([
    dayjs().startOf('month'),
    dayjs().endOf('month'),
  ]);
  const [overdue, setOverdue] = useState<{ departmentId: string | null; count: number }[] | null>(
    null,
  );
  const [notices, setNotices] = useState<Notice[]>([]);
  const from = range[0].startOf('day').format();
  const to = range[1].add(1, 'day').startOf('day').format();

  useEffect(() => {
    void (async () => {
      const counts = new Map<string | null, number>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.get<Page<LedgerRow>>('/cases', { light: 'red', limit: 200, cursor });
        for (const r of page.items)
          counts.set(r.leadDepartmentId, (counts.get(r.leadDepartmentId) ?? 0) + 1);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 25);
      setOverdue(
        [...counts]
          .map(([departmentId, count]) => ({ departmentId, count }))
          .sort((a, b) => b.count - a.count),
      );
    })();
    void api.get<Page<Notice>>('/notices', { limit: 50 }).then((p) => setNotices(p.items));
  }, []);

  const overdueLabels = useMemo(
    () => (overdue ?? []).map((o) => s.departmentName(o.departmentId)),
    [overdue, s],
  );
  const overdueSeries = useMemo(
    () => [{ name: t('overdue'), values: (overdue ?? []).map((o) => o.count), colour: '#cf1322' }],
    [overdue, t],
  );

  return (
    <Row gutter={[16, 16]}>
      <Col span={24}>
        <Card
          size="small"
          title={t('dashboard')}
          extra={
            <DatePicker.RangePicker
              aria-label={t('period')}
              value={range}
              allowClear={false}
              onChange={(r) => r?.[0] && r[1] && setRange([r[0], r[1]])}
            />
          }
        >
          <Tabs
            items={(['department', 'category', 'region', 'month'] as GroupBy[]).map((g) => ({
              key: g,
              label: t(`by${g[0]!.toUpperCase()}${g.slice(1)}` as Key),
              children: <StatsTab groupBy={g} from={from} to={to} />,
            }))}
          />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('overdueByHolder')} data-testid="overdue-by-holder">
          <Bars labels={overdueLabels} series={overdueSeries} label={t('overdueByHolder')} />
          <Table
            size="small"
            rowKey={(r) => String(r.departmentId)}
            loading={!overdue}
            pagination={false}
            dataSource={overdue ?? []}
            columns={[
              {
                title: t('holder'),
                dataIndex: 'departmentId',
                render: (d: string) => <a href={`#/ledger`}>{s.departmentName(d)}</a>,
              },
              { title: t('overdue'), dataIndex: 'count' },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('notices')}>
          <Table
            size="small"
            rowKey={(n) => n.noticeId ?? n.id ?? n.caseId}
            pagination={false}
            dataSource={notices}
            columns={[
              { title: t('at'), dataIndex: 'issuedAt', render: formatTime },
              {
                title: t('number'),
                dataIndex: 'caseId',
                render: (id: string) => <a href={`#/cases/${id}`}>{id.slice(-8)}</a>,
              },
              {
                title: t('text'),
                key: 'text',
                render: (_: unknown, n: Notice) => (
                  <Typography.Text>{n.text ?? n.reason ?? ''}</Typography.Text>
                ),
              },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
