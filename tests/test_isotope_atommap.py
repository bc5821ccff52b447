"""Atom-transition notation: parsing, symmetric molecules, and bad input."""
import pytest

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import format_transition, parse_transition


def test_parse_citrate_synthase():
    t = parse_transition("OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)", reaction="CS")
    assert t.substrates == (("OAA", "abcd"), ("AcCoA", "ef"))
    assert t.products == (("Cit", ("dcbfea",)),)
    assert not t.reversible
    assert t.metabolites() == {"OAA": 4, "AcCoA": 2, "Cit": 6}


def test_inca_spacing_and_reversible_arrow():
    t = parse_transition("B (abc) + C (de) <-> D (bcd) + E (a) + E (e)", reaction="R4")
    assert t.reversible
    assert [m for m, _ in t.products] == ["D", "E", "E"]
    back = t.reverse()
    assert back.substrates == (("D", "bcd"), ("E", "a"), ("E", "e"))
    assert back.products == (("B", ("abc",)), ("C", ("de",)))


def test_symmetric_product_gets_both_orientations():
    t = parse_transition("AKG(abcde) -> Suc(bcde) + CO2(a)", symmetric={"Suc"})
    assert t.products[0] == ("Suc", ("bcde", "edcb"))
    explicit = parse_transition("Suc(abcd,dcba) -> Fum(abcd,dcba)")
    assert explicit.products[0] == ("Fum", ("abcd", "dcba"))
    assert explicit.substrates[0] == ("Suc", "abcd")


def test_round_trip():
    text = "OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)"
    assert format_transition(parse_transition(text)) == text


def test_unbalanced_carbons_raise():
    with pytest.raises(FluxasnInputError, match="do not balance") as err:
        parse_transition("Cit(abcdef) -> AKG(abcde)", reaction="ICDH", source="rx.tsv", line=7)
    assert err.value.identifier == "ICDH" and err.value.line == 7
    assert "rx.tsv" in str(err.value)


def test_lost_atoms_only_when_allowed():
    t = parse_transition("Arg(abcdef) -> Glu(abcde)", allow_loss=True)
    assert t.products[0][1] == ("abcde",)
    with pytest.raises(FluxasnInputError, match="do not balance"):
        parse_transition("Arg(abcde) -> Glu(abcdef)", allow_loss=True)


def test_letter_used_twice_raises():
    with pytest.raises(FluxasnInputError, match="used twice"):
        parse_transition("OAA(abcd) + AcCoA(ad) -> Cit(abcdad)")
    with pytest.raises(FluxasnInputError, match="used twice"):
        parse_transition("Cit(abcdef) -> AKG(abcde) + CO2(e)")


def test_declared_carbon_count_is_checked():
    with pytest.raises(FluxasnInputError, match="declared"):
        parse_transition("OAA(abc) -> Asp(abc)", carbons={"OAA": 4})


def test_unreadable_text():
    with pytest.raises(FluxasnInputError, match="arrow"):
        parse_transition("OAA(abcd) Asp(abcd)")
    with pytest.raises(FluxasnInputError, match="cannot read"):
        parse_transition("OAA[abcd] -> Asp(abcd)")
    with pytest.raises(FluxasnInputError, match="orientation"):
        parse_transition("Suc(abcd) -> Fum(abcd,dcbe)")


def test_boundary_transition_has_one_empty_side():
    t = parse_transition("glc__D_e(abcdef) ->", reaction="EX_glc__D_e")
    assert t.substrates == (("glc__D_e", "abcdef"),) and t.products == ()
    with pytest.raises(FluxasnInputError, match="no species"):
        parse_transition(" -> ")
