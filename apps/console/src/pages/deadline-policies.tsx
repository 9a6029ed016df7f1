import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  InputNumber,
  Row,
  Select,
  Table,
  message,
} from 'antd';
import { useEffect, useState } from 'react';
import { api, newKey } from '../api/client';
import type { Page } from '../api/types';
import { showProblem } from '../components/problem';
import { ReschedulePreview, type ReschedulePreviewPage } from '../components/reschedule-preview';
import { useT } from '../i18n';
import { PERIOD_UNITS, policyOf, type DeadlinePolicy, type Period } from '@casegrid/deadlines';

/** A deadline policy as `GET /deadline-policies` lists it: the policy, and what the store adds. */
type StoredPolicy = DeadlinePolicy & { readonly version: number; readonly effectiveFrom?: string };

interface Values {
  items: [{ period: Period; warnBefore: Period }];
  applyToRunning?: boolean;
}
interface Change {
  body: { items: DeadlinePolicy[]; applyToRunning: boolean };
  page: ReschedulePreviewPage;
}

/**
 * One policy's period and warning, changed in two steps as a calendar is: supervision first
 * says which running clocks the change would move — none unless it is to apply to running
 * clocks — and saving is confirmed under that list. Errors land on the fields they name
 * (`items[0].period.length`…), the form's names being the body's.
 */
function PolicyEditor({ policy, onSaved }: { policy: StoredPolicy; onSaved: () => void }) {
  const { t, v } = useT();
  const [form] = Form.useForm<Values>();
  const [banner, setBanner] = useState<string | null>(null);
  const [change, setChange] = useState<Change>();
  useEffect(() => {
    form.setFieldsValue({
      items: [{ period: policy.period, warnBefore: policy.warnBefore }],
      applyToRunning: false,
    });
    setChange(undefined);
    setBanner(null);
  }, [policy, form]);
  const units = PERIOD_UNITS.map((u) => ({ value: u, label: v(u) }));
  const preview = async (values: Values) => {
    const [edited] = values.items;
    const body = {
      items: [{ ...policyOf(policy), period: edited.period, warnBefore: edited.warnBefore }],
      applyToRunning: values.applyToRunning === true,
    };
    try {
      const page = await api.post<ReschedulePreviewPage>(
        '/deadline-policies/preview?limit=500',
        body,
        newKey(),
      );
      setBanner(null);
      setChange({ body, page });
    } catch (error) {
      setBanner(showProblem(form, error, ['items', 'applyToRunning']));
    }
  };
  const save = async ({ body }: Change) => {
    try {
      await api.put('/deadline-policies', body);
      setChange(undefined);
      setBanner(null);
      void message.success(t('saved'));
      onSaved();
    } catch (error) {
      setChange(undefined);
      setBanner(showProblem(form, error, ['items', 'applyToRunning']));
    }
  };
  const period = (name: 'period' | 'warnBefore', label: string) => (
    <Row gutter={8}>
      <Col xs={12} md={6}>
        <Form.Item name={['items', 0, name, 'length']} label={label} rules={[{ required: true }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item name={['items', 0, name, 'unit']} label={t('unit')}>
          <Select options={units} />
        </Form.Item>
      </Col>
    </Row>
  );
  return (
    <Card
      size="small"
      title={`${t('policyChange')}：${policy.name}（${policy.code}，${t('version')} ${policy.version}）`}
      style={{ marginTop: 16 }}
      data-testid="policy-editor"
    >
      {banner && <Alert type="warning" message={banner} style={{ marginBottom: 8 }} />}
      <Form
        form={form}
        layout="vertical"
        name="policy"
        onFinish={(values) => void preview(values)}
        onValuesChange={() => setChange(undefined)}
      >
        {period('period', t('period2'))}
        {period('warnBefore', t('warnBefore'))}
        <Form.Item name="applyToRunning" valuePropName="checked">
          <Checkbox>{t('applyToRunning')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('previewChange')}
        </Button>
      </Form>
      {change && !change.body.applyToRunning && (
        <Alert type="info" message={t('newClocksOnly')} style={{ marginTop: 16 }} />
      )}
      {change && <ReschedulePreview preview={change.page} onConfirm={() => void save(change)} />}
    </Card>
  );
}

/** The policies as they stand, each with its statutory basis, and the editor of one of them. */
export function DeadlinePolicies() {
  const { t, v } = useT();
  const [policies, setPolicies] = useState<StoredPolicy[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const load = () =>
    void api.get<Page<StoredPolicy>>('/deadline-policies').then((p) => setPolicies(p.items));
  useEffect(load, []);
  const policy = policies.find((p) => p.code === editing);
  return (
    <>
      <Table
        size="small"
        rowKey="code"
        dataSource={policies}
        pagination={false}
        scroll={{ x: 900 }}
        columns={[
          { title: t('obligation'), dataIndex: 'obligation', render: (o: string) => v(o) },
          { title: t('name'), dataIndex: 'name' },
          {
            title: t('period2'),
            dataIndex: 'period',
            render: (p: Period) => `${p.length} ${v(p.unit)}`,
          },
          {
            title: t('article'),
            key: 'article',
            render: (_: unknown, p: StoredPolicy) => p.article ?? p.basis,
          },
          { title: t('version'), dataIndex: 'version' },
          {
            title: '',
            key: 'change',
            render: (_: unknown, p: StoredPolicy) => (
              <Button
                size="small"
                data-action={`policy-${p.code}`}
                onClick={() => setEditing(p.code)}
              >
                {t('changePolicy')}
              </Button>
            ),
          },
        ]}
      />
      {policy && <PolicyEditor policy={policy} onSaved={load} />}
    </>
  );
}
