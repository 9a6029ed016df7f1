import {
  Alert,
  Button,
  Card,
  Cascader,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Result,
  Row,
  Select,
  Space,
} from 'antd';
import { idNumberProblem, isPhoneNumber, isWithinRegion } from '@casegrid/identity';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { api, newKey } from '../api/client';
import type { CaseView, Region } from '../api/types';
import { showProblem } from '../components/problem';
import { useT } from '../i18n';
import { go } from '../router';
import { useSession } from '../session';

interface Registered {
  id: string;
  number: string;
  status: string;
  repeat?: boolean;
  submissionCount?: number;
}
interface Option {
  value: string;
  label: string;
  children?: Option[];
}

const FIELDS = [
  'kind',
  'channel',
  'title',
  'description',
  'category',
  'regionCode',
  'urgency',
  'severity',
  'receivedAt',
  'occurredAt',
  'parties',
];

/** The division tree under the clerk's jurisdiction, down to the grids. */
function regionTree(regions: Region[], root: string): Option[] {
  const children = new Map<string, Region[]>();
  for (const r of regions)
    if (r.parentCode) children.set(r.parentCode, [...(children.get(r.parentCode) ?? []), r]);
  const build = (r: Region): Option => {
    const kids = children.get(r.code) ?? [];
    return { value: r.code, label: r.name, ...(kids.length ? { children: kids.map(build) } : {}) };
  };
  const top = regions.find((r) => r.code === root);
  return top
    ? [build(top)]
    : regions.filter((r) => isWithinRegion(r.code, root) && r.tier === 'village').map(build);
}

export function RegisterPage() {
  const { t, v } = useT();
  const session = useSession();
  const [form] = Form.useForm();
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ registered: Registered; view: CaseView | null } | null>(
    null,
  );
  const tree = useMemo(
    () => regionTree(session.regions, session.me.department.regionCode),
    [session],
  );
  const defaultChannel =
    session.has('grid_worker') && !session.has('intake_clerk') ? 'grid' : 'window';

  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    setBanner(null);
    try {
      const region = values.region as string[];
      const body = {
        kind: values.kind,
        channel: values.channel,
        title: values.title,
        description: values.description,
        category: values.category,
        regionCode: region[region.length - 1],
        urgency: values.urgency,
        severity: values.severity,
        ...(values.receivedAt ? { receivedAt: (values.receivedAt as Dayjs).format() } : {}),
        parties: (values.parties as Record<string, string | undefined>[]).map((p) =>
          Object.fromEntries(
            Object.entries(p).filter(([, value]) => value !== undefined && value !== ''),
          ),
        ),
      };
      const registered = await api.post<Registered>('/cases', body, key);
      setKey(newKey());
      // The routing decision is the ledger's to show; it follows within moments.
      let view: CaseView | null = null;
      for (let i = 0; i < 40 && !registered.repeat; i += 1) {
        view = await api.get<CaseView>(`/cases/${registered.id}`).catch(() => null);
        if (view && (view.leadDepartmentId || view.status === 'registered')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      setSaved({ registered, view });
    } catch (error) {
      const problem = showProblem(form, error, [...FIELDS, 'region']);
      // The API names `regionCode`; the form's field is the picker.
      const regionError = form.getFieldError('regionCode');
      if (regionError.length) form.setFields([{ name: 'region', errors: regionError }]);
      setBanner(problem);
      setKey(newKey());
    } finally {
      setBusy(false);
    }
  };

  if (saved) {
    const { registered, view } = saved;
    return (
      <Card data-testid="registered">
        {registered.repeat ? (
          <Result
            status="warning"
            title={t('repeatOf')}
            subTitle={`${registered.number} · ${t('submissionCount')} ${registered.submissionCount}`}
            extra={
              <Button type="primary" onClick={() => go(`cases/${registered.id}`)}>
                {t('viewCase')}
              </Button>
            }
          />
        ) : (
          <Result
            status="success"
            title={`${t('registered')} ${registered.number}`}
            subTitle={
              view?.leadDepartmentId ? (
                <Descriptions column={1} size="small" data-testid="routing-decision">
                  <Descriptions.Item label={t('routedTo')}>
                    {session.departmentName(view.leadDepartmentId)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('coHandlers')}>
                    {view.coDepartmentIds.map((d) => session.departmentName(d)).join('、') || '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('status')}>{v(view.status)}</Descriptions.Item>
                </Descriptions>
              ) : (
                <span data-testid="routing-decision">{t('awaitingDispatch')}</span>
              )
            }
            extra={[
              <Button type="primary" key="view" onClick={() => go(`cases/${registered.id}`)}>
                {t('viewCase')}
              </Button>,
              <Button
                key="again"
                onClick={() => {
                  setSaved(null);
                  form.resetFields();
                }}
              >
                {t('registerAnother')}
              </Button>,
            ]}
          />
        )}
      </Card>
    );
  }

  const idRule = {
    validator: async (_: unknown, value?: string) => {
      if (!value) return;
      const problem = idNumberProblem(value);
      if (problem === 'check_digit') throw new Error(t('idCheckFailed'));
      if (problem) throw new Error(t('idFormat'));
    },
  };
  const phoneRule = {
    validator: async (_: unknown, value?: string) => {
      if (value && !isPhoneNumber(value)) throw new Error(t('phoneFormat'));
    },
  };
  const required = [{ required: true, message: t('required') }];

  return (
    <Card title={t('register')}>
      {banner && (
        <Alert type="error" showIcon role="alert" message={banner} style={{ marginBottom: 16 }} />
      )}
      <Form
        form={form}
        name="register"
        layout="vertical"
        validateTrigger={['onChange', 'onBlur']}
        onFinish={(values: Record<string, unknown>) => void submit(values)}
        initialValues={{
          kind: 'dispute',
          channel: defaultChannel,
          urgency: 'normal',
          severity: 'minor',
          receivedAt: dayjs(),
          parties: [{ role: 'applicant' }],
        }}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="kind" label={t('kind')} rules={required}>
              <Select options={['dispute', 'petition'].map((k) => ({ value: k, label: v(k) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="channel" label={t('channel')} rules={required}>
              <Select
                options={['window', 'hotline', 'online', 'letter', 'grid', 'transfer'].map((k) => ({
                  value: k,
                  label: v(k),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="category" label={t('category')} rules={required}>
              <Select
                showSearch
                optionFilterProp="label"
                options={session.categories.map((c) => ({ value: c.code, label: c.name }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="title" label={t('title')} rules={[...required, { max: 200 }]}>
              <Input maxLength={200} showCount />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item
              name="description"
              label={t('description')}
              rules={[...required, { max: 5000 }]}
            >
              <Input.TextArea rows={4} maxLength={5000} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="region" label={t('region')} rules={required}>
              <Cascader
                options={tree}
                changeOnSelect
                showSearch={{
                  filter: (input, path) => path.some((o) => String(o.label).includes(input)),
                }}
              />
            </Form.Item>
            <Form.Item name="regionCode" hidden>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="urgency" label={t('urgency')}>
              <Select options={['normal', 'urgent'].map((k) => ({ value: k, label: v(k) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="severity" label={t('severity')}>
              <Select
                options={['minor', 'major', 'complex'].map((k) => ({ value: k, label: v(k) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="receivedAt" label={t('receivedAt')}>
              <DatePicker showTime style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.List
          name="parties"
          rules={[
            {
              validator: async (_, parties?: { role?: string }[]) => {
                if (!parties?.some((p) => p?.role === 'applicant'))
                  throw new Error(t('applicantNeeded'));
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <Card
              size="small"
              title={t('parties')}
              extra={<Button onClick={() => add({ role: 'respondent' })}>{t('addParty')}</Button>}
            >
              {fields.map((field) => (
                <Row gutter={8} key={field.key} align="bottom">
                  <Col xs={12} md={4}>
                    <Form.Item name={[field.name, 'role']} label={t('partyRole')} rules={required}>
                      <Select
                        options={['applicant', 'respondent', 'third_party'].map((k) => ({
                          value: k,
                          label: v(k),
                        }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={4}>
                    <Form.Item name={[field.name, 'name']} label={t('name')} rules={required}>
                      <Input />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item
                      name={[field.name, 'idNumber']}
                      label={t('idNumber')}
                      rules={[idRule]}
                    >
                      <Input maxLength={18} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={4}>
                    <Form.Item name={[field.name, 'phone']} label={t('phone')} rules={[phoneRule]}>
                      <Input inputMode="tel" />
                    </Form.Item>
                  </Col>
                  <Col xs={20} md={5}>
                    <Form.Item name={[field.name, 'address']} label={t('address')}>
                      <Input />
                    </Form.Item>
                  </Col>
                  <Col xs={4} md={1}>
                    <Form.Item>
                      <Button
                        aria-label={`${t('cancel')} ${field.name + 1}`}
                        onClick={() => remove(field.name)}
                      >
                        ×
                      </Button>
                    </Form.Item>
                  </Col>
                </Row>
              ))}
              <Form.ErrorList errors={errors} />
            </Card>
          )}
        </Form.List>
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('submit')}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}
