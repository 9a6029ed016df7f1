import { Alert, Button, Card, Table } from 'antd';
import type { Light } from '../api/types';
import { formatTime, useT } from '../i18n';
import { LightTag } from './light-tag';

/** One running clock a change of a calendar or a deadline policy would move (supervision's preview). */
export interface PreviewedMove {
  caseId: string;
  number: string;
  clockId: string;
  obligation: string;
  previousDueAt: string;
  dueAt: string;
  previousLight: Light;
  light: Light;
}

export interface ReschedulePreviewPage {
  items: PreviewedMove[];
  nextCursor: string | null;
}

/**
 * What saving would do to running clocks, shown before it is saved: each clock that moves,
 * its due time and light before and after. Saving is confirmed here.
 */
export function ReschedulePreview({
  preview,
  onConfirm,
}: {
  preview: ReschedulePreviewPage;
  onConfirm: () => void;
}) {
  const { t, v } = useT();
  return (
    <Card
      size="small"
      title={t('previewTitle')}
      style={{ marginTop: 16 }}
      data-testid="reschedule-preview"
      extra={
        <Button type="primary" onClick={onConfirm}>
          {t('confirmSave')}
        </Button>
      }
    >
      {preview.nextCursor && (
        <Alert type="info" message={t('moreMoves')} style={{ marginBottom: 8 }} />
      )}
      <Table
        size="small"
        rowKey={(m: PreviewedMove) => `${m.caseId}/${m.clockId}`}
        dataSource={preview.items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: t('noMoves') }}
        columns={[
          // Admins see no case content (separation of duties): the number, not a link.
          { title: t('number'), dataIndex: 'number' },
          { title: t('obligation'), dataIndex: 'obligation', render: (o: string) => v(o) },
          { title: t('dueBefore'), dataIndex: 'previousDueAt', render: formatTime },
          { title: t('dueAfter'), dataIndex: 'dueAt', render: formatTime },
          {
            title: t('lightBefore'),
            dataIndex: 'previousLight',
            render: (l: Light) => <LightTag light={l} />,
          },
          {
            title: t('lightAfter'),
            dataIndex: 'light',
            render: (l: Light) => <LightTag light={l} />,
          },
        ]}
      />
    </Card>
  );
}
