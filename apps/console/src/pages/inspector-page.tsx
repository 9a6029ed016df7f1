import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Slider,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { api, ApiError, download } from '../api/client';
import type { CaseView, LedgerRow, Page } from '../api/types';
import { LightTag } from '../components/light-tag';
import { formatTime, useT } from '../i18n';
import { go } from '../router';
import { useSession } from '../session';

interface AuditEvent {
  position: number;
  recordedAt?: string;
  event: { type: string; time: string; id: string };
  hash: string;
  prevHash: string | null;
}
interface Verify {
  valid: boolean;
  events: number;
  firstBadPosition?: number;
}
interface Responsibility {
  obligation: string;
  dueAt: string;
  departmentId: string | null;
  handlerId: string | null;
  heldSince?: string;
  article?: string | null;
}

const shortType = (type: string) => type.replace(/^casegrid\.[a-z]+\./, '').replace(/\.v\d+$/, '');

/** Replays a case: its state at any event (state?at=), the hash chain check, the responsibility trace. */
export function InspectorPage({ caseId }: { caseId?: string }) {
  const { t, v } = useT();
  const s = useSession();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [index, setIndex] = useState(0);
  const [state, setState] = useState<CaseView | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [trace, setTrace] = useState<Responsibility[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);

  const find = async (values: { query: string }) => {
    const q = values.query.trim();
    if (/^[0-9a-f-]{36}$/i.test(q)) return go(`inspector/${q}`);
    const page = await api.get<Page<LedgerRow>>('/cases', { q, limit: 1 });
    if (page.items[0]) go(`inspector/${page.items[0].id}`);
    else setError(t('notFound'));
  };

  useEffect(() => {
    if (!caseId) return;
    setError(null);
    let current = true;
    void (async () => {
      try {
        const [stream, check, responsibility] = await Promise.all([
          api.get<{ items: AuditEvent[] }>(`/audit/cases/${caseId}/events`),
          api.get<Verify>(`/audit/cases/${caseId}/verify`),
          api.get<{ items: Responsibility[] }>(`/audit/cases/${caseId}/responsibility`),
        ]);
        if (!current) return;
        setEvents(stream.items);
        setIndex(stream.items.length - 1);
        setVerify(check);
        setTrace(responsibility.items);
      } catch (e) {
        if (!current) return;
        setError(
          e instanceof ApiError && e.status === 404 ? t('notFound') : String((e as Error).message),
        );
      }
    })();
    return () => {
      current = false;
    };
  }, [caseId, t]);

  const at = events?.[index]?.event.time;
  useEffect(() => {
    if (!caseId || !at) return;
    // Moving the slider quickly leaves earlier requests in flight; only the answer for the
    // instant now selected may land, or a late one would show a state of another time.
    let current = true;
    void api.get<CaseView>(`/audit/cases/${caseId}/state`, { at }).then(
      (answer) => current && setState(answer),
      () => current && setState(null),
    );
    return () => {
      current = false;
    };
  }, [caseId, at]);

  const exportLog = async () => {
    const params = range
      ? {
          from: range[0].startOf('day').format(),
          to: range[1].add(1, 'day').startOf('day').format(),
        }
      : {};
    download('audit-export.ndjson', await api.blob('/audit/export', params));
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" title={t('inspector')}>
        <Form
          layout="inline"
          onFinish={(values: { query: string }) => void find(values)}
          name="inspect"
          initialValues={{ query: caseId ?? '' }}
          style={{ rowGap: 8 }}
        >
          <Form.Item
            name="query"
            label={t('caseId')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input style={{ width: 300 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit">
              {t('replay')}
            </Button>
          </Form.Item>
          <Form.Item label={t('exportLog')}>
            <DatePicker.RangePicker
              onChange={(r) => setRange(r?.[0] && r[1] ? [r[0], r[1]] : null)}
            />
          </Form.Item>
          <Form.Item>
            <Button onClick={() => void exportLog()} data-action="export-audit">
              {t('exportLog')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {error && <Alert type="error" showIcon role="alert" message={error} />}
      {caseId && events && (
        <>
          <Card size="small" title={t('verify')}>
            {verify && (
              <Alert
                data-testid="integrity"
                type={verify.valid ? 'success' : 'error'}
                showIcon
                message={`${verify.valid ? t('chainValid') : t('chainBroken')} · ${t('events')} ${verify.events}${verify.firstBadPosition !== undefined ? ` · #${verify.firstBadPosition}` : ''}`}
              />
            )}
          </Card>
          <Card size="small" title={t('replay')}>
            <Typography.Paragraph>
              {t('at')}: <strong data-testid="replay-at">{formatTime(at)}</strong> · #
              {events[index]?.position} {shortType(events[index]?.event.type ?? '')}
            </Typography.Paragraph>
            <Slider
              aria-label={t('at')}
              min={0}
              max={Math.max(0, events.length - 1)}
              value={index}
              onChange={setIndex}
              tooltip={{
                formatter: (i) =>
                  i === undefined
                    ? ''
                    : `${formatTime(events[i]?.event.time)} ${shortType(events[i]?.event.type ?? '')}`,
              }}
            />
            {state && (
              <Descriptions
                size="small"
                bordered
                column={{ xs: 1, md: 3 }}
                title={t('stateAt')}
                data-testid="replay-state"
              >
                <Descriptions.Item label={t('number')}>{state.number}</Descriptions.Item>
                <Descriptions.Item label={t('status')}>
                  <span data-testid="replay-status">{v(state.status)}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('light')}>
                  <LightTag light={state.light} />
                </Descriptions.Item>
                <Descriptions.Item label={t('holder')}>
                  {s.departmentName(state.leadDepartmentId)}
                </Descriptions.Item>
                <Descriptions.Item label={t('track')}>{v(state.track)}</Descriptions.Item>
                <Descriptions.Item label={t('deadlines')}>
                  {(state.deadlines ?? []).map((d) => (
                    <Tag key={d.clockId} color={d.light === 'red' ? 'error' : undefined}>
                      {v(d.obligation)} · {v(d.state)}
                    </Tag>
                  ))}
                </Descriptions.Item>
              </Descriptions>
            )}
          </Card>
          <Card size="small" title={t('responsibility')}>
            <Table
              size="small"
              rowKey={(r) => `${r.obligation}${r.dueAt}${r.departmentId}`}
              pagination={false}
              dataSource={trace}
              data-testid="responsibility"
              columns={[
                { title: t('obligation'), dataIndex: 'obligation', render: (o: string) => v(o) },
                { title: t('dueAt'), dataIndex: 'dueAt', render: formatTime },
                {
                  title: t('holder'),
                  dataIndex: 'departmentId',
                  render: (d: string) => s.departmentName(d),
                },
                {
                  title: t('handler'),
                  dataIndex: 'handlerId',
                  render: (h: string) => s.userName(h),
                },
              ]}
            />
          </Card>
          <Card
            size="small"
            title={t('events')}
            extra={
              <Button
                onClick={() =>
                  download(
                    `case-${caseId}.json`,
                    new Blob([JSON.stringify(events, null, 2)], { type: 'application/json' }),
                  )
                }
              >
                {t('exportCsv').replace('CSV', 'JSON')}
              </Button>
            }
          >
            <Table
              size="small"
              rowKey="position"
              pagination={{ pageSize: 20 }}
              dataSource={events}
              scroll={{ x: 800 }}
              columns={[
                { title: '#', dataIndex: 'position' },
                {
                  title: t('at'),
                  key: 'time',
                  render: (_: unknown, e: AuditEvent) => formatTime(e.event.time),
                },
                {
                  title: t('type'),
                  key: 'type',
                  render: (_: unknown, e: AuditEvent) => shortType(e.event.type),
                },
                {
                  title: 'hash',
                  dataIndex: 'hash',
                  render: (h: string) => <code>{h.slice(0, 12)}…</code>,
                },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
