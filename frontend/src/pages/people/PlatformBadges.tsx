import type { PersonIdentity } from '../../api/client';
import { providerLabel } from '../../drivers';
import { platformsOf } from '../../people';

/** One badge per platform the identities are on ("Uber", "Bolt"). */
export function PlatformBadges({ identities }: { identities: Pick<PersonIdentity, 'provider'>[] }) {
  return (
    <span className="platforms">
      {platformsOf(identities).map((p) => (
        <span key={p} className={`provider provider-${p}`}>
          {providerLabel(p)}
        </span>
      ))}
    </span>
  );
}
