import { Alert, Button, DatePicker, Form, Input, InputNumber, Modal, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, newKey } from '../api/client';
import type { Command } from '../api/types';
import { useT, type Key } from '../i18n';
import { useSession } from '../session';
import { showProblem } from './problem';

export type FieldKind =
  | { kind: 'text' | 'textarea' | 'datetime' | 'tags' | 'boolean' | 'number' }
  | { kind: 'select'; options: readonly string[] }
  | { kind: 'department' | 'departments' }
  | { kind: 'users'; role: string; departmentId?: string };

export type FieldSpec = FieldKind & {
  name: string;
  label: Key;
  required?: boolean;
  initial?: unknown;
};

export interface ActionSpec {
  key: string;
  label: Key;
  path: string;
  fields: FieldSpec[];
  danger?: boolean;
}

const toBody = (fields: FieldSpec[], values: Record<string, unknown>) =>
  Object.fromEntries(
    fields.flatMap((f) => {
      const value = values[f.name];
      if (value === undefined || value === null || value === '') return [];
      if (f.kind === 'datetime') return [[f.name, (value as Dayjs).format()]];
      return [[f.name, value]];
    }),
  );

/** One command as a button and a dialog; the server's field errors land on the fields. */
export function ActionButton({
  spec,
  version,
  onDone,
}: {
  spec: ActionSpec;
  version?: number;
  onDone: (result: Command) => void;
}) {
  const { t, v } = useT();
  const session = useSession();
  const [form] = Form.useForm<Record<string, unknown>>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  // One key per dialog: a double click or a retry after a timeout is the same command.
  const [key, setKey] = useState(newKey);

  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    setBanner(null);
    try {
      const result = await api.post<Command>(spec.path, toBody(spec.fields, values), key, version);
      setOpen(false);
      form.resetFields();
      setKey(newKey());
      onDone(result);
    } catch (error) {
      setBanner(
        showProblem(
          form,
          error,
          spec.fields.map((f) => f.name),
        ),
      );
      setKey(newKey());
    } finally {
      setBusy(false);
    }
  };

  const input = (f: FieldSpec) => {
    switch (f.kind) {
      case 'textarea':
        return <Input.TextArea rows={3} />;
      case 'datetime':
        return <DatePicker showTime style={{ width: '100%' }} />;
      case 'number':
        return <InputNumber min={1} style={{ width: '100%' }} />;
      case 'boolean':
        return <Switch />;
      case 'tags':
        return <Select mode="tags" open={false} suffixIcon={null} />;
      case 'select':
        return <Select options={f.options.map((o) => ({ value: o, label: v(o) }))} />;
      case 'department':
      case 'departments':
        return (
          <Select
            mode={f.kind === 'departments' ? 'multiple' : undefined}
            showSearch
            optionFilterProp="label"
            options={session.departments.map((d) => ({ value: d.id, label: d.name }))}
          />
        );
      case 'users':
        return (
          <Select
            mode="multiple"
            optionFilterProp="label"
            options={session.users
              .filter(
                (u) =>
                  u.roles.includes(f.role as never) &&
                  (!f.departmentId || u.departmentId === f.departmentId),
              )
              .map((u) => ({ value: u.id, label: u.name }))}
          />
        );
      default:
        return <Input />;
    }
  };

  return (
    <>
      <Button danger={spec.danger} onClick={() => setOpen(true)} data-action={spec.key}>
        {t(spec.label)}
      </Button>
      <Modal
        open={open}
        title={t(spec.label)}
        onCancel={() => setOpen(false)}
        okText={t('submit')}
        cancelText={t('cancel')}
        confirmLoading={busy}
        onOk={() => form.submit()}
        destroyOnHidden
        forceRender
      >
        {banner && (
          <Alert type="error" showIcon message={banner} role="alert" style={{ marginBottom: 12 }} />
        )}
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => void submit(values)}
          initialValues={Object.fromEntries(
            spec.fields.map((f) => [
              f.name,
              f.kind === 'datetime' && f.initial === 'now' ? dayjs() : f.initial,
            ]),
          )}
          name={spec.key}
        >
          {spec.fields.map((f) => (
            <Form.Item
              key={f.name}
              name={f.name}
              label={t(f.label)}
              valuePropName={f.kind === 'boolean' ? 'checked' : 'value'}
              rules={f.required ? [{ required: true, message: t('required') }] : []}
            >
              {input(f)}
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </>
  );
}
