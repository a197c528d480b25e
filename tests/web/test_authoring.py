"""The author's workbench: drafts checked by line, previews that record nothing, publishing
and rolling back versions (seen by every process), the map of every scenario with what
learners did, and the choices learners make."""
from __future__ import annotations

import io
import re

import pytest
from conftest import SHIPPED, login, make_app, signed_in
from engine_paths import all_paths
from probes import database_rows, play, start_attempt
from sqlalchemy import select

from trainer.engine import best_path
from trainer.extensions import db
from trainer.models import Attempt, Draft, Publication, ScenarioVersion
from trainer.store import content

SCENARIO = "rude-receptionist"


@pytest.fixture
def author(app, people):
    client = app.test_client()
    login(client, "abe")
    return client


def source_of(app, scenario_id: str = SCENARIO) -> str:
    with app.app_context():
        return content.current(scenario_id).source


def upload(client, text: str, name: str = "rude-receptionist.md"):
    return client.post("/author/drafts", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def draft_id(response) -> int:
    assert response.status_code == 302, response.text
    return int(re.search(r"/author/drafts/(\d+)$", response.location).group(1))


def edited(app, old: str, new: str) -> str:
    text = source_of(app)
    assert old in text
    return text.replace(old, new, 1)


def test_an_uploaded_draft_with_an_error_shows_it_by_line_and_saves_nothing_else(app, author):
    text = edited(app, "weights: {", "weights: {no-such-principle: 2, ")
    bad_line = text[:text.index("no-such-principle")].count("\n") + 1
    found = draft_id(upload(author, text))
    page = author.get(f"/author/drafts/{found}").text
    assert "1 problem to fix before it can be previewed or published" in page
    assert f"<strong>Line {bad_line}:</strong>" in page and "no-such-principle" in page
    assert "Publish to learners" not in page
    with app.app_context():
        assert db.session.scalar(select(Publication.id)) is None
    assert author.post(f"/author/drafts/{found}/publish").status_code == 302
    assert "problem(s) to fix first" in author.get(f"/author/drafts/{found}").text
    assert author.get(f"/author/preview/draft/{found}").status_code == 404


def test_a_file_that_is_not_utf8_or_not_markdown_is_refused_with_why(author):
    response = upload(author, "", "notes.md")
    refused = author.post("/author/drafts", data={
        "file": (io.BytesIO(b"---\nid: x\ntitle: caf\xe9\n"), "cafe.md")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "cafe.md:3: the file is not UTF-8 text" in refused.text
    wrong_type = author.post("/author/drafts", data={
        "file": (io.BytesIO(b"x"), "staff.csv")}, content_type="multipart/form-data")
    assert wrong_type.status_code == 422 and "A .md file." in wrong_type.text
    assert response.status_code == 302  # an empty file is a draft that does not parse


def test_pasted_text_makes_a_draft_under_a_safe_file_name(app, author):
    new = source_of(app).replace(f"id: {SCENARIO}", "id: pasted-case", 1)
    response = author.post("/author/drafts", data={"text": new, "name": "../../etc/passwd"})
    found = draft_id(response)
    with app.app_context():
        assert db.session.get(Draft, found).file == "passwd.md"


def test_a_draft_of_an_existing_scenario_takes_its_files_name(app, author):
    """Found by a user's walk: a version published from "three-mistakes.md" was shown as
    coming from that file, not from the scenario's own."""
    found = draft_id(upload(author, source_of(app), "three-mistakes.md"))
    with app.app_context():
        assert db.session.get(Draft, found).file == "rude-receptionist.md"


def test_fix_preview_publish_then_roll_back(app, people, author):
    ann = app.test_client()
    login(ann, "ann")
    old_attempt = start_attempt(ann, SCENARIO)  # on the file's version
    text = edited(app, "weights: {", "weights: {no-such-principle: 2, ")
    found = draft_id(upload(author, text))
    fixed = edited(app, "It is twenty to one", "It is a quarter to one")
    assert author.post(f"/author/drafts/{found}", data={"source": fixed}).status_code == 302
    page = author.get(f"/author/drafts/{found}").text
    assert "No problem found: it can be previewed" in page and "a guesser passes" in page
    assert '<span class="diff-add">+It is a quarter to one' in page
    assert '<span class="diff-remove">-It is twenty to one' in page

    # A preview, played to the end, changes nothing in the database.
    before = database_rows(app)
    preview = author.get(f"/author/preview/draft/{found}").text
    assert "It is a quarter to one" in preview
    with app.app_context():
        scenario = content.current(SCENARIO)
    for _, choice_id in best_path(scenario):
        state = re.search(r'name="state" value="([^"]+)"', preview).group(1)
        preview = author.post(f"/author/preview/draft/{found}", data={
            "state": state.replace("&#34;", '"'), "action": "choose",
            "choice": choice_id}).text
        assert "You chose:" in preview, preview
    assert "ending" in preview
    assert database_rows(app) == before

    assert author.post(f"/author/drafts/{found}/publish").status_code == 302
    with app.app_context():
        playing = content.current(SCENARIO)
        assert "a quarter to one" in playing.source
        [publication] = db.session.scalars(select(Publication)).all()
        assert publication.kind == "publish"
        assert db.session.get(ScenarioVersion, publication.version_id).version == \
            playing.version
    # Ann's attempt begun before stays on the version she started.
    assert "It is twenty to one" in ann.get(f"/attempts/{old_attempt}").text
    new_attempt = start_attempt(ann, SCENARIO)
    assert "It is a quarter to one" in ann.get(f"/attempts/{new_attempt}").text

    history = author.get(f"/author/scenarios/{SCENARIO}").text
    assert "playing" in history and "published" in history and "Abe Author" in history
    with app.app_context():
        file_version = db.session.scalar(select(ScenarioVersion.id).where(
            ScenarioVersion.scenario_id == SCENARIO, ScenarioVersion.id != publication.version_id))
    diff = author.get(f"/author/scenarios/{SCENARIO}/versions/{file_version}/diff").text
    assert "-It is twenty to one" in diff and "+It is a quarter to one" in diff
    assert author.post(f"/author/scenarios/{SCENARIO}/rollback",
                       data={"version": str(file_version)}).status_code == 302
    with app.app_context():
        assert "twenty to one" in content.current(SCENARIO).source
        kinds = [p.kind for p in db.session.scalars(select(Publication).order_by(Publication.id))]
        assert kinds == ["publish", "rollback"]
    again = start_attempt(ann, SCENARIO)
    assert "It is twenty to one" in ann.get(f"/attempts/{again}").text
    assert "Rolled back" in author.get(f"/author/scenarios/{SCENARIO}").text


def test_publishing_what_already_plays_is_refused(app, author):
    found = draft_id(upload(author, source_of(app)))
    author.post(f"/author/drafts/{found}/publish")
    page = author.get(f"/author/drafts/{found}").text
    assert "already what learners play" in page
    with app.app_context():
        assert db.session.scalar(select(Publication.id)) is None


def test_another_process_plays_a_publication_once_it_looks(tmp_path, app, author,
                                                           monkeypatch):
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other", SQLALCHEMY_DATABASE_URI=app.config[
        "SQLALCHEMY_DATABASE_URI"])
    found = draft_id(upload(author, edited(app, "It is twenty to one", "It is ten to one")))
    author.post(f"/author/drafts/{found}/publish")
    [ann] = signed_in(other, "ann")
    # Within PUBLICATIONS_CHECKED_EVERY the other process may still serve the file ...
    monkeypatch.setattr(content, "PUBLICATIONS_CHECKED_EVERY", 0.0)
    # ... and once it looks, it serves what was published.
    attempt = start_attempt(ann, SCENARIO)
    assert "It is ten to one" in ann.get(f"/attempts/{attempt}").text


def test_a_new_scenario_can_be_published_and_practised(app, author):
    text = source_of(app).replace(f"id: {SCENARIO}", "id: brand-new", 1).replace(
        "title: The rude receptionist", "title: A brand new case", 1)
    found = draft_id(upload(author, text, "brand-new.md"))
    assert "a new scenario" in author.get(f"/author/drafts/{found}").text
    author.post(f"/author/drafts/{found}/publish")
    [ann] = signed_in(app, "ann")
    assert "A brand new case" in ann.get("/scenarios").text
    assert ann.get("/scenarios/brand-new").status_code == 200


def test_a_forged_or_impossible_preview_state_is_refused_and_starts_again(app, author):
    url = f"/author/preview/scenario/{SCENARIO}"
    for state, why in (("{not json", "cannot be read"),
                       ('{"node": "nowhere", "values": {"trust": 50}, "path": []}',
                        "no situation"),
                       ('{"node": "ring", "values": {"trust": 900}, "path": []}',
                        "Trust is from 0 to 100"),
                       ("x" * 30_000, "too long"), ("[1, 2]", "cannot be read"),
                       ("null", "cannot be read")):
        response = author.post(url, data={"state": state, "action": "choose", "choice": "c1"})
        assert response.status_code == 422, state
        assert why in response.text
    start = author.get(url).text
    state = re.search(r'name="state" value="([^"]+)"', start).group(1).replace("&#34;", '"')
    not_offered = author.post(url, data={"state": state, "action": "choose", "choice": "c99"})
    assert not_offered.status_code == 422 and "not on offer" in not_offered.text


def test_a_preview_can_start_anywhere_with_the_variables_set(app, author):
    url = f"/author/preview/scenario/{SCENARIO}"
    page = author.get(url).text
    state = re.search(r'name="state" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    with app.app_context():
        scenario = content.current(SCENARIO)
    target = next(n for n in scenario.nodes if n != scenario.start)
    jumped = author.post(url, data={"state": state, "action": "jump", "node": target}).text
    assert f"Situation {target}" in jumped
    state = re.search(r'name="state" value="([^"]+)"', jumped).group(1).replace("&#34;", '"')
    set_to = author.post(url, data={"state": state, "action": "set", "var-trust": "7"}).text
    assert 'name="var-trust" value="7"' in set_to and f"Situation {target}" in set_to
    bad = author.post(url, data={"state": state, "action": "set", "var-trust": "lots"})
    assert bad.status_code == 422 and "must be a whole number" in bad.text
    assert f"Situation {target}" in bad.text and "the preview is where it was" in bad.text
    assert f"Situation {target}" in author.get(f"{url}?node={target}").text


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_the_map_of_every_shipped_scenario_names_every_situation(app, author, scenario_id):
    page = author.get(f"/scenarios/{scenario_id}/map")
    assert page.status_code == 200
    with app.app_context():
        scenario = content.current(scenario_id)
    named = set(re.findall(r'<text [^>]*class="id">([^<]+)</text>', page.text))
    assert named == set(scenario.nodes)


def test_the_map_counts_what_learners_did_and_opens_a_situation(app, people, author):
    with app.app_context():
        scenario = content.current(SCENARIO)
    path = best_path(scenario)
    for short in ("ann", "bob"):
        [client] = signed_in(app, short)
        play(client, start_attempt(client, SCENARIO), path)
    [cat] = signed_in(app, "cat")
    play(cat, start_attempt(cat, SCENARIO), path[:1])  # stops after one choice
    page = author.get(f"/scenarios/{SCENARIO}/map").text
    assert "<strong>3 attempts</strong>" in page
    first_node, first_choice = path[0]
    assert re.search(rf"<title>{first_node}: [^<]*reached by 3</title>", page)
    assert re.search(rf"{first_node} → {path[1][0]} \({first_choice}\): [^<]*· 3×", page)
    assert f"{path[1][0]}: " in page and "1 stopped here" in page  # Cat stopped there
    # Narrowed to Ann's team (Showroom), only her attempt counts.
    showroom = author.get(f"/scenarios/{SCENARIO}/map?team={people.teams['x']}").text
    assert "<strong>1 attempt</strong>" in showroom
    detail = author.get(f"/scenarios/{SCENARIO}/map?node={first_node}").text
    node = scenario.nodes[first_node]
    assert f"Situation {first_node}" in detail and f"line {node.line}" in detail
    for choice in node.choices:
        assert f"{choice.id}: " in detail
    assert f"/author/preview/scenario/{SCENARIO}?node={first_node}" in detail


def test_choice_figures_flag_what_nobody_picks_and_compare_with_the_version_before(
        app, people, author):
    with app.app_context():
        scenario = content.current(SCENARIO)
    first_node, best = best_path(scenario)[0]
    players = ("ann", "bob", "cat", "mia", "max", "hugo", "ada", "abe")
    for short in players[:5]:
        [client] = signed_in(app, short)
        play(client, start_attempt(client, SCENARIO), [(first_node, best)])
    page = author.get(f"/author/scenarios/{SCENARIO}/choices").text
    assert "5 choices on this version" in page
    assert "5 (100%)" in page and "nobody picks it" not in page  # fewer than 10 choices
    for short in players[5:]:
        [client] = signed_in(app, short)
        play(client, start_attempt(client, SCENARIO), [(first_node, best)])
    for short in ("ann", "bob"):
        [client] = signed_in(app, short)
        play(client, start_attempt(client, SCENARIO), [(first_node, best)])
    page = author.get(f"/author/scenarios/{SCENARIO}/choices").text
    assert "10 choices on this version" in page and "nobody picks it" in page
    assert "Showroom" in page  # a column per team
    # A new version: the figures start again, with the version before beside them.
    found = draft_id(upload(author, edited(app, "It is twenty to one", "It is ten to one")))
    author.post(f"/author/drafts/{found}/publish")
    [ann] = signed_in(app, "ann")
    play(ann, start_attempt(ann, SCENARIO), [(first_node, best)])
    page = author.get(f"/author/scenarios/{SCENARIO}/choices").text
    assert "1 choice on this version; 10 on the version before" in page
    assert "<td>100%</td>" in page  # the best option's share before


def test_nothing_of_the_workbench_is_open_to_others(app, people):
    for short in ("ann", "mia", "hugo"):
        [client] = signed_in(app, short)
        assert client.get("/author/").status_code == 403
        assert "Authoring" not in client.get("/").text
    [ada] = signed_in(app, "ada")
    assert 'href="/author/"' in ada.get("/").text


def test_the_author_role_can_be_granted_like_the_others(app, people):
    [ada] = signed_in(app, "ada")
    page = ada.get(f"/admin/users/{people.ids['ann']}").text
    assert 'value="author"' in page


def test_a_draft_of_a_module_scenario_keeps_its_pass_mark(app, author):
    with app.app_context():
        mark = content.library().pass_mark("knows-more")
    found = draft_id(upload(author, source_of(app, "knows-more"), "knows-more.md"))
    assert f"at pass mark {mark}%" in author.get(f"/author/drafts/{found}").text


def test_no_attempt_is_recorded_by_any_author_page(app, author):
    with app.app_context():
        assert db.session.scalar(select(Attempt.id)) is None
    for url in ("/author/", f"/author/scenarios/{SCENARIO}", f"/scenarios/{SCENARIO}/map",
                f"/author/scenarios/{SCENARIO}/choices", f"/author/preview/scenario/{SCENARIO}"):
        assert author.get(url).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Attempt.id)) is None
        assert db.session.scalar(select(ScenarioVersion.id)) is None


def test_an_option_with_routes_counts_each_route_by_where_learners_went(app, people, author):
    """Found by a user's walk: an option with two routes showed its whole count on both
    arrows, and a box where learners stopped was counted once, not added to those passing."""
    with app.app_context():
        scenario = content.current(SCENARIO)
    split = [(node.id, choice) for node in scenario.nodes.values() for choice in node.choices
             if len({r.target for r in choice.routes}) > 1]
    assert split, "the rude receptionist has an option whose route depends on trust"
    walked = next(w for w in all_paths(scenario)
                  if any((n, c) in {(node_id, ch.id) for node_id, ch in split}
                         for n, c in w.path))
    index = next(i for i, step in enumerate(walked.path)
                 if step in {(node_id, ch.id) for node_id, ch in split})
    node_id, choice_id = walked.path[index]
    went = walked.path[index + 1][0] if index + 1 < len(walked.path) else walked.end
    choice = scenario.nodes[node_id].choice(choice_id)
    other = next(r.target for r in choice.routes if r.target != went)
    [ann] = signed_in(app, "ann")
    play(ann, start_attempt(ann, SCENARIO), walked.path)
    [bob] = signed_in(app, "bob")
    play(bob, start_attempt(bob, SCENARIO), walked.path[:1])  # stops at the second situation
    page = author.get(f"/scenarios/{SCENARIO}/map").text
    assert re.search(rf"{node_id} → {went} \({choice_id}\): [^<]*· 1×", page)
    assert re.search(rf"{node_id} → {other} \({choice_id}\): [^<]*· 0×", page)
    second = walked.path[1][0]
    # Ann passed it and Bob stands there: two reached it, one stopped.
    assert re.search(rf"<title>{second}: [^<]*reached by 2, 1 stopped here</title>", page)


def test_a_scenario_of_three_megabytes_can_be_uploaded_and_saved_again(app, author):
    """Found by a user's walk: a large scenario uploaded, then saving it unchanged answered
    413 and lost the author's edits (the app took 2 MB a request)."""
    text = edited(app, "It is twenty to one", "It is twenty to one" + " and busy" * 330_000)
    assert 2.9e6 < len(text.encode()) < 4 * 1024 * 1024
    found = draft_id(upload(author, text))
    saved = author.post(f"/author/drafts/{found}", data={"source": text})
    assert saved.status_code == 302
    too_big = upload(author, text + "x" * (5 * 1024 * 1024))
    assert too_big.status_code == 413
    assert "larger than this page takes (6 MB at most). Nothing was saved" in too_big.text


def test_a_scenario_published_here_can_be_withdrawn_and_published_again(app, author):
    text = source_of(app).replace(f"id: {SCENARIO}", "id: brand-new", 1).replace(
        "title: The rude receptionist", "title: A brand new case", 1)
    found = draft_id(upload(author, text, "brand-new.md"))
    author.post(f"/author/drafts/{found}/publish")
    [ann] = signed_in(app, "ann")
    assert "A brand new case" in ann.get("/scenarios").text
    assert author.post("/author/scenarios/brand-new/withdraw").status_code == 302
    assert "A brand new case" not in ann.get("/scenarios").text
    assert ann.get("/scenarios/brand-new").status_code == 404
    index = author.get("/author/").text
    assert "Withdrawn" in index and "A brand new case" in index
    with app.app_context():
        version = db.session.scalar(select(ScenarioVersion.id).filter_by(scenario_id="brand-new"))
    again = draft_id(author.post(f"/author/versions/{version}/edit"))
    # The same text as the withdrawn version: publishing puts it back.
    assert author.post(f"/author/drafts/{again}/publish").status_code == 302
    assert "A brand new case" in ann.get("/scenarios").text


def test_a_shipped_scenario_cannot_be_withdrawn(app, author):
    author.post(f"/author/scenarios/{SCENARIO}/withdraw")
    assert "roll back to the file instead" in author.get(f"/author/scenarios/{SCENARIO}").text
    with app.app_context():
        assert db.session.scalar(select(Publication.id)) is None


def test_a_published_draft_is_not_published_again(app, author):
    """Found by a user's walk: posting "publish" again on a published draft (a stale page)
    replaced what had been rolled back since."""
    found = draft_id(upload(author, edited(app, "It is twenty to one", "It is ten to one")))
    author.post(f"/author/drafts/{found}/publish")
    with app.app_context():
        file_version = db.session.scalar(select(ScenarioVersion.id).where(
            ScenarioVersion.scenario_id == SCENARIO).order_by(ScenarioVersion.id))
    author.post(f"/author/scenarios/{SCENARIO}/rollback", data={"version": "file"})
    author.post(f"/author/drafts/{found}/publish")
    assert "published already" in author.get(f"/author/drafts/{found}").text
    with app.app_context():
        assert "twenty to one" in content.current(SCENARIO).source
        assert file_version is not None
