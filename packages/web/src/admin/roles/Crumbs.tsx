/**
 * @module admin/roles/Crumbs
 * The trail above an admin page ("Roles > Help desk (view only)"): links back to the pages
 * above this one, then the current page.
 */
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Breadcrumb, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem, Text } from '@fluentui/react-components';
import { Fragment } from 'react';

export interface Crumb {
  /** The page it links to; without one the item is a label (a heading of the navigation). */
  to?: string;
  label: string;
}

/** See the module description; `current` names the page the person is on (not a link). */
export function Crumbs({ items, current }: { items: readonly Crumb[]; current?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Breadcrumb aria-label={t('admin.roles.breadcrumb')} size="small">
      {items.map((item, i) => (
        <Fragment key={`${i}-${item.label}`}>
          <BreadcrumbItem>
            {item.to ? (
              <BreadcrumbButton
                href={item.to}
                onClick={(event) => {
                  event.preventDefault();
                  if (item.to) void navigate(item.to);
                }}
              >
                {item.label}
              </BreadcrumbButton>
            ) : (
              <Text size={200}>{item.label}</Text>
            )}
          </BreadcrumbItem>
          {i < items.length - 1 || current ? <BreadcrumbDivider /> : null}
        </Fragment>
      ))}
      {current ? (
        <BreadcrumbItem>
          <BreadcrumbButton current>{current}</BreadcrumbButton>
        </BreadcrumbItem>
      ) : null}
    </Breadcrumb>
  );
}
