import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Table,
  Tabs,
  Tag,
  message,
} from 'antd';
import { route, type RoutingDecision, type RoutingRule } from '@casegrid/intake-routing';
import { ROLES, type DepartmentType } from '@casegrid/identity';
import { useEffect, useState } from 'react';
import { api, newKey } from '../api/client';
import type { Page } from '../api/types';
import { showProblem } from '../components/problem';
import { ReschedulePreview, type ReschedulePreviewPage } from '../components/reschedule-preview';
import { useT } from '../i18n';
import { useSession } from '../session';
import { DeadlinePolicies } from './deadline-policies';

interface Rule extends RoutingRule {
  version: number;
  note: string | null;
}
interface CalendarBody {
  holidays: string[];
  makeupWorkdays: string[];
}
interface CalendarYear {
  year: number;
  holidays: string[];
  makeupWorkdays: string[];
  version?: number;
}

/** "Which department would this case go to": the routing engine itself, on the rules as stored. */
function RoutingTester({ rules }: { rules: Rule[] }) {
  const { t, v } = useT();
  const s = useSession();
  const [decision, setDecision] = useState<RoutingDecision | string | null>(null);
  const test = (values: {
    category: string;
    regionCode: string;
    kind: 'dispute' | 'petition';
    severity: 'minor' | 'major' | 'complex';
  }) => {
    try {
      setDecision(
        route(
          values,
          rules,
          s.departments.map((d) => ({ ...d, type: d.type as DepartmentType })),
        ),
      );
    } catch (error) {
      setDecision((error as Error).message);
    }
  };
  return (
    <Card size="small" title={t('tester')}>
      <Form
        layout="vertical"
        name="routing-tester"
        onFinish={test}
        initialValues={{ kind: 'dispute', severity: 'minor' }}
      >
        <Row gutter={8}>
          <Col xs={24} md={6}>
            <Form.Item name="category" label={t('category')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={s.categories.map((c) => ({ value: c.code, label: c.name }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="regionCode" label={t('region')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={s.regions.map((r) => ({ value: r.code, label: `${r.name} (${r.code})` }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="kind" label={t('kind')}>
              <Select options={['dispute', 'petition'].map((k) => ({ value: k, label: v(k) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="severity" label={t('severity')}>
              <Select
                options={['minor', 'major', 'complex'].map((k) => ({ value: k, label: v(k) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={4}>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit">
                {t('tester')}
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {typeof decision === 'string' && <Alert type="error" message={decision} />}
      {decision && typeof decision !== 'string' && (
        <Descriptions size="small" bordered column={1} data-testid="routing-test-result">
          <Descriptions.Item label={t('wouldGoTo')}>
            {decision.outcome === 'routed'
              ? s.departmentName(decision.leadDepartmentId)
              : t('awaitingDispatch')}
          </Descriptions.Item>
          {decision.outcome === 'routed' && (
            <Descriptions.Item label={t('coHandlers')}>
              {decision.coDepartmentIds.map((d) => s.departmentName(d)).join('、') || '—'}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('basis')}>{decision.explanation}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}

function Calendars() {
  const { t } = useT();
  const [form] = Form.useForm();
  const [year, setYear] = useState(new Date().getFullYear());
  const [loaded, setLoaded] = useState<CalendarYear | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  useEffect(() => {
    // Only the year now chosen may fill the form: a slower answer for the year before would
    // otherwise put that year's days (and version) under this year's heading.
    let current = true;
    void api.get<CalendarYear>(`/calendars/${year}`).then(
      (c) => {
        if (!current) return;
        setLoaded(c);
        form.setFieldsValue({
          holidays: c.holidays.join('\n'),
          makeupWorkdays: c.makeupWorkdays.join('\n'),
        });
      },
      (e: Error) => {
        if (!current) return;
        setLoaded(null);
        setBanner(e.message);
        form.resetFields();
      },
    );
    return () => {
      current = false;
    };
  }, [year, form]);
  const [preview, setPreview] = useState<{ body: CalendarBody; page: ReschedulePreviewPage }>();
  useEffect(() => setPreview(undefined), [year]);
  const lines = (x?: string) => (x ?? '').split(/\s+/).filter(Boolean);
  // Saving is two steps: supervision first says which running clocks the year would move.
  const previewSave = async (values: { holidays?: string; makeupWorkdays?: string }) => {
    const body = { holidays: lines(values.holidays), makeupWorkdays: lines(values.makeupWorkdays) };
    try {
      const page = await api.post<ReschedulePreviewPage>(
        `/calendars/${year}/preview?limit=500`,
        body,
        newKey(),
      );
      setBanner(null);
      setPreview({ body, page });
    } catch (error) {
      setBanner(showProblem(form, error, ['holidays', 'makeupWorkdays']));
    }
  };
  const save = async (body: CalendarBody) => {
    try {
      const saved = await api.put<CalendarYear>(`/calendars/${year}`, body, loaded?.version);
      setLoaded(saved);
      setPreview(undefined);
      setBanner(null);
      void message.success(t('saved'));
    } catch (error) {
      setPreview(undefined);
      setBanner(showProblem(form, error, ['holidays', 'makeupWorkdays']));
    }
  };
  return (
    <Card
      size="small"
      title={t('calendars')}
      extra={
        <Select
          aria-label={t('year')}
          value={year}
          onChange={setYear}
          options={[2024, 2025, 2026, 2027].map((y) => ({ value: y, label: y }))}
        />
      }
    >
      {banner && <Alert type="warning" message={banner} style={{ marginBottom: 8 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v: { holidays?: string; makeupWorkdays?: string }) => void previewSave(v)}
        onValuesChange={() => setPreview(undefined)}
        name="calendar"
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="holidays" label={t('holidays')}>
              <Input.TextArea rows={10} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="makeupWorkdays" label={t('makeupWorkdays')}>
              <Input.TextArea rows={10} />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit">
          {t('previewChange')}
        </Button>
      </Form>
      {preview && (
        <ReschedulePreview preview={preview.page} onConfirm={() => void save(preview.body)} />
      )}
    </Card>
  );
}

function Users() {
  const { t, v } = useT();
  const s = useSession();
  const [form] = Form.useForm();
  const [users, setUsers] = useState(s.users);
  const [banner, setBanner] = useState<string | null>(null);
  const add = async (values: Record<string, unknown>) => {
    try {
      await api.post('/users', values, newKey());
      setUsers((await api.get<Page<(typeof users)[number]>>('/users', { limit: 200 })).items);
      form.resetFields();
      setBanner(null);
      void message.success(t('saved'));
    } catch (error) {
      setBanner(
        showProblem(form, error, ['username', 'name', 'departmentId', 'roles', 'password']),
      );
    }
  };
  return (
    <Row gutter={16}>
      <Col xs={24} lg={16}>
        <Table
          size="small"
          rowKey="id"
          dataSource={users}
          pagination={{ pageSize: 20 }}
          scroll={{ x: true }}
          columns={[
            { title: t('username'), dataIndex: 'username' },
            { title: t('name'), dataIndex: 'name' },
            {
              title: t('department'),
              dataIndex: 'departmentId',
              render: (d: string) => s.departmentName(d),
            },
            {
              title: t('roles'),
              dataIndex: 'roles',
              render: (r: string[]) => r.map((x) => <Tag key={x}>{v(x)}</Tag>),
            },
          ]}
        />
      </Col>
      <Col xs={24} lg={8}>
        <Card size="small" title={t('addUser')}>
          {banner && <Alert type="error" message={banner} style={{ marginBottom: 8 }} />}
          <Form
            form={form}
            layout="vertical"
            onFinish={(x: Record<string, unknown>) => void add(x)}
            name="add-user"
          >
            <Form.Item name="username" label={t('username')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="name" label={t('name')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="departmentId" label={t('department')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={s.departments.map((d) => ({ value: d.id, label: d.name }))}
              />
            </Form.Item>
            <Form.Item name="roles" label={t('roles')} rules={[{ required: true }]}>
              <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: v(r) }))} />
            </Form.Item>
            <Form.Item name="password" label={t('password')} rules={[{ required: true }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t('submit')}
            </Button>
          </Form>
        </Card>
      </Col>
    </Row>
  );
}

/** Reference data: routing rules with their tester, deadline policies, calendars, users. */
export function AdminPage() {
  const { t, v } = useT();
  const s = useSession();
  const [rules, setRules] = useState<Rule[]>([]);
  useEffect(() => {
    void (async () => {
      const all: Rule[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<Rule>>('/routing-rules', { limit: 200, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      setRules(all);
    })();
  }, []);
  return (
    <Tabs
      items={[
        {
          key: 'rules',
          label: t('routingRules'),
          children: (
            <>
              <RoutingTester rules={rules} />
              <Table
                size="small"
                rowKey="id"
                dataSource={rules}
                pagination={{ pageSize: 20 }}
                scroll={{ x: 900 }}
                style={{ marginTop: 16 }}
                columns={[
                  {
                    title: t('category'),
                    dataIndex: 'category',
                    render: (c: string | null) => (c ? s.categoryName(c) : t('anyRegion')),
                  },
                  {
                    title: t('region'),
                    dataIndex: 'regionCode',
                    render: (r: string | null) => (r ? s.regionName(r) : t('anyRegion')),
                  },
                  {
                    title: t('kind'),
                    dataIndex: 'kind',
                    render: (k: string | null) => (k ? v(k) : t('anyRegion')),
                  },
                  {
                    title: t('severity'),
                    dataIndex: 'severity',
                    render: (k: string | null) => (k ? v(k) : t('anyRegion')),
                  },
                  { title: t('leadType'), dataIndex: 'leadDepartmentType' },
                  {
                    title: t('coTypes'),
                    dataIndex: 'coDepartmentTypes',
                    render: (c: string[]) => c.join(', '),
                  },
                  { title: t('tier'), dataIndex: 'tier' },
                  { title: t('note'), dataIndex: 'note', ellipsis: true },
                ]}
              />
            </>
          ),
        },
        { key: 'policies', label: t('deadlinePolicies'), children: <DeadlinePolicies /> },
        { key: 'calendars', label: t('calendars'), children: <Calendars /> },
        { key: 'users', label: t('users'), children: <Users /> },
      ]}
    />
  );
}
