/**
 * @module admin/roles/AppLink
 * A Fluent link to a page of the app: a real `href` (open in a new tab works), and a plain
 * click navigates inside the app without reloading it.
 */
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { Link } from '@fluentui/react-components';

export function AppLink({
  to,
  children,
  'data-testid': testId,
}: {
  to: string;
  children: ReactNode;
  'data-testid'?: string;
}) {
  const navigate = useNavigate();
  return (
    <Link
      href={to}
      data-testid={testId}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        void navigate(to);
      }}
    >
      {children}
    </Link>
  );
}
