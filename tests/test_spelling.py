"""Typo mending before trigger scoring (engine/assistant/spelling.py)."""

from engine.assistant.spelling import Speller, words_of


def test_a_typo_is_mended_to_a_word_buyers_here_use_before_a_more_common_english_one():
    speller = Speller(words_of(["Any deals on bulk orders?", "Do you have deals this week?"]))
    assert speller.mend_word("deels") == "deals"  # "feels" is the commoner English word
    assert Speller({}).mend_word("deels") == "feels"
    assert speller.mend("Any deels, or a dicsount?") == "Any deals, or a discount?"


def test_known_words_short_words_and_words_beyond_a_to_z_are_kept_as_written():
    speller = Speller(words_of(["refund"]))
    assert speller.mend_word("Rückerstattung") == "Rückerstattung"
    assert speller.mend_word("möchte") == "möchte"
    assert speller.mend("u r gr8") == "u r gr8"
    assert speller.mend("Please refund the order") == "Please refund the order"
    assert speller.mend_word("zxqvbn") == "zxqvbn"  # no word one edit away


def test_a_typo_written_once_among_the_examples_is_not_a_target_but_a_trade_word_is():
    speller = Speller({"refnd": 1, "vtuber": 2})
    assert speller.mend_word("refnnd") != "refnd"
    assert speller.mend_word("vtubr") == "vtuber"


def test_mending_can_be_turned_off():
    assert Speller(words_of(["discount"]), mending=False).mend("a dicsount") == "a dicsount"
