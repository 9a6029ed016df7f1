import {
  Alert,
  Card,
  Descriptions,
  Empty,
  Flex,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
  message,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { CaseView, Deadline, MediationFile, PetitionFile } from '../api/types';
import { ActionButton } from '../components/action-form';
import { LightTag } from '../components/light-tag';
import { formatTime, useT } from '../i18n';
import { useSession } from '../session';
import { availableActions } from './case-actions';
import { timelineOf } from './case-timeline';

/** How often an open case page asks whether someone else changed the case. */
export const LIVE_POLL_MS = 3000;

const optional = async <T,>(load: Promise<T>): Promise<T | null> => {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ApiError && [404, 409].includes(error.status)) return null;
    throw error;
  }
};

export function CasePage({ id }: { id: string }) {
  const { t, v } = useT();
  const session = useSession();
  const [view, setView] = useState<CaseView | null>(null);
  const [files, setFiles] = useState<{
    mediation: MediationFile | null;
    petition: PetitionFile | null;
  }>({ mediation: null, petition: null });
  const [error, setError] = useState<ApiError | null>(null);
  const version = useRef<number | null>(null);
  const expecting = useRef(false);

  const load = useCallback(async () => {
    try {
      const c = await api.get<CaseView>(`/cases/${id}`);
      const [mediation, petition] = await Promise.all([
        c.track === 'mediation' ? optional(api.get<MediationFile>(`/cases/${id}/mediation`)) : null,
        c.track === 'petition' || c.kind === 'petition'
          ? optional(api.get<PetitionFile>(`/cases/${id}/petition`))
          : null,
      ]);
      version.current = c.version;
      setView(c);
      setFiles({ mediation, petition });
      setError(null);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      else throw e;
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  // Live updates: poll the ledger view's version (a small GET); when it moved and not by
  // our own command, reload and say so.
  useEffect(() => {
    const timer = setInterval(() => {
      void api
        .get<CaseView>(`/cases/${id}`)
        .then((c) => {
          if (version.current !== null && c.version !== version.current) {
            if (!expecting.current) void message.info({ content: t('updated'), key: 'live' });
            expecting.current = false;
            void load();
          }
        })
        .catch(() => undefined);
    }, LIVE_POLL_MS);
    return () => clearInterval(timer);
  }, [id, load, t]);

  const afterCommand = async () => {
    expecting.current = true;
    void message.success({ content: t('saved'), key: 'saved' });
    // The ledger follows the command within moments (eventually consistent): ask until it moved.
    const before = version.current;
    for (let i = 0; i < 40; i += 1) {
      await load();
      if (version.current !== before) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  if (error) {
    return (
      <Alert
        type="error"
        showIcon
        role="alert"
        message={error.status === 404 ? t('notFound') : error.message}
        data-testid="case-error"
      />
    );
  }
  if (!view) return <Spin tip={t('loading')} />;

  const actions = availableActions(session.principal, view, files);
  const deadlineColumns = [
    {
      title: t('obligation'),
      dataIndex: 'obligation',
      render: (o: string, d: Deadline) => `${v(o)}${d.holderRole === 'co' ? ` (${v('co')})` : ''}`,
    },
    {
      title: t('department'),
      dataIndex: 'departmentId',
      render: (id: string) => session.departmentName(id),
    },
    { title: t('dueAt'), dataIndex: 'dueAt', render: formatTime },
    { title: t('state'), dataIndex: 'state', render: (s: string) => v(s) },
    {
      title: t('light'),
      dataIndex: 'light',
      render: (l: Deadline['light']) => <LightTag light={l} />,
    },
    {
      title: t('article'),
      key: 'basis',
      render: (_: unknown, d: Deadline) =>
        d.basis.article ?? d.basis.policyName ?? d.basis.note ?? '',
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="case-page">
      <Card
        title={
          <Flex gap={8} wrap align="center">
            <Typography.Title
              level={2}
              style={{ margin: 0, fontSize: 20 }}
              data-testid="case-number"
            >
              {view.number}
            </Typography.Title>
            <Tag color="blue" data-testid="case-status">
              {v(view.status)}
            </Tag>
            <LightTag light={view.light} />
            {view.supervisionLevel !== 'none' && (
              <Tag color="volcano">{v(view.supervisionLevel)}</Tag>
            )}
          </Flex>
        }
      >
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
          <Descriptions.Item label={t('title')}>{view.title}</Descriptions.Item>
          <Descriptions.Item label={t('kind')}>{v(view.kind)}</Descriptions.Item>
          <Descriptions.Item label={t('category')}>
            {session.categoryName(view.category)}
          </Descriptions.Item>
          <Descriptions.Item label={t('region')}>
            {session.regionName(view.regionCode)}
          </Descriptions.Item>
          <Descriptions.Item label={t('track')}>
            <span data-testid="case-track">{v(view.track)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('holder')}>
            <span data-testid="case-holder">{session.departmentName(view.leadDepartmentId)}</span>
            {view.handlerId ? ` · ${session.userName(view.handlerId)}` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('coHandlers')}>
            {view.coDepartmentIds.map((d) => session.departmentName(d)).join('、') || '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('receivedAt')}>
            {formatTime(view.receivedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t('submissionCount')}>{view.submissionCount}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title={t('actions')} size="small">
        {actions.length === 0 ? (
          <Typography.Text type="secondary">{t('none')}</Typography.Text>
        ) : (
          <Flex gap={8} wrap data-testid="case-actions">
            {actions.map((spec) => (
              <ActionButton key={spec.key} spec={spec} onDone={() => void afterCommand()} />
            ))}
          </Flex>
        )}
      </Card>

      <Card title={t('deadlines')} size="small">
        <Table
          rowKey="clockId"
          size="small"
          pagination={false}
          scroll={{ x: true }}
          columns={deadlineColumns}
          dataSource={view.deadlines}
          data-testid="deadlines"
        />
      </Card>

      {files.mediation && (
        <Card title={t('mediationFile')} size="small" data-testid="mediation-file">
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t('status')}>{v(files.mediation.status)}</Descriptions.Item>
            <Descriptions.Item label={t('type')}>{v(files.mediation.type)}</Descriptions.Item>
            <Descriptions.Item label={t('mediators')}>
              {files.mediation.mediatorIds.map((m) => session.userName(m)).join('、')}
            </Descriptions.Item>
            <Descriptions.Item label={t('sessions')}>
              {files.mediation.sessions.length}
            </Descriptions.Item>
            {files.mediation.agreement && (
              <Descriptions.Item label={t('agreement')}>
                {files.mediation.agreement.terms}
              </Descriptions.Item>
            )}
            {files.mediation.failure && (
              <Descriptions.Item label={t('recordFailure')}>
                {files.mediation.failure.reason}
              </Descriptions.Item>
            )}
          </Descriptions>
        </Card>
      )}

      {files.petition && (
        <Card title={t('petitionFile')} size="small" data-testid="petition-file">
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label={t('status')}>{v(files.petition.status)}</Descriptions.Item>
            {files.petition.opinion && (
              <Descriptions.Item label={t('petitionOpinion')}>
                {v(files.petition.opinion.result)} · {files.petition.opinion.text}
              </Descriptions.Item>
            )}
          </Descriptions>
          <Table
            rowKey="step"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={files.petition.statutoryDates}
            columns={[
              { title: t('obligation'), dataIndex: 'step', render: (s: string) => v(s) },
              { title: t('article'), dataIndex: 'article' },
              { title: t('dueAt'), dataIndex: 'dueAt', render: formatTime },
              { title: t('state'), dataIndex: 'state', render: (s: string) => v(s) },
            ]}
          />
        </Card>
      )}

      {view.orders.length > 0 && (
        <Card title={t('orders')} size="small">
          <Table
            rowKey="orderId"
            size="small"
            pagination={false}
            dataSource={view.orders}
            columns={[
              { title: t('responsibleLeader'), dataIndex: 'responsibleLeader' },
              {
                title: t('responsibleDepartment'),
                dataIndex: 'responsibleDepartmentId',
                render: (d: string) => session.departmentName(d),
              },
              { title: t('dueAt'), dataIndex: 'dueAt', render: formatTime },
              { title: t('instructions'), dataIndex: 'instructions' },
            ]}
          />
        </Card>
      )}

      {view.followUps.length > 0 && (
        <Card title={t('followUps')} size="small" data-testid="follow-ups">
          <Table
            rowKey={(_, i) => String(i)}
            size="small"
            pagination={false}
            dataSource={view.followUps}
            columns={[
              { title: t('method'), dataIndex: 'method', render: (m: string) => v(m) },
              { title: t('satisfaction'), dataIndex: 'satisfaction', render: (m: string) => v(m) },
              { title: t('notes'), dataIndex: 'notes' },
            ]}
          />
        </Card>
      )}

      <Card title={t('timeline')} size="small">
        {(() => {
          const entries = timelineOf(view, files, session, v);
          return entries.length ? (
            <Timeline
              items={entries.map((e) => ({
                color: e.colour,
                children: (
                  <>
                    <Typography.Text type="secondary">{formatTime(e.at)}</Typography.Text> {e.text}
                  </>
                ),
              }))}
            />
          ) : (
            <Empty />
          );
        })()}
      </Card>
    </Space>
  );
}
