import {
  App as AntApp,
  Button,
  ConfigProvider,
  Flex,
  Layout,
  Menu,
  Result,
  Spin,
  Tag,
  Typography,
} from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ROLES } from '@casegrid/identity';
import { api, session as auth } from './api/client';
import type { Category, Department, Me, Page, Region, User } from './api/types';
import { I18nContext, useT, type Key, type Lang } from './i18n';
import { CasePage } from './pages/case-page';
import { LedgerPage } from './pages/ledger-page';
import { LoginPage } from './pages/login-page';
import { MyWorkPage } from './pages/my-work-page';
import { RegisterPage } from './pages/register-page';
import { useRoute } from './router';
import { buildSession, SessionContext, useSession, type Session } from './session';

// Charts and the admin's tools load when opened: a clerk's phone fetches neither.
const DashboardPage = lazy(() =>
  import('./pages/dashboard-page').then((m) => ({ default: m.DashboardPage })),
);
const InspectorPage = lazy(() =>
  import('./pages/inspector-page').then((m) => ({ default: m.InspectorPage })),
);
const AdminPage = lazy(() => import('./pages/admin-page').then((m) => ({ default: m.AdminPage })));

const all = async <T,>(path: string): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<T>>(path, { limit: 200, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
};

interface NavItem {
  key: string;
  label: Key;
  roles: readonly string[];
}
const NAV: NavItem[] = [
  {
    key: 'work',
    label: 'myWork',
    roles: ['dispatcher', 'handler', 'mediator', 'petition_officer', 'supervisor', 'grid_worker'],
  },
  { key: 'register', label: 'register', roles: ['intake_clerk', 'grid_worker'] },
  {
    key: 'ledger',
    label: 'ledger',
    // Every role that sees cases: all but the administrator (separation of duties).
    roles: ROLES.filter((role) => role !== 'admin'),
  },
  { key: 'dashboard', label: 'dashboard', roles: ['supervisor', 'inspector'] },
  { key: 'inspector', label: 'inspector', roles: ['inspector'] },
  { key: 'admin', label: 'admin', roles: ['admin'] },
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { t, v, lang } = useT();
  const { setLang } = useContextLang();
  const s = useSession();
  const route = useRoute();
  const nav = NAV.filter((n) => s.has(...n.roles));
  const page = route[0] ?? nav[0]?.key ?? 'ledger';

  const content = (() => {
    switch (page) {
      case 'cases':
        return route[1] ? <CasePage key={route[1]} id={route[1]} /> : <LedgerPage />;
      case 'work':
        return <MyWorkPage />;
      case 'register':
        return <RegisterPage />;
      case 'ledger':
        return <LedgerPage />;
      case 'dashboard':
        return <DashboardPage />;
      case 'inspector':
        return <InspectorPage caseId={route[1]} />;
      case 'admin':
        return <AdminPage />;
      default:
        return <Result status="404" />;
    }
  })();

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('skipToContent')}
      </a>
      <Layout.Header
        style={{
          background: '#fff',
          padding: '0 16px',
          height: 'auto',
          lineHeight: 1.4,
          borderBottom: '1px solid #e5e5e5',
        }}
      >
        <Flex justify="space-between" align="center" wrap gap={8} style={{ padding: '8px 0' }}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {t('appName')}
          </Typography.Text>
          <Flex gap={8} align="center" wrap data-testid="who">
            <span data-testid="user-name">{s.me.user.name}</span>
            {s.me.roles.map((r) => (
              <Tag key={r}>{v(r)}</Tag>
            ))}
            <span aria-label={t('department')} data-testid="user-department">
              {s.me.department.name}
            </span>
            <span aria-label={t('jurisdiction')} data-testid="user-jurisdiction">
              · {t('jurisdiction')} {s.me.jurisdiction.regionName}
            </span>
            <Button
              size="small"
              onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
              lang={lang === 'zh' ? 'en' : 'zh'}
            >
              {t('language')}
            </Button>
            <Button size="small" onClick={onSignOut}>
              {t('signOut')}
            </Button>
          </Flex>
        </Flex>
        <nav aria-label="main">
          <Menu
            mode="horizontal"
            selectedKeys={[page === 'cases' ? 'ledger' : page]}
            items={nav.map((n) => ({ key: n.key, label: <a href={`#/${n.key}`}>{t(n.label)}</a> }))}
            style={{ borderBottom: 'none' }}
          />
        </nav>
      </Layout.Header>
      <Layout.Content
        id="main"
        tabIndex={-1}
        style={{ padding: 16, maxWidth: 1400, width: '100%', margin: '0 auto' }}
      >
        <Suspense fallback={<Spin />}>{content}</Suspense>
      </Layout.Content>
    </Layout>
  );
}

const useContextLang = () => useContext(I18nContext);

export function App() {
  const [lang, setLang] = useState<Lang>(
    () => (localStorage.getItem('casegrid.lang') as Lang | null) ?? 'zh',
  );
  const [token, setToken] = useState(auth.token());
  const [session, setSession] = useState<Session | null>(null);

  const signOut = useCallback(() => {
    auth.set(null);
    setToken(null);
    setSession(null);
  }, []);
  useEffect(() => auth.onUnauthorized(signOut), [signOut]);

  useEffect(() => {
    if (!token) return;
    void (async () => {
      const me = await api.get<Me>('/me');
      const [regions, departments, categories, users] = await Promise.all([
        all<Region>('/regions'),
        all<Department>('/departments'),
        all<Category>('/categories'),
        all<User>('/users'),
      ]);
      setSession(buildSession(me, regions, departments, categories, users));
    })().catch(signOut);
  }, [token, signOut]);

  const i18n = useMemo(
    () => ({
      lang,
      setLang: (next: Lang) => {
        localStorage.setItem('casegrid.lang', next);
        document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
        setLang(next);
      },
    }),
    [lang],
  );

  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider
        locale={lang === 'zh' ? zhCN : enUS}
        theme={{ token: { colorPrimary: '#1554ad', borderRadius: 4 } }}
      >
        <AntApp>
          {!token ? (
            <LoginPage
              onSignedIn={(t) => {
                auth.set(t);
                setToken(t);
              }}
            />
          ) : !session ? (
            <Spin size="large" style={{ display: 'block', marginTop: 120 }} />
          ) : (
            <SessionContext.Provider value={session}>
              <Shell onSignOut={signOut} />
            </SessionContext.Provider>
          )}
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}
