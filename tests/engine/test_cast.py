"""The header's channel and characters, and dialogue lines in the prose: read, checked, and
every problem reported with its line."""
from conftest import CONTENT

from trainer.engine import parse_scenario
from trainer.engine.cast import lines_of

VALID = (CONTENT / "valid" / "late-delivery.md").read_text("utf-8")


def parsed(text: str):
    scenario, problems = parse_scenario(text, "cast.md")
    return scenario, [str(p) for p in problems]


def test_the_valid_example_names_its_channel_customer_and_a_line_of_dialogue():
    scenario, problems = parsed(VALID)
    assert problems == []
    assert scenario.channel == "phone"
    assert scenario.customer.name == "Mrs Nowak"
    assert scenario.customer.portrait == {"hair": "bun", "hair_colour": "brown", "glasses": True}
    lines = lines_of(scenario.nodes["call"].text, {"Mrs Nowak"})
    assert lines == [(None, "Mrs Nowak calls. The sofa she took a day off work to receive "
                            "never came."),
                     ("Mrs Nowak", "I waited in all day. Where is my sofa?")]


def test_bad_channels_roles_and_features_are_reported_with_their_lines():
    text = VALID.replace("channel: phone", "channel: carrier pigeon") \
        .replace("{hair: bun, hair_colour: brown, glasses: true}\n",
                 "{hair: mohawk, hair_colour: brown, glasses: maybe, tattoo: 1}\n"
                 "  - name: Mrs Nowak\n    role: colleague\n"
                 "  - name: Nobody\n    role: boss\n")
    _, problems = parsed(text)
    lines = text.splitlines()

    def at(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    expected = [
        (at("channel:"), "channel 'carrier pigeon' must be one of: phone, face to face"),
        (at("role: colleague") - 1, "character 'Mrs Nowak' is named twice"),
        (at("role: boss"), "the role of 'Nobody' must be one of: customer, colleague, manager"),
        (at("portrait:"), "portrait feature 'hair' must be one of: short"),
        (at("portrait:"), "portrait feature 'glasses' must be one of: true, false"),
        (at("portrait:"), "unknown portrait feature 'tattoo'"),
    ]
    for line, message in expected:
        assert any(p.startswith(f"cast.md:{line}:") and message in p for p in problems), \
            (line, message, problems)


def test_a_line_of_dialogue_must_name_a_character():
    text = VALID.replace("Mrs Nowak: I waited in all day.", "Mr Nowak: I waited in all day.")
    _, problems = parsed(text)
    line = text.splitlines().index("Mr Nowak: I waited in all day. Where is my sofa?") + 1
    assert problems == [f"cast.md:{line}: 'Mr Nowak:' opens a line of dialogue, but "
                        "'Mr Nowak' is not among the characters in the header"]


def test_without_characters_the_prose_is_all_narration_and_nothing_is_checked():
    """Stored versions from before the cast existed still parse, as they were played."""
    text = VALID.replace("channel: phone\n", "")
    text = text[:text.index("characters:")] + text[text.index("variables:"):]
    scenario, problems = parsed(text)
    assert problems == [] and scenario.characters == () and scenario.channel == ""
    assert scenario.customer is None
    assert lines_of(scenario.nodes["call"].text, set())[1] == \
        (None, "Mrs Nowak: I waited in all day. Where is my sofa?")


def test_only_one_customer():
    text = VALID.replace("    role: customer\n", "    role: customer\n  - name: Mr Nowak\n"
                                                   "    role: customer\n")
    _, problems = parsed(text)
    assert any("only one character may be the customer" in p for p in problems)
