import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { I18n } from '../i18n/I18nProvider';
import { useI18n } from '../i18n/I18nProvider';
import { hasNavigated, Link } from '../router';
import type { Load } from '../hooks';

/** The page's <h1>; it takes the focus after an in-app navigation and names the tab. */
export function PageHeading({ children, title, id }: { children: ReactNode; title: string; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { t } = useI18n();
  const appName = t('app.name');
  useEffect(() => {
    document.title = `${title} · ${appName}`;
  }, [title, appName]);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}

/** A detail page's top: the way back to its list (`back`), then the page's <h1>. */
export function DetailHead({ id, title, back, backLabel }: { id: string; title: string; back: string; backLabel: string }) {
  return (
    <>
      <p className="back">
        <Link to={back}>
          <span aria-hidden="true">← </span>
          {backLabel}
        </Link>
      </p>
      <PageHeading id={id} title={title}>
        {title}
      </PageHeading>
    </>
  );
}

/** A one-line state in place of a page's content ("unknown", "not available yet"). */
export function StateNote({ children }: { children: ReactNode }) {
  return (
    <p className="state state-empty" role="status">
      {children}
    </p>
  );
}

/** What a decision did (a polite status line) or why it was refused (an alert). */
export function DecisionNotices({ done, error }: { done: string; error?: string }) {
  return (
    <>
      <p role="status" className="notice-ok">
        {done}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

export function errorMessage(t: I18n['t'], error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('error.network');
    if (error.status === 403) return t('error.forbidden');
    return t('error.generic', { detail: error.detail || error.title });
  }
  if (typeof navigator !== 'undefined' && !navigator.onLine) return t('error.network');
  return t('error.generic', { detail: error instanceof Error ? error.message : String(error) });
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <div className="state state-error" role="alert">
      <p>{errorMessage(t, error)}</p>
      <button type="button" className="button" onClick={onRetry}>
        {t('error.retry')}
      </button>
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="state state-loading" role="status">
      {t('app.loading')}
    </p>
  );
}

/** Nothing to show: a title and an optional hint. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <p className="state-title">{title}</p>
      {children && <p className="muted">{children}</p>}
    </div>
  );
}

/** The API does not have this yet (404 on the route). */
export function NotAvailable() {
  const { t } = useI18n();
  return <StateNote>{t('state.notAvailable')}</StateNote>;
}

/** Loading / error / not available around the `ready` content of a useLoad state. */
export function LoadView<T>({
  state,
  retry,
  children,
  notFound,
}: {
  state: Load<T>;
  retry: () => void;
  children: (data: T) => ReactNode;
  notFound?: ReactNode;
}) {
  switch (state.status) {
    case 'loading':
      return <Loading />;
    case 'error':
      return <ErrorState error={state.error} onRetry={retry} />;
    case 'notFound':
      return <>{notFound ?? <NotAvailable />}</>;
    case 'ready':
      return <>{children(state.data)}</>;
  }
}

/** A LoadView over a list: its empty state when the list has no items, else `children`. */
export function ItemsView<P extends { items: readonly unknown[] }>({
  state,
  retry,
  empty,
  children,
}: {
  state: Load<P>;
  retry: () => void;
  empty: ReactNode;
  children: (data: P) => ReactNode;
}) {
  return (
    <LoadView state={state} retry={retry}>
      {(data) => (data.items.length === 0 ? empty : children(data))}
    </LoadView>
  );
}
