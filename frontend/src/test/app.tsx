import { render } from '@testing-library/react';
import { App } from '../App';
import { setSession } from '../api/client';
import { I18nProvider } from '../i18n/I18nProvider';

/** The whole app at `path`, signed in with `role`. */
export function openApp(path: string, role: string) {
  setSession('tok', 3600, { user_id: 'u1', email: 'a@b.fr', org_id: 'o1', role } as never);
  window.history.replaceState(null, '', path);
  return render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
}
