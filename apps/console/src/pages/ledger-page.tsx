import {
  Button,
  Card,
  DatePicker,
  Flex,
  Form,
  Input,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, download } from '../api/client';
import type { LedgerRow, Light, Page } from '../api/types';
import { LightTag } from '../components/light-tag';
import { formatTime, useT } from '../i18n';
import { go } from '../router';
import { useSession } from '../session';

type Filters = Record<string, string | undefined>;
const STATUSES = [
  'registered',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
  'referred',
  'terminated',
  'followed_up',
  'closed',
];
const CSV_LIMIT = 20_000;

const csvCell = (value: string | number | null | undefined): string => {
  const text = value == null ? '' : String(value);
  // A leading = + - @ would run as a formula in a spreadsheet (CSV injection).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** 台账: the ledger's filters, server paging by cursor, CSV of everything the filters select. */
export function LedgerPage() {
  const { t, v } = useT();
  const session = useSession();
  const [form] = Form.useForm();
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<LedgerRow[]>([]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ms, setMs] = useState<number | null>(null);

  const load = useCallback(async (f: Filters, cursor: string | undefined) => {
    setBusy(true);
    const started = performance.now();
    try {
      const page = await api.get<Page<LedgerRow>>('/cases', { ...f, limit: 50, cursor });
      setRows(page.items);
      setNext(page.nextCursor);
      setMs(Math.round(performance.now() - started));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load({}, undefined);
  }, [load]);

  const apply = (values: Record<string, unknown>) => {
    const range = values.range as [Dayjs, Dayjs] | undefined;
    const f: Filters = {
      status: values.status as string | undefined,
      kind: values.kind as string | undefined,
      category: values.category as string | undefined,
      light: values.light as string | undefined,
      departmentId: values.departmentId as string | undefined,
      regionCode: values.regionCode as string | undefined,
      q: (values.q as string | undefined)?.trim() || undefined,
      from: range?.[0]?.startOf('day').format(),
      to: range?.[1]?.endOf('day').format(),
    };
    setFilters(f);
    setCursors([undefined]);
    void load(f, undefined);
  };

  const exportCsv = async () => {
    const header = [
      'number',
      'title',
      'kind',
      'category',
      'region',
      'status',
      'light',
      'lead',
      'nextDueAt',
      'registeredAt',
    ];
    const lines = [header.join(',')];
    let cursor: string | undefined;
    do {
      const page = await api.get<Page<LedgerRow>>('/cases', { ...filters, limit: 200, cursor });
      for (const r of page.items) {
        lines.push(
          [
            r.number,
            r.title,
            r.kind,
            session.categoryName(r.category),
            session.regionName(r.regionCode),
            r.status,
            r.light ?? '',
            session.departmentName(r.leadDepartmentId),
            r.nextDueAt ?? '',
            r.registeredAt,
          ]
            .map(csvCell)
            .join(','),
        );
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && lines.length <= CSV_LIMIT);
    download(
      'ledger.csv',
      new Blob([`\ufeff${lines.join('\n')}\n`], { type: 'text/csv;charset=utf-8' }),
    );
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" title={t('filters')}>
        <Form
          form={form}
          layout="inline"
          onFinish={apply}
          name="ledger-filters"
          style={{ rowGap: 8 }}
        >
          <Form.Item name="q" label={t('keyword')}>
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="status" label={t('status')}>
            <Select
              allowClear
              style={{ width: 120 }}
              options={STATUSES.map((s) => ({ value: s, label: v(s) }))}
            />
          </Form.Item>
          <Form.Item name="light" label={t('light')}>
            <Select
              allowClear
              style={{ width: 100 }}
              options={(['red', 'yellow', 'green'] as Light[]).map((l) => ({
                value: l,
                label: v(l),
              }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('kind')}>
            <Select
              allowClear
              style={{ width: 110 }}
              options={['dispute', 'petition'].map((k) => ({ value: k, label: v(k) }))}
            />
          </Form.Item>
          <Form.Item name="category" label={t('category')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 130 }}
              options={session.categories.map((c) => ({ value: c.code, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="departmentId" label={t('department')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 200 }}
              options={session.departments.map((d) => ({ value: d.id, label: d.name }))}
            />
          </Form.Item>
          <Form.Item name="regionCode" label={t('region')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 160 }}
              options={session.regions
                .filter((r) => r.tier !== 'grid')
                .map((r) => ({ value: r.code, label: r.name }))}
            />
          </Form.Item>
          <Form.Item name="range" label={t('registeredAt')}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  apply({});
                }}
              >
                {t('reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card
        size="small"
        title={t('ledger')}
        extra={
          <Button onClick={() => void exportCsv()} data-action="export-csv">
            {t('exportCsv')}
          </Button>
        }
      >
        <Table<LedgerRow>
          rowKey="id"
          size="small"
          loading={busy}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 900 }}
          data-testid="ledger-table"
          onRow={(r) => ({ onClick: () => go(`cases/${r.id}`), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('number'),
              dataIndex: 'number',
              render: (n: string, r) => <a href={`#/cases/${r.id}`}>{n}</a>,
            },
            { title: t('title'), dataIndex: 'title', ellipsis: true },
            {
              title: t('light'),
              dataIndex: 'light',
              render: (l: Light | null) => <LightTag light={l} />,
            },
            { title: t('status'), dataIndex: 'status', render: (s: string) => v(s) },
            {
              title: t('category'),
              dataIndex: 'category',
              render: (c: string) => session.categoryName(c),
            },
            {
              title: t('holder'),
              dataIndex: 'leadDepartmentId',
              render: (d: string) => session.departmentName(d),
            },
            { title: t('nextDue'), dataIndex: 'nextDueAt', render: formatTime },
            { title: t('registeredAt'), dataIndex: 'registeredAt', render: formatTime },
          ]}
        />
        <Flex justify="space-between" align="center" style={{ marginTop: 12 }}>
          <Typography.Text type="secondary" data-testid="ledger-timing">
            {ms !== null ? `${rows.length} · ${ms} ms` : ''}
          </Typography.Text>
          <Space>
            <Button
              disabled={cursors.length <= 1}
              onClick={() => {
                setCursors([undefined]);
                void load(filters, undefined);
              }}
            >
              {t('firstPage')}
            </Button>
            <Button
              disabled={!next}
              onClick={() => {
                setCursors([...cursors, next!]);
                void load(filters, next!);
              }}
            >
              {t('nextPage')}
            </Button>
          </Space>
        </Flex>
      </Card>
    </Space>
  );
}
