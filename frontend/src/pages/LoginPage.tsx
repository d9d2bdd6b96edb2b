import { useId, useState, type FormEvent } from 'react';
import { ApiError, getMe, login, type Me } from '../api/client';
import { PageHeading } from '../components/common';
import { useI18n } from '../i18n/I18nProvider';

export type LoginNotice = 'expired';

interface Props {
  notice?: LoginNotice;
  onLoggedIn: (me: Me) => void;
}

export function LoginPage({ notice, onLoggedIn }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = `${id}-error`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!email.trim() || !password) {
      setError(t('login.required'));
      return;
    }
    setSubmitting(true);
    setError(null);
    let step: 'login' | 'me' = 'login';
    try {
      await login(email.trim(), password);
      step = 'me';
      const me = await getMe();
      onLoggedIn(me);
    } catch (err) {
      setPassword('');
      setSubmitting(false);
      if (err instanceof ApiError && err.status === 401 && step === 'login') setError(t('login.invalid'));
      else if (err instanceof ApiError && err.isNetworkError) setError(t('error.network'));
      else if (err instanceof ApiError) setError(t('login.failed', { detail: err.detail || err.title }));
      else setError(t('login.failed', { detail: String(err) }));
    }
  }

  return (
    <section className="login card" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} title={t('login.title')}>
        {t('login.title')}
      </PageHeading>
      {notice === 'expired' && !error && (
        <p className="notice" role="status">
          {t('login.expired')}
        </p>
      )}
      <p className="muted">{t('login.intro')}</p>
      <form className="form" onSubmit={onSubmit} noValidate aria-busy={submitting}>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('login.email')}</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('login.password')}</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
          />
        </div>
        {error && (
          <p id={errorId} className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </section>
  );
}
