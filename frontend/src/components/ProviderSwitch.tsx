import { useI18n } from '../i18n/I18nProvider';
import { PROVIDER_CHOICES, useProvider, type ProviderChoice } from '../provider';

export function providerChoiceLabel(t: ReturnType<typeof useI18n>['t'], choice: ProviderChoice): string {
  return choice === 'all' ? t('provider.all') : choice === 'uber' ? 'Uber' : 'Bolt';
}

/** Uber / Bolt / Tous: toggle buttons (aria-pressed), remembered in localStorage. */
export function ProviderSwitch() {
  const { t } = useI18n();
  const { provider, setProvider } = useProvider();
  return (
    <div className="segmented" role="group" aria-label={t('provider.label')}>
      {PROVIDER_CHOICES.map((choice) => (
        <button
          key={choice}
          type="button"
          className="segment"
          aria-pressed={provider === choice}
          onClick={() => setProvider(choice)}
        >
          {providerChoiceLabel(t, choice)}
        </button>
      ))}
    </div>
  );
}
