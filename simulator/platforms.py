"""Who drives on which platform, and how each platform writes them down.

Both rosters fill the same numbered slots: Uber's driver of slot ``i`` is person ``2i``;
Bolt's is the same person ``2i`` when the slot is *shared*, else person ``2i + 1``, whom
Uber never sees. So one-platform drivers are different people by construction, and a pair
is exactly "the same person index live on both rosters" (``truth``).

A slot is shared with probability ``2s / (1 + s)`` for ``SIM_BOTH_PLATFORMS_SHARE`` = ``s``:
with rosters of equal size that makes ``s`` the share of *people* who drive on both (a
shared slot is one person, an unshared one two).

What real data does to a pair, drawn per slot from the seed (shares of the pairs)::

    phone_format      30 %  Bolt writes the number another way (``06 12 34 56 78``, ...);
                            also on one-platform Bolt drivers
    other_email       15 %  a second e-mail on one side; the phone matches
    changed_phone     10 %  a new phone on one side; the e-mail matches
    no_shared_contact  3 %  both differ on one side: only name + plate find them
    name twist        10 %  accents dropped (``Hélène``/``Helene``) or two letters swapped
                            on one side, never with ``no_shared_contact``

and 10 % of unshared slots are homonyms: the Bolt-only person bears the first and last
name of the slot's Uber-only person (another phone, e-mail and car).

Everything is a pure function of ``(seed, share, slot)``: O(1) per driver, whatever the
order drivers are built in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from simulator.people import Person, changed_number, email_of, person, without_accents

PHONE_FORMAT_SHARE = 0.30
OTHER_EMAIL_SHARE = 0.15
CHANGED_PHONE_SHARE = 0.10
NO_SHARED_CONTACT_SHARE = 0.03
NAME_TWIST_SHARE = 0.10
HOMONYM_SHARE = 0.10
# How Bolt's drivers type their number, beside the E.164 form ("e164").
PHONE_FORMS = ("spaced", "international_spaced", "zero_zero", "dotted", "dashed")


@dataclass(frozen=True)
class Slot:
    """What the seed decided for roster slot ``index``."""

    index: int
    shared: bool
    contact: str  # "same" | "other_email" | "changed_phone" | "no_shared_contact"
    contact_side: str  # "uber" | "bolt": whose record differs
    name_twist: str  # "" | "accents" | "swap"
    name_side: str
    phone_form: str  # "e164" or one of PHONE_FORMS
    homonym: bool
    rng_key: str  # seeds what a twist draws (a changed number, a swapped letter)


def slot_of(seed: int, share: float, index: int) -> Slot:
    """The draws of slot ``index``; every value is drawn, in order, whether used or not."""
    rng = random.Random(f"{seed}:slot:{index}")
    shared = rng.random() < slot_share(share)
    contact, twist = _contact(rng.random()), rng.random() < NAME_TWIST_SHARE
    contact_side, name_side = rng.choice(("uber", "bolt")), rng.choice(("uber", "bolt"))
    twist_kind = rng.choice(("accents", "swap"))
    form = rng.choice(PHONE_FORMS) if rng.random() < PHONE_FORMAT_SHARE else "e164"
    homonym = rng.random() < HOMONYM_SHARE
    return Slot(
        index=index,
        shared=shared,
        contact=contact if shared else "same",
        contact_side=contact_side,
        name_twist=twist_kind if shared and twist and contact != "no_shared_contact" else "",
        name_side=name_side,
        phone_form=form,
        homonym=homonym and not shared,
        rng_key=f"{seed}:twist:{index}",
    )


def slot_share(share: float) -> float:
    """The chance a slot is shared that makes ``share`` of the people drive on both."""
    return 2 * share / (1 + share)


def _contact(roll: float) -> str:
    """Which of a pair's contact details disagree, for a uniform ``roll``."""
    for kind, upto in (
        ("no_shared_contact", NO_SHARED_CONTACT_SHARE),
        ("changed_phone", NO_SHARED_CONTACT_SHARE + CHANGED_PHONE_SHARE),
        ("other_email", NO_SHARED_CONTACT_SHARE + CHANGED_PHONE_SHARE + OTHER_EMAIL_SHARE),
    ):
        if roll < upto:
            return kind
    return "same"


def uber_person(seed: int, share: float, index: int) -> Person:
    """How Uber knows the driver of slot ``index``."""
    slot = slot_of(seed, share, index)
    return as_written(slot, person(seed, 2 * index), "uber")


def bolt_person(seed: int, share: float, index: int) -> tuple[Person, str]:
    """How Bolt knows the driver of slot ``index``, and the form Bolt writes the phone in."""
    slot = slot_of(seed, share, index)
    if slot.shared:
        return as_written(slot, person(seed, 2 * index), "bolt"), slot.phone_form
    own = person(seed, 2 * index + 1)
    if slot.homonym:
        own = namesake(own, person(seed, 2 * index))
    return own, slot.phone_form


def namesake(who: Person, of: Person) -> Person:
    """``who`` bearing the first and last name of ``of`` (still their own phone and car)."""
    email = email_of(of.first_name, of.last_name, who.index)
    return replace(who, first_name=of.first_name, last_name=of.last_name, email=email)


def as_written(slot: Slot, who: Person, side: str) -> Person:
    """``who`` as the ``side`` platform holds them, with the slot's twists on that side."""
    contact = slot.contact if side == slot.contact_side else "same"
    twist = slot.name_twist if side == slot.name_side else ""
    if contact == "same" and not twist:
        return who  # most records: no rng to seed
    rng = random.Random(slot.rng_key)
    new_number, letter = changed_number(rng), rng.random()
    if contact in ("other_email", "no_shared_contact"):
        who = replace(who, email=second_email(who))
    if contact in ("changed_phone", "no_shared_contact"):
        who = replace(who, phone_national=new_number)
    return twisted_name(who, twist, letter) if twist else who


def second_email(who: Person) -> str:
    """Another address of the same person (``h.martin42@example.net``)."""
    local = f"{who.first_name[0]}.{who.last_name}{who.index}"
    return f"{without_accents(local).lower().replace(' ', '')}@example.net"


def twisted_name(who: Person, twist: str, roll: float) -> Person:
    """``who`` with accents dropped from their names, or two letters of one swapped.

    Accents fall back to a swap when the name has none, so the record always differs.
    """
    plain = replace(
        who, first_name=without_accents(who.first_name), last_name=without_accents(who.last_name)
    )
    if twist == "accents" and plain != who:
        return plain
    if roll < 0.5:
        return replace(who, last_name=swapped(who.last_name))
    return replace(who, first_name=swapped(who.first_name))


def swapped(name: str) -> str:
    """``name`` with its first two differing neighbour letters swapped (``Roux`` -> ``Ruox``)."""
    for i in range(1, len(name) - 1):
        if name[i].lower() != name[i + 1].lower():
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name + name[-1]  # no two letters differ: a doubled last letter is a typo too


def written_phone(national: str, form: str) -> str:
    """A French mobile (``612345678``) the way one person typed it into Bolt."""
    pairs = " ".join(national[i : i + 2] for i in range(1, 9, 2))
    head = national[0]
    return {
        "e164": f"+33{national}",
        "spaced": f"0{head} {pairs}",
        "international_spaced": f"+33 {head} {pairs}",
        "zero_zero": f"0033{national}",
        "dotted": f"0{head} {pairs}".replace(" ", "."),
        "dashed": f"0{head} {pairs}".replace(" ", "-"),
    }[form]


def e164(written: str) -> str:
    """The E.164 form of a French number however it was written (``+33612345678``)."""
    digits = "".join(c for c in written if c.isdigit())
    if digits.startswith("0033"):
        return f"+33{digits[4:]}"
    if written.strip().startswith("+"):
        return f"+{digits}"
    return f"+33{digits.removeprefix('0')}"
