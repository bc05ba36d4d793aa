/**
 * @module admin/conditionalAccess/CaFrame
 * The common frame of the conditional access tabs (Policies, Named locations, What if): the
 * title, the trail, what conditional access does, and the tabs, each tab its own address.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Body1, Tab, TabList } from '@fluentui/react-components';
import { Panel } from '../../common/Panel';
import { Crumbs } from '../roles/Crumbs';

export const CA_BASE = '/admin/tenant/conditional-access';
type TabId = 'policies' | 'locations' | 'what-if';

/** The frame of the three tabs; `tab` is the one shown. */
export function CaFrame({ tab, children }: { tab: TabId; children: ReactNode }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const current = {
    policies: t('admin.conditionalAccess.tabs.policies'),
    locations: t('admin.conditionalAccess.tabs.locations'),
    'what-if': t('admin.conditionalAccess.tabs.whatIf'),
  }[tab];
  return (
    <Panel title={t('admin.conditionalAccess.title')} width="wide" data-testid={`ca-${tab}`}>
      <Crumbs
        items={[{ label: t('admin.tenant.crumb') }, { to: CA_BASE, label: t('admin.conditionalAccess.crumb') }]}
        current={current}
      />
      <Body1>{t('admin.conditionalAccess.intro')}</Body1>
      <TabList
        selectedValue={tab}
        onTabSelect={(_, data) => void navigate(`${CA_BASE}/${String(data.value)}`)}
        aria-label={t('admin.conditionalAccess.tabs.label')}
      >
        <Tab value="policies" data-testid="ca-tab-policies">
          {t('admin.conditionalAccess.tabs.policies')}
        </Tab>
        <Tab value="locations" data-testid="ca-tab-locations">
          {t('admin.conditionalAccess.tabs.locations')}
        </Tab>
        <Tab value="what-if" data-testid="ca-tab-what-if">
          {t('admin.conditionalAccess.tabs.whatIf')}
        </Tab>
      </TabList>
      {children}
    </Panel>
  );
}
