"""Matching keys: every written form of one driver's details gives one key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from projector.people.keys import DriverKeys, driver_keys, email_key, name_key, phone_key, plate_key
from projector.people.rules import (
    NAME_AND_PLATE_SCORE,
    NAME_SCORE,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_AND_PLATE,
    SAME_PHONE,
    compare,
)

PREFIXES = ("0", "+33", "+33 ", "0033", "0033 ", "+33-", "0033.")
SEPARATORS = ("", " ", ".", "-", "  ")


@st.composite
def french_mobile(draw: st.DrawFn) -> tuple[str, str]:
    """(written form, expected E.164) of one French mobile number (06 or 07)."""
    digits = draw(st.sampled_from("67")) + draw(st.text("0123456789", min_size=8, max_size=8))
    prefix = draw(st.sampled_from(PREFIXES))
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=5)))
    parts = [digits[i:j] for i, j in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    written = parts[0]
    for part in parts[1:]:
        written += draw(st.sampled_from(SEPARATORS)) + part
    pad = draw(st.sampled_from(("", " ", "\t")))
    return pad + prefix + written + pad, "+33" + digits


@given(french_mobile(), french_mobile())
def test_any_written_form_of_a_french_mobile_gives_its_e164(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    written, e164 = one
    assert phone_key(written) == e164
    assert (phone_key(written) == phone_key(other[0])) == (e164 == other[1])


def test_phone_key_refuses_what_is_not_a_number() -> None:
    for raw in (None, "", "   ", "n/a", "06 12", "+33 1"):
        assert phone_key(raw) is None


@given(st.emails())
def test_email_key_ignores_case_and_surrounding_spaces(email: str) -> None:
    assert email_key(f"  {email.upper()} ") == email_key(email) == email.lower()


def test_email_key_refuses_what_is_not_an_address() -> None:
    for raw in (None, "", "laurent", "@x.fr", "laurent@", "a b@x.fr"):
        assert email_key(raw) is None


def test_names_match_whatever_their_accents_case_order_and_hyphens() -> None:
    assert name_key("Zoé-Lou", "DA SILVA") == name_key("da silva", "zoe lou")
    assert name_key("Laurent", "Dupont") == name_key("DUPONT", "LAURENT") == "dupont laurent"
    assert name_key("Laurent", None) is None


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèêàçôîÉÈ", min_size=2, max_size=12))
def test_name_key_is_case_and_accent_blind(word: str) -> None:
    assert name_key(word.upper(), "Martin") == name_key(word.lower(), "MARTIN")


def test_plates_match_without_separators_or_case() -> None:
    assert plate_key("ab-123-cd") == plate_key("AB 123 CD") == "AB123CD"
    assert plate_key(" - ") is None


def _keys(**fields: str | None) -> DriverKeys:
    base = {"first_name": None, "last_name": None, "email": None, "phone": None, "plate": None}
    return driver_keys(**{**base, **fields})


def test_same_phone_or_email_links_automatically() -> None:
    uber = _keys(first_name="Laurent", last_name="Dupont", phone="06 12 34 56 78")
    bolt = _keys(first_name="L.", last_name="Dupont", phone="+33612345678", email="l@x.fr")
    match = compare(uber, bolt)
    assert match is not None and match.automatic and match.reasons == (SAME_PHONE,)
    both = compare(
        _keys(phone="0612345678", email="L@X.fr"),
        _keys(phone="0033 6 12 34 56 78", email="l@x.fr"),
    )
    assert both is not None and both.reasons == (SAME_PHONE, SAME_EMAIL)


def test_name_and_plate_is_only_a_suggestion() -> None:
    one = _keys(first_name="Laurent", last_name="Dupont", plate="AB-123-CD")
    two = _keys(first_name="LAURENT", last_name="DUPONT", plate="ab123cd")
    match = compare(one, two)
    assert match is not None and not match.automatic
    assert (match.reasons, match.score) == ((SAME_NAME_AND_PLATE,), NAME_AND_PLATE_SCORE)


def test_a_name_alone_never_links_automatically() -> None:
    match = compare(
        _keys(first_name="Laurent", last_name="Dupont"),
        _keys(first_name="Laurent", last_name="Dupont", plate="ZZ-999-ZZ"),
    )
    assert match is not None and not match.automatic
    assert (match.reasons, match.score) == ((SAME_NAME,), NAME_SCORE)


def test_drivers_with_nothing_in_common_do_not_match() -> None:
    one = _keys(first_name="Laurent", last_name="Dupont", phone="0612345678")
    two = _keys(first_name="Karim", last_name="Benali", phone="0698765432")
    assert compare(one, two) is None


def test_uber_country_code_glued_to_a_national_number_still_gives_one_e164() -> None:
    # Uber splits a number into countryCode and number; "+33" + "0612…" must not differ.
    forms = ("+330612345678", "+33 (0)6 12 34 56 78", "33612345678", "0612345678")
    assert {phone_key(f) for f in forms} == {"+33612345678"}
    assert phone_key("+32 470 12 34 56") == "+32470123456"  # a Belgian number stays Belgian
