"""Journalists' own preferences narrow the audience of later sends, and unsubscribe() (the
mailto: path) records once; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from mailer.contacts.audience import Audience, AudienceFilter, resolve_audience
from mailer.contacts.preferences import Muted, save_muted
from mailer.models import Campaign, Contact, ContactStatus, PreferenceChannel, utcnow
from mailer.release import load_release
from mailer.unsubscribe import InvalidLink, LinkProblem, unsubscribe
from tests.conftest import REPO, Cli
from tests.integration.newsroom_links import TAXONOMY, Newsroom, changes, seed, settings_for

RELEASE = load_release(REPO / "examples" / "immunization-release.md")  # en, fr, ru
EVERYONE = {
    "aizada@news-kg.test",
    "claire@journal.example.org",
    "diego@diario.example.org",
    "jonas@zeitung.example.org",
    "nurlan@radio.example.org",
}


@pytest.fixture
def newsroom(engine: Engine) -> Newsroom:
    """Five journalists in Central Asia."""
    return seed(engine)


def _mute(newsroom: Newsroom, email: str, **muted: list[str]) -> None:
    with Session(newsroom.engine) as session:
        save_muted(session, newsroom.contacts[email], Muted.of(**muted))
        session.commit()


def _resolve(engine: Engine, **flt: object) -> Audience:
    with Session(engine) as session:
        return resolve_audience(session, TAXONOMY, AudienceFilter(**flt))  # type: ignore[arg-type]


def _emails(audience: Audience) -> set[str]:
    return {c.email for c in audience.contacts}


def test_without_preferences_everyone_is_reached(newsroom: Newsroom) -> None:
    """No one has chosen anything: the whole region, nobody narrowed."""
    audience = _resolve(newsroom.engine, regions=["central-asia"], release=RELEASE)
    assert _emails(audience) == EVERYONE
    assert (audience.excluded, audience.narrowed) == (0, 0)


def test_a_muted_region_leaves_out_sends_to_that_region_only(newsroom: Newsroom) -> None:
    """Muting central-asia leaves the journalist out of sends to it, counted as narrowed; a
    send to seeca (which holds Central Asia) still reaches them: regions match by slug."""
    _mute(newsroom, "aizada@news-kg.test", regions=["central-asia"])
    audience = _resolve(newsroom.engine, regions=["central-asia"])
    assert _emails(audience) == EVERYONE - {"aizada@news-kg.test"}
    assert audience.narrowed == 1
    both = _resolve(newsroom.engine, regions=["central-asia", "seeca"])
    assert "aizada@news-kg.test" in _emails(both)
    assert both.regions_of[newsroom.contacts["aizada@news-kg.test"]] == ["seeca"]


def test_muted_beats_narrow_beat_sends_and_releases_on_those_topics(newsroom: Newsroom) -> None:
    """A muted beat no longer matches --beat; a release whose topics are all muted beats
    leaves the journalist out, one with any other topic still reaches them."""
    _mute(newsroom, "aizada@news-kg.test", beats=["education"])
    assert "aizada@news-kg.test" not in _emails(_resolve(newsroom.engine, beats=["education"]))
    assert "aizada@news-kg.test" in _emails(_resolve(newsroom.engine, beats=["health"]))
    _mute(newsroom, "nurlan@radio.example.org", beats=["children", "health"])
    assert "nurlan@radio.example.org" in _emails(
        _resolve(newsroom.engine, regions=["central-asia"], release=RELEASE)
    )
    _mute(newsroom, "nurlan@radio.example.org", beats=["children", "health", "immunization"])
    audience = _resolve(newsroom.engine, regions=["central-asia"], release=RELEASE)
    assert "nurlan@radio.example.org" not in _emails(audience)


def test_muted_languages_choose_the_variant_and_narrow_language_sends(
    newsroom: Newsroom,
) -> None:
    """Aizada reads ru then en and mutes ru: she gets the English variant, no --language ru
    send, and her stored languages are untouched."""
    _mute(newsroom, "aizada@news-kg.test", languages=["ru"])
    audience = _resolve(newsroom.engine, regions=["central-asia"], release=RELEASE)
    [aizada] = [c for c in audience.contacts if c.email == "aizada@news-kg.test"]
    assert RELEASE.variant_for(aizada.languages).language == "en"
    assert "aizada@news-kg.test" not in _emails(_resolve(newsroom.engine, languages=["ru"]))
    with Session(newsroom.engine) as session:
        stored = session.get(Contact, newsroom.contacts["aizada@news-kg.test"])
        assert stored is not None
        assert stored.languages == ["ru", "en"]


def test_a_variant_in_a_muted_language_is_not_sent(newsroom: Newsroom) -> None:
    """Diego keeps only Spanish; a release without Spanish would reach him in English, which
    he muted, so he is left out (when the send names its release)."""
    _mute(newsroom, "diego@diario.example.org", languages=["en"])
    with_release = _resolve(newsroom.engine, regions=["central-asia"], release=RELEASE)
    assert "diego@diario.example.org" not in _emails(with_release)
    assert "diego@diario.example.org" in _emails(
        _resolve(newsroom.engine, regions=["central-asia"])
    )


def test_mailto_unsubscribe_records_once(engine: Engine, db_url: str, newsroom: Newsroom) -> None:
    """unsubscribe() for a mailto: request: unsubscribed and recorded once, replays change
    nothing, and the contact is out of every later audience (counted as excluded)."""
    settings = settings_for(db_url)
    token = newsroom.token("jonas@zeitung.example.org")
    results = []
    for _ in range(2):
        with Session(engine) as session:
            results.append(unsubscribe(session, settings, token, via=PreferenceChannel.MAILTO))
            session.commit()
    assert [r.new for r in results] == [True, False]
    [change] = changes(engine)
    assert change.channel == PreferenceChannel.MAILTO
    audience = _resolve(engine, regions=["central-asia"])
    assert "jonas@zeitung.example.org" not in _emails(audience)
    assert audience.excluded == 1
    with Session(engine) as session:
        contact = session.get(Contact, change.contact_id)
        assert contact is not None
        assert contact.status == ContactStatus.UNSUBSCRIBED


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("not-a-token", LinkProblem.MALFORMED),
        ("expired", LinkProblem.EXPIRED),
        ("gone", LinkProblem.GONE),
    ],
)
def test_mailto_unsubscribe_refuses_bad_links(
    engine: Engine, db_url: str, newsroom: Newsroom, token: str, problem: LinkProblem
) -> None:
    """A bad token raises InvalidLink saying why; nothing changes."""
    settings = settings_for(db_url, unsubscribe_token_days=30)
    good = newsroom.token("jonas@zeitung.example.org")
    with Session(engine) as session:
        if token == "expired":
            old = utcnow() - timedelta(days=31)
            session.execute(update(Campaign).values(created_at=old))
        if token == "gone":
            session.delete(session.get(Contact, newsroom.contacts["jonas@zeitung.example.org"]))
        session.flush()
        with pytest.raises(InvalidLink) as caught:
            unsubscribe(
                session,
                settings,
                good if token in ("expired", "gone") else token,
                via=PreferenceChannel.MAILTO,
            )
    assert caught.value.problem == problem
    assert changes(engine) == []


def test_a_send_applies_topic_and_variant_choices(newsroom: Newsroom, cli: Cli) -> None:
    """`mailer send` passes its release to the audience: a journalist who muted every topic of
    the release, and one whose only variant would be in a muted language, are left out, and a
    journalist who muted Russian is counted under the English variant."""
    _mute(newsroom, "nurlan@radio.example.org", beats=["children", "health", "immunization"])
    _mute(newsroom, "diego@diario.example.org", languages=["en"])
    _mute(newsroom, "aizada@news-kg.test", languages=["ru"])
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    release = str(REPO / "examples" / "immunization-release.md")
    plan = cli("send", release, "--region", "central-asia", "--dry-run", "--json")
    assert plan.code == 0, plan
    summary = json.loads(plan.out)
    assert summary["recipients"] == len(EVERYONE) - 2
    # claire reads French; aizada now English; jonas (German) falls back to English.
    assert summary["by_language"] == {"fr": 1, "en": 2}
