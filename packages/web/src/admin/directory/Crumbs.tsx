/**
 * @module admin/directory/Crumbs
 * The trail above a directory page ("Users and groups › All users › Dana Smith"), its items
 * links back to the pages above.
 */
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Breadcrumb, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem } from '@fluentui/react-components';

export interface Crumb {
  to?: string;
  label: string;
}

/** See the module description. */
export function Crumbs({ items }: { items: readonly Crumb[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Breadcrumb aria-label={t('admin.directory.breadcrumb')} size="small">
      {items.map((item, i) => (
        <Fragment key={`${i}-${item.label}`}>
          <BreadcrumbItem>
            <BreadcrumbButton
              href={item.to}
              current={!item.to}
              onClick={(event) => {
                if (!item.to) return;
                event.preventDefault();
                void navigate(item.to);
              }}
            >
              {item.label}
            </BreadcrumbButton>
          </BreadcrumbItem>
          {i < items.length - 1 ? <BreadcrumbDivider /> : null}
        </Fragment>
      ))}
    </Breadcrumb>
  );
}
